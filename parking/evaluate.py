"""Train on earlier weeks, evaluate on later ones, write a report (thin CLI).

    python -m parking.evaluate --observations OBS.csv --sites SITES.csv --report DIR

Prints a score table and ends with one ``RESULT ...`` line (Brier of model, historical and
last-value baselines, and the model's ECE, per horizon).
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from core.cli import HelpFormatter, env_epilog
from parking.baselines import fit_historical
from parking.dataset import load_dataset
from parking.evaluation import evaluate
from parking.fit import FitConfig, fit_model
from parking.persistence import save_model
from parking.report import markdown_table, result_line, write_report
from parking.table import from_minutes, to_minutes

log = logging.getLogger("parking.evaluate")


def _minutes(text: str) -> int:
    t = datetime.fromisoformat(text)
    if t.tzinfo is None:
        raise SystemExit(f"time {text!r} needs a UTC offset")
    return to_minutes(t)


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="parking-evaluate",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog("CITYOPS_CITY", note="CITYOPS_CITY gives the time zone unless --tz."),
    )
    ap.add_argument(
        "--observations",
        type=Path,
        required=True,
        help="observations CSV (site_id,observed_at,free,capacity)",
    )
    ap.add_argument(
        "--sites", type=Path, required=True, help="sites CSV (site_id,name,kind,capacity,lon,lat)"
    )
    ap.add_argument("--report", type=Path, required=True, help="directory for the report")
    ap.add_argument(
        "--tz", default=None, help="local time zone of the profiles (default: CITYOPS_CITY's)"
    )
    ap.add_argument("--test-days", type=float, default=14.0, help="test on the last N days")
    ap.add_argument(
        "--split-at", help="ISO time where the test period starts (overrides --test-days)"
    )
    ap.add_argument("--test-end", help="ISO time where the test period ends (default: end of data)")
    ap.add_argument("--horizons", default="0,15,60,1440", help="minutes, comma-separated")
    ap.add_argument("--max-targets", type=int, default=300_000, help="sample of test targets")
    ap.add_argument("--save-model", type=Path, help="also save the trained model with its metrics")
    args = ap.parse_args(argv)
    if args.tz is None:  # the configured city's (CITYOPS_CITY)
        from core.settings import Settings

        args.tz = Settings().city_profile().timezone
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.perf_counter()
    data = load_dataset(args.observations, args.sites)
    table = data.table
    if len(table) == 0:
        raise SystemExit("no valid observations")
    end = _minutes(args.test_end) if args.test_end else int(table.t_min.max()) + 1
    split = _minutes(args.split_at) if args.split_at else end - int(args.test_days * 1440)
    train = table.between(int(table.t_min.min()), split)
    log.info(
        "loaded %d observations of %d sites (%d bad rows) in %.1fs; train until %s",
        len(table),
        len(data.sites.site_ids),
        len(data.observation_errors),
        time.perf_counter() - t0,
        from_minutes(split).isoformat(),
    )
    model = fit_model(train, data.sites, args.tz, FitConfig())
    hist = fit_historical(train, args.tz, model.slot_min)
    log.info("fitted in %.1fs: %s", time.perf_counter() - t0, model.meta)
    horizons = tuple(int(h) for h in args.horizons.split(","))
    results = evaluate(model, hist, table, split, end, horizons, args.max_targets)
    meta = {
        **model.meta,
        "test_start": from_minutes(split).isoformat(),
        "test_end": from_minutes(end).isoformat(),
        "bad_observation_rows": len(data.observation_errors),
        "bad_site_rows": len(data.site_errors),
    }
    write_report(results, args.report, meta)
    errors = [f"sites {e}" for e in data.site_errors] + [
        f"observations {e}" for e in data.observation_errors
    ]
    (args.report / "skipped_rows.txt").write_text("\n".join(errors) + ("\n" if errors else ""))
    if args.save_model:
        metrics = {str(r.horizon_min): r.scores["model"] for r in results}
        save_model(replace(model, meta={**model.meta, "test_metrics": metrics}), args.save_model)
    print(markdown_table(results))
    print(f"report: {args.report} ({time.perf_counter() - t0:.1f}s)")
    print(result_line(results))


if __name__ == "__main__":
    main()
