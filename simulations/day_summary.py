"""The end of a simulated day on the console: drivers' reports, proof of service per truck, and
whether the live positions show where the trucks ended their shift (adapter: PostgreSQL reads,
logged with an actor and a purpose). Trucks appear only as keyed pseudonyms."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
from rich.table import Table

from core.db.vehicle_state import latest_positions
from core.geo import haversine_m
from core.records import GpsFix
from core.tracking import VehicleFix
from fleet.adherence_service import compute_adherence
from fleet.adherence_types import AdherenceTotals, PlanAdherence
from fleet.privacy import pseudonym
from simulations.day_reports import Posted
from simulations.day_scenario import console
from simulations.driver_reports import ReportTally

ACTOR = "city-day"


def print_reports(tally: ReportTally, posted: Posted) -> None:
    refused = ", ".join(f"HTTP {c}: {n}" for c, n in sorted(posted.refused.items()))
    console.print(
        f"drivers' reports through the API: {posted.accepted} accepted"
        f"{f' ({refused} refused)' if refused else ''} — {tally.emptied} emptied,"
        f" {tally.skipped} skipped, {tally.wrong} wrong; {tally.missing} emptied bins not"
        f" reported, {tally.left} bins left at shift end"
    )


def adherence(dsn: str, plan_id: int, now: datetime) -> PlanAdherence:
    """Compute and store the plan's proof of service (``compute_adherence``) as of ``now``."""

    async def run() -> PlanAdherence:
        conn = await asyncpg.connect(dsn)
        try:
            return await compute_adherence(conn, plan_id, actor=ACTOR, now=now)
        finally:
            await conn.close()

    return asyncio.run(run())


def print_adherence(result: PlanAdherence, key: str) -> None:
    """Served / missed / out of sequence / unplanned / off-route km / disagreements per truck."""
    t = Table(
        title=f"Proof of service, plan {result.plan_id} ({result.plan_date}), from GPS and"
        " drivers' reports (trucks pseudonymised)"
    )
    cols = ("truck", "planned", "served", "missed", "out of seq.", "unplanned")
    for col in (*cols, "km", "off-route km", "disagreements"):
        t.add_column(col, justify="left" if col == "truck" else "right")

    def row(name: str, a: AdherenceTotals) -> None:
        t.add_row(
            name,
            str(a.planned),
            str(a.served),
            str(a.missed),
            str(a.out_of_sequence),
            str(a.unplanned),
            f"{a.driven_km:.1f}",
            f"{a.off_route_km:.1f}",
            str(a.disagreements),
        )

    for truck in sorted(result.trucks, key=lambda x: pseudonym(key, x.vehicle_id)):
        row(pseudonym(key, truck.vehicle_id), truck.totals)
    row("all", result.totals)
    console.print(t)
    console.print(f"bins planned and served by no truck: {len(result.not_visited)}")


def check_live_positions(
    dsn: str, last: dict[str, GpsFix], depot_of: dict[str, tuple[float, float]], tz: str
) -> int:
    """How many routed trucks the live map (``vehicle_state``) shows at their last fix of the
    shift; prints that and how far those fixes are from the trucks' depots."""

    async def read() -> dict[str, VehicleFix]:
        conn = await asyncpg.connect(dsn)
        try:
            return await latest_positions(
                conn, ACTOR, "end-of-day check of the live map", vehicle_ids=list(last)
            )
        finally:
            await conn.close()

    live = asyncio.run(read())
    shown = [v for v, f in last.items() if v in live and live[v].observed_at == f.observed_at]
    home_m = [float(haversine_m(*depot_of[v], live[v].lon, live[v].lat)) for v in shown]
    ends = sorted(f.observed_at.astimezone(ZoneInfo(tz)) for f in last.values())
    span = f"{ends[0]:%H:%M}-{ends[-1]:%H:%M}" if ends else "-"
    console.print(
        f"live map: {len(shown)} of {len(last)} routed trucks at their last fix of the shift"
        f" ({span} local), {max(home_m, default=0.0):.0f} m or less from their depots"
    )
    return len(shown)
