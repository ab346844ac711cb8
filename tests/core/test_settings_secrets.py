"""Outside development the JWT secret and the pseudonym key must be real: no placeholder, at
least 32 bytes, not one character repeated; the error names the variable and how to make one.
Development (the demo, ./run.sh, city-services) runs on the placeholders."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import PLACEHOLDER_SECRET, Settings, secret_problem

GOOD = "kq3V9x-Lr8ZtP2mW7nB4cY6dF1gH5jK0sA"  # 34 bytes, random-looking
GOOD_KEY = "Zp4Qe8Rw2Tx6Yu0Io3Pa7Sd1Fg5Hj9Kl"


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("jwt_secret", PLACEHOLDER_SECRET, "placeholder"),
        ("jwt_secret", "short-but-random-Zx81", "shorter than 32 bytes"),
        ("pseudonym_key", "", "placeholder"),
        ("pseudonym_key", "change-me-" + "a1b2c3d4" * 5, "placeholder"),
        ("pseudonym_key", "ab" * 20, "not random"),
    ],
)
def test_weak_secrets_are_refused_outside_development(
    environment: str, name: str, value: str, reason: str
) -> None:
    """Each weak secret stops start-up with the variable's name and the reason."""
    values = {"jwt_secret": GOOD, "pseudonym_key": GOOD_KEY, name: value}
    with pytest.raises(ValidationError) as e:
        Settings(environment=environment, **values)  # type: ignore[arg-type]
    message = str(e.value)
    assert f"CITYOPS_{name.upper()}" in message and reason in message
    assert "secrets.token_urlsafe" in message


def test_strong_secrets_pass_and_development_keeps_the_placeholders() -> None:
    """Real secrets start in production; development needs none (the demo's default)."""
    s = Settings(environment="production", jwt_secret=GOOD, pseudonym_key=GOOD_KEY)  # type: ignore[arg-type]
    assert s.jwt_secret.get_secret_value() == GOOD
    dev = Settings(environment="development")
    assert dev.pseudonym_key.get_secret_value() == PLACEHOLDER_SECRET


def test_the_env_file_and_environment_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an entry point reads them: CITYOPS_* variables with a 31-byte key fail."""
    monkeypatch.setenv("CITYOPS_ENVIRONMENT", "production")
    monkeypatch.setenv("CITYOPS_JWT_SECRET", GOOD)
    monkeypatch.setenv("CITYOPS_PSEUDONYM_KEY", GOOD_KEY[:31])
    with pytest.raises(ValidationError, match="CITYOPS_PSEUDONYM_KEY is shorter than 32 bytes"):
        Settings()


def test_secret_problem_counts_bytes_not_characters() -> None:
    """16 two-byte letters are 32 bytes: long enough."""
    assert secret_problem("æøåÆØÅéüöäßçñèàí") == ""  # 16 characters, 32 bytes
    assert secret_problem("x" * 31 + "y") != ""  # two distinct characters
    assert "shorter" in secret_problem("Ab1-" * 7)
