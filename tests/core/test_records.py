"""Wire contract: round trips, and every malformed input becomes a ContractError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.records import (
    ContractError,
    FillReading,
    GpsFix,
    ParkingObservation,
    decode_fill,
    decode_fix,
    decode_parking,
    encode,
)

T0 = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
# Ids are printable text: control, format, private-use and separator characters are refused.
_UNPRINTABLE = ("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs")
ids = st.text(
    st.characters(codec="utf-8", exclude_categories=_UNPRINTABLE), min_size=1, max_size=64
)


@given(ids, times, st.floats(0, 1), st.one_of(st.none(), st.floats(-60, 100)))
def test_fill_round_trip(sensor, t, level, temp):
    """A valid fill reading survives encode → decode (to the wire's rounding)."""
    r = decode_fill(encode(FillReading(sensor, t, level, temp)))
    assert r.sensor_id == sensor and r.observed_at == t
    assert abs(r.filling_level - level) <= 1e-4
    assert (r.temperature is None) == (temp is None)


@given(ids, times, st.floats(-180, 180), st.floats(-90, 90), st.floats(0, 250), st.floats(0, 360))
def test_fix_round_trip(vehicle, t, lon, lat, speed, heading):
    """A valid GPS fix survives encode → decode."""
    r = decode_fix(encode(GpsFix(vehicle, t, lon, lat, speed, heading)))
    assert r.vehicle_id == vehicle and abs(r.lon - lon) < 1e-6 and abs(r.lat - lat) < 1e-6


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_escape_as_other_errors(raw):
    """Whatever arrives, each decoder either returns a record or raises ContractError."""
    for decode in (decode_fill, decode_fix, decode_parking):
        try:
            decode(raw)
        except ContractError as e:
            assert e.reason
        # any other exception fails the test


@given(
    st.dictionaries(
        st.sampled_from(
            ["schemaVersion", "sensorId", "dateObserved", "fillingLevel", "temperature"]
        ),
        st.one_of(
            st.none(),
            st.integers(-(2**63), 2**63 - 1),
            st.floats(allow_nan=True),
            st.text(max_size=30),
            st.booleans(),
        ),
    )
)
def test_arbitrary_objects_give_contract_errors(obj):
    """Random JSON objects with the right field names never crash the decoder."""
    try:
        decode_fill(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS))
    except ContractError:
        pass


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"fillingLevel": -0.1}, "out_of_range"),
        ({"fillingLevel": 2.5}, "out_of_range"),
        ({"fillingLevel": "high"}, "bad_type"),
        ({"fillingLevel": True}, "bad_type"),
        ({"dateObserved": "yesterday"}, "bad_timestamp"),
        ({"dateObserved": "2026-11-26T07:30:00"}, "bad_timestamp"),
        ({"schemaVersion": 2}, "bad_schema_version"),
        ({"sensorId": ""}, "bad_type"),
        ({"sensorId": "bin\x00-1"}, "bad_type"),
        ({"sensorId": "bin-1\u202e"}, "bad_type"),
    ],
)
def test_fill_rejections_name_the_reason(change, reason):
    """Each kind of bad fill reading is refused with its machine-readable reason."""
    wire = {**FillReading("bin-1", T0, 0.5).to_wire(), **change}
    with pytest.raises(ContractError) as e:
        decode_fill(orjson.dumps(wire))
    assert e.value.reason == reason


def test_missing_field_and_bad_json():
    """Missing fields and broken JSON are told apart."""
    wire = FillReading("bin-1", T0, 0.5).to_wire()
    del wire["sensorId"]
    with pytest.raises(ContractError, match="missing_field"):
        decode_fill(orjson.dumps(wire))
    with pytest.raises(ContractError, match="bad_json"):
        decode_fill(b'{"schemaVersion":1,')


def test_parking_free_above_capacity_is_rejected():
    """More free spaces than the site has is out of range."""
    wire = {**ParkingObservation("p-1", T0, 3, 10).to_wire(), "availableSpotNumber": 11}
    with pytest.raises(ContractError, match="exceeds"):
        decode_parking(orjson.dumps(wire))


@pytest.mark.parametrize("count", [2**31, 2**40, -1])
def test_parking_counts_beyond_the_integer_column_are_rejected(count):
    """A count the database's integer column cannot hold is refused at decoding (issue 12)."""
    wire = {
        **ParkingObservation("p-1", T0, 3, 10).to_wire(),
        "availableSpotNumber": count,
        "totalSpotNumber": count,
    }
    with pytest.raises(ContractError) as e:
        decode_parking(orjson.dumps(wire))
    assert e.value.reason == "out_of_range"


def test_naive_timestamps_cannot_be_encoded():
    """Records with naive datetimes are refused at the producer too."""
    with pytest.raises(ValueError):
        encode(FillReading("bin-1", T0.replace(tzinfo=None), 0.5))
    assert decode_fill(
        encode(FillReading("b", T0 + timedelta(hours=1), 0.2))
    ).observed_at == T0 + timedelta(hours=1)
