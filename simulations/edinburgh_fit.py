"""File adapter and fit: fill-rate calibration from the Edinburgh Enevo collection records.

For each bin, consecutive collections give a fill rate: the level measured just before the later
collection over the days since the earlier one (the bin is emptied to ~0 at each collection).
``fill_before_pct`` 100 is the sensor's "full" mark, 80 % of the physical bin, so the physical
fraction is ``fill_before_pct x 0.8 / 100``. Full readings are censored (the bin may have been
full for a while), so the fit slightly underestimates fast bins. Per-bin mean daily rates are fitted
with a lognormal (mean and sd of the logs); the weekday profile is the mean rate of intervals by
the weekday of their midpoint, normalised to mean 1.

Run ``python -m simulations.edinburgh_fit [csv]`` to print the fitted numbers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from simulations.fill_model import HOURLY_LITTER_PROFILE, FillRateCalibration

FULL_MARK_FRACTION = 0.8  # fill_before_pct 100 = 80 % of the physical bin
MIN_INTERVAL_DAYS = 0.1
MAX_INTERVAL_DAYS = 14.0  # longer gaps are sensor/data outages, not fill intervals


def read_collections(path: Path | str) -> pd.DataFrame:
    """The collection events with parsed timestamps, sorted by bin and time."""
    df = pd.read_csv(path, usecols=["site_id", "collected_at_local", "fill_before_pct"])
    df["collected_at_local"] = pd.to_datetime(df["collected_at_local"])
    return df.sort_values(["site_id", "collected_at_local"], kind="stable").reset_index(drop=True)


def interval_rates(df: pd.DataFrame) -> pd.DataFrame:
    """One row per consecutive-collection interval: site_id, days, rate (fraction/day), midpoint."""
    prev = df.groupby("site_id")["collected_at_local"].shift()
    days = (df["collected_at_local"] - prev).dt.total_seconds() / 86_400.0
    out = pd.DataFrame(
        {
            "site_id": df["site_id"],
            "days": days,
            "rate": df["fill_before_pct"] * FULL_MARK_FRACTION / 100.0 / days,
            "midpoint": prev + (df["collected_at_local"] - prev) / 2,
        }
    )
    ok = out["days"].between(MIN_INTERVAL_DAYS, MAX_INTERVAL_DAYS)
    return out[ok].reset_index(drop=True)


def fit(df: pd.DataFrame) -> FillRateCalibration:
    """Lognormal per-bin mean daily rate and weekday profile from collection events."""
    rates = interval_rates(df)
    per_bin = rates.groupby("site_id")["rate"].mean()
    per_bin = per_bin[per_bin > 0]
    if per_bin.size < 10:
        raise ValueError(f"too few bins with usable intervals to fit ({per_bin.size}).")
    logs = np.log(per_bin.to_numpy())
    weekday = rates.groupby(rates["midpoint"].dt.day_of_week)["rate"].mean().reindex(range(7))
    weekday = weekday.fillna(weekday.mean())
    weekday = weekday / weekday.mean()
    return FillRateCalibration(
        log_mu=float(logs.mean()),
        log_sigma=float(logs.std(ddof=1)),
        weekday_factor=tuple(float(x) for x in weekday),
        hourly_profile=HOURLY_LITTER_PROFILE,
        n_bins_fitted=int(per_bin.size),
    )


def fit_file(path: Path | str) -> FillRateCalibration:
    """Read the CSV and fit."""
    return fit(read_collections(path))


def main(argv: list[str] | None = None) -> None:
    """Print the fitted calibration (the numbers baked into ``fill_model``)."""
    from core.cli import HelpFormatter, env_epilog
    from core.settings import Settings

    parser = argparse.ArgumentParser(
        prog="edinburgh-fit",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog("CITYOPS_DATA_DIR", note="The CSV is bins/ under CITYOPS_DATA_DIR."),
    )
    parser.add_argument(
        "csv",
        nargs="?",
        type=Path,
        default=Settings().edinburgh_bins,
        help="Edinburgh Enevo collections CSV",
    )
    cal = fit_file(parser.parse_args(argv).csv)
    rates = np.exp(cal.log_mu + np.array([0.0, cal.log_sigma**2 / 2]))
    print(f"bins fitted      {cal.n_bins_fitted}")
    print(f"log_mu           {cal.log_mu:.4f}")
    print(f"log_sigma        {cal.log_sigma:.4f}")
    print(f"median, mean     {rates[0]:.3f}, {rates[1]:.3f} per day")
    print("weekday (Mon..)  " + ", ".join(f"{w:.4f}" for w in cal.weekday_factor))


if __name__ == "__main__":
    main()
