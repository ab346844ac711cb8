"""Train the served parking model from CSV files or the database (thin CLI).

    python -m parking.train --observations OBS.csv --sites SITES.csv --out model.npz
    python -m parking.train --from-db --window-days 42 --out model.npz [--every-hours 24]

The saved model records its training window and its scores on the window's last week.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.cli import HelpFormatter, env_epilog
from parking.dataset import Dataset, load_dataset
from parking.persistence import save_model
from parking.pipeline import train_for_serving

log = logging.getLogger("parking.train")


def _train_and_save(data: Dataset, tz: str, out: Path) -> None:
    model = train_for_serving(data.table, data.sites, tz)
    tmp = out.with_suffix(".tmp.npz")
    save_model(model, tmp)
    tmp.replace(out)  # atomic: a server reloading the file never sees half of it
    log.info("saved %s: %s", out, {k: v for k, v in model.meta.items() if k != "holdout_metrics"})
    for h, s in model.meta.get("holdout_metrics", {}).items():
        log.info(
            "holdout %s: model brier %.4f ece %.4f | hist %.4f | last %.4f",
            h,
            s["model"]["brier"],
            s["model"]["ece"],
            s["hist"]["brier"],
            s["last"]["brier"],
        )


async def _from_db(window_days: float, tz: str, out: Path) -> None:
    from core.settings import Settings
    from parking.store import load_window

    dsn = Settings().database_url.get_secret_value()
    if not dsn:
        raise SystemExit("DATABASE_URL / CITYOPS_DATABASE_URL is not set")
    until = datetime.now(UTC)
    data = await load_window(dsn, until - timedelta(days=window_days), until)
    _train_and_save(data, tz, out)


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="parking-train",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_CITY",
            "CITYOPS_LOG_FORMAT",
            note="DATABASE_URL is required with --from-db; CITYOPS_CITY gives the time zone"
            " unless --tz.",
        ),
    )
    ap.add_argument(
        "--observations", type=Path, help="observations CSV (site_id,observed_at,free,capacity)"
    )
    ap.add_argument("--sites", type=Path, help="sites CSV (site_id,name,kind,capacity,lon,lat)")
    ap.add_argument("--from-db", action="store_true", help="read the window from PostgreSQL")
    ap.add_argument(
        "--window-days", type=float, default=42.0, help="days of history to train on (--from-db)"
    )
    ap.add_argument(
        "--every-hours", type=float, default=0.0, help="retrain on this schedule (with --from-db)"
    )
    ap.add_argument(
        "--tz", default=None, help="local time zone of the profiles (default: CITYOPS_CITY's)"
    )
    ap.add_argument("--out", type=Path, required=True, help="model file to write (.npz)")
    args = ap.parse_args(argv)
    from core.logs import configure_logging
    from core.settings import Settings

    settings = Settings()
    if args.tz is None:  # the configured city's (CITYOPS_CITY)
        args.tz = settings.city_profile().timezone
    configure_logging(logging.INFO, settings.log_format, "%(message)s")
    if not args.from_db:
        if not (args.observations and args.sites):
            ap.error("give --observations and --sites, or --from-db")
        _train_and_save(load_dataset(args.observations, args.sites), args.tz, args.out)
        return
    while True:
        started = time.monotonic()
        try:
            asyncio.run(_from_db(args.window_days, args.tz, args.out))
        except ValueError as e:  # a newly onboarded city: too little history to fit yet
            if args.every_hours <= 0:
                raise SystemExit(f"parking-train: not trained: {e} (served model unchanged)") from e
            log.warning("not trained: %s; served model unchanged, next try on schedule", e)
        if args.every_hours <= 0:
            return
        time.sleep(max(0.0, args.every_hours * 3600 - (time.monotonic() - started)))


if __name__ == "__main__":
    main()
