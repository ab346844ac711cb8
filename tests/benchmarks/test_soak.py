"""Integration: half a minute of the soak benchmark at the city's rate, consumers killed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
RESULT = re.compile(
    r"^RESULT fixes_per_s=(?P<fixes>\d+) lag_p99_s=(?P<lag>\d+\.\d+)"
    r" rss_growth_mb_per_h=(?P<rss>-?\d+\.\d) lost=(?P<lost>-?\d+)"
    r" duplicated=(?P<dup>-?\d+)( [a-z0-9_]+=\S+)*$"
)


@pytest.mark.timeout(240)
def test_half_a_minute_at_x1_with_kills_loses_and_duplicates_nothing(endpoints, database):
    """A 30 s soak at x1 with a consumer SIGKILLed every 12 s: every message stored once or
    dead-lettered, and the output ends with a well-formed RESULT line."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap_servers,
        "DATABASE_URL": database,
    }
    cmd = [sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--minutes", "0.5"]
    cmd += ["--rate-x", "1", "--kill-every", "12", "--print-every", "10", "--drain-timeout", "120"]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=230, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    last = run.stdout.strip().splitlines()[-1]
    print(last)  # shown with -s: the figures of this run
    m = RESULT.match(last)
    assert m, last
    assert (m["lost"], m["dup"]) == ("0", "0"), run.stdout[-3000:]
    assert "kills=2" in last and "drained=yes" in last, run.stdout[-3000:]
    letters = re.search(r" dead_lettered=(\d+)", last)
    assert letters and int(letters[1]) >= 3  # a poison message per topic every 10 s
    assert int(m["fixes"]) > 0
