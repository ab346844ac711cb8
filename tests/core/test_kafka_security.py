"""Kafka SASL/TLS settings: validated at construction, turned into kafka-python options, and
passed by every client factory of ingest/kafka_io.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from core.settings import KafkaClientSettings
from ingest import kafka_io


def test_plaintext_adds_no_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default (PLAINTEXT) leaves kafka-python's defaults alone."""
    monkeypatch.delenv("CITYOPS_KAFKA_SECURITY_PROTOCOL", raising=False)
    assert KafkaClientSettings().kafka_client_options() == {}


def test_sasl_ssl_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SASL_SSL with SCRAM: protocol, mechanism, credentials and CA file."""
    ca = tmp_path / "ca.pem"
    for k, v in {
        "CITYOPS_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "CITYOPS_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "CITYOPS_KAFKA_SASL_USERNAME": "ingest",
        "CITYOPS_KAFKA_SASL_PASSWORD": "s3cret",
        "CITYOPS_KAFKA_SSL_CAFILE": str(ca),
    }.items():
        monkeypatch.setenv(k, v)
    settings = KafkaClientSettings()
    assert "s3cret" not in repr(settings)
    assert settings.kafka_client_options() == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "ingest",
        "sasl_plain_password": "s3cret",
        "ssl_cafile": str(ca),
    }


def test_ssl_only_has_no_sasl_options() -> None:
    """TLS without SASL: the protocol and the CA file only."""
    options = KafkaClientSettings(
        kafka_security_protocol="SSL",
        kafka_ssl_cafile="/etc/ca.pem",  # type: ignore[arg-type]
    ).kafka_client_options()
    assert options == {"security_protocol": "SSL", "ssl_cafile": "/etc/ca.pem"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kafka_security_protocol": "SASL_PLAINTEXT"}, "SASL_MECHANISM"),
        (
            {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "PLAIN"},
            "SASL_USERNAME",
        ),
        ({"kafka_security_protocol": "TLS"}, "kafka_security_protocol"),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
    ],
)
def test_incomplete_or_unknown_setups_are_refused(values: dict[str, str], message: str) -> None:
    """SASL without a mechanism or credentials, or an unknown protocol, fails at start-up."""
    with pytest.raises(ValidationError, match=message):
        KafkaClientSettings(**values)  # type: ignore[arg-type]


def test_factories_pass_the_security_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """producer(), consumer() and ensure_topics() give kafka-python the security options."""
    seen: dict[str, dict[str, Any]] = {}

    class Fake:
        def __init__(self, *args: object, **kwargs: Any) -> None:
            seen[type(self).__name__] = kwargs

        def list_topics(self) -> list[str]:
            return ["t"]

        def close(self) -> None:
            pass

    for name in ("KafkaProducer", "KafkaConsumer", "KafkaAdminClient"):
        monkeypatch.setattr(kafka_io, name, type(name, (Fake,), {}))
    secured = {"security_protocol": "SSL", "ssl_cafile": "/ca.pem"}
    kafka_io.producer("b:9093", secured, linger_ms=5)
    kafka_io.consumer("b:9093", "t", "g", 6000, 100, security=secured)
    kafka_io.ensure_topics("b:9093", ["t"], 3, security=secured)
    for name in ("KafkaProducer", "KafkaConsumer", "KafkaAdminClient"):
        assert seen[name]["security_protocol"] == "SSL", name
        assert seen[name]["ssl_cafile"] == "/ca.pem", name
    assert seen["KafkaProducer"]["linger_ms"] == 5  # overrides still win

    monkeypatch.setenv("CITYOPS_KAFKA_SECURITY_PROTOCOL", "SSL")
    kafka_io.producer("b:9093")  # no argument: from CITYOPS_KAFKA_*
    assert seen["KafkaProducer"]["security_protocol"] == "SSL"
