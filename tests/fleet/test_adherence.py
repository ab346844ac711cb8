"""Proof of service and route adherence on hand-made streets and GPS traces with known answers
(metres east/north of a point in Copenhagen; a fix every 5 s)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.geo import EARTH_RADIUS_M
from core.plan import Line, Stop, StopKind, VehicleRoute
from fleet.adherence import (
    AdherenceParams,
    Disagreement,
    DriverReport,
    GpsTrace,
    Outcome,
    ReportStatus,
    plan_adherence,
    truck_adherence,
)

LON0, LAT0 = 12.56, 55.69
KY = EARTH_RADIUS_M * math.pi / 180.0
KX = KY * math.cos(math.radians(LAT0))
T0 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
STREET = [("b1", 200.0, 10.0), ("b2", 400.0, 10.0), ("b3", 600.0, 10.0), ("b4", 800.0, 10.0)]


def at(east: float, north: float) -> tuple[float, float]:
    """(lon, lat) of a point ``east``/``north`` metres from the origin."""
    return LON0 + east / KX, LAT0 + north / KY


def route(
    bins: list[tuple[str, float, float]] = STREET,
    vehicle_id: str = "truck-1",
    end: tuple[float, float] = (1000.0, 0.0),
    geometry: Line | None = None,
) -> VehicleRoute:
    """Depot at the origin, the bins in order, a disposal site at ``end``; ETAs 2 min apart."""

    def stop(seq: int, kind: StopKind, bin_id: str | None, e: float, n: float) -> Stop:
        eta = T0 + timedelta(minutes=2 * seq)
        return Stop(seq, kind, bin_id, None, "Vej", *at(e, n), eta, eta, 0.0, 0.0)

    stops = [stop(0, StopKind.DEPOT, None, 0.0, 0.0)]
    stops += [stop(i + 1, StopKind.BIN, b, e, n) for i, (b, e, n) in enumerate(bins)]
    stops.append(stop(len(bins) + 1, StopKind.DISPOSAL, None, *end))
    return VehicleRoute(vehicle_id, "depot-1", tuple(stops), 0.0, 0.0, 0.0, 0.0, None, geometry)


class Drive:
    """A GPS trace built leg by leg: drive to a point at a speed, or stand still."""

    def __init__(self, east: float = 0.0, north: float = 0.0, t0: datetime = T0) -> None:
        self.t = [t0.timestamp()]
        self.e, self.n, self.v = [east], [north], [0.0]

    def to(self, east: float, north: float, kmh: float = 36.0) -> Drive:
        e0, n0 = self.e[-1], self.n[-1]
        steps = max(1, math.ceil(math.hypot(east - e0, north - n0) / (kmh / 3.6 * 5.0)))
        for k in range(1, steps + 1):
            self.t.append(self.t[-1] + 5.0)
            self.e.append(e0 + (east - e0) * k / steps)
            self.n.append(n0 + (north - n0) * k / steps)
            self.v.append(kmh)
        return self

    def stand(self, seconds: float) -> Drive:
        for _ in range(int(seconds // 5)):
            self.t.append(self.t[-1] + 5.0)
            self.e.append(self.e[-1])
            self.n.append(self.n[-1])
            self.v.append(0.0)
        return self

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t[-1], tz=UTC)

    def trace(self, vehicle_id: str = "truck-1") -> GpsTrace:
        e, n = np.array(self.e), np.array(self.n)
        return GpsTrace(
            vehicle_id, np.array(self.t), LON0 + e / KX, LAT0 + n / KY, np.array(self.v)
        )


def serve_street(order: list[float], dwell_s: float = 30.0) -> Drive:
    """Drive along the street stopping ``dwell_s`` at each east position, then to its end."""
    d = Drive()
    for east in order:
        d.to(east, 0.0).stand(dwell_s)
    return d.to(1000.0, 0.0)


def visit(result, bin_id: str):
    return next(v for v in result.visits if v.bin_id == bin_id)


# --- service ----------------------------------------------------------------------------------


def test_a_dwell_at_a_bin_serves_it():
    """Standing 30 s 10 m from a planned bin serves it, at the dwell's start, in sequence."""
    d = Drive().to(200.0, 0.0)
    arrived = d.now()
    d.stand(30.0).to(1000.0, 0.0)
    r = truck_adherence(route(STREET[:1]), d.trace())
    v = visit(r, "b1")
    assert v.outcome is Outcome.SERVED and v.in_sequence is True
    assert v.served_at == arrived + timedelta(seconds=5)
    assert v.dwell_s == pytest.approx(25.0)
    assert v.distance_m == pytest.approx(10.0, abs=0.5)
    assert v.planned_seq == 1 and v.planned_eta == T0 + timedelta(minutes=2)
    assert (r.totals.planned, r.totals.served, r.totals.missed) == (1, 1, 0)


def test_a_drive_by_without_dwell_serves_nothing():
    """Driving past every bin at 36 km/h (with a fix right beside each) serves none of them."""
    r = truck_adherence(route(), Drive().to(1000.0, 0.0).trace())
    assert r.totals.served == 0 and r.missed_bins == ("b1", "b2", "b3", "b4")
    assert r.totals.driven_km == pytest.approx(1.0, abs=0.01)


def test_a_halt_shorter_than_the_minimum_dwell_is_no_service():
    """A 10 s halt by a bin is not a service; the same halt counts with min_dwell_s = 5."""
    trace = Drive().to(200.0, 0.0).stand(10.0).to(1000.0, 0.0).trace()
    assert truck_adherence(route(STREET[:1]), trace).totals.served == 0
    lenient = AdherenceParams(min_dwell_s=5.0)
    assert truck_adherence(route(STREET[:1]), trace, lenient).totals.served == 1


def test_a_dwell_beyond_the_match_radius_serves_nothing():
    """Standing 60 m from the bin is no service with the default 30 m radius."""
    trace = Drive().to(200.0, -50.0).stand(60.0).to(1000.0, 0.0).trace()
    assert truck_adherence(route(STREET[:1]), trace).totals.served == 0


def test_a_skipped_bin_is_missed():
    """Stopping at b1, b2 and b4 only leaves b3 missed, the others served in sequence."""
    r = truck_adherence(route(), serve_street([200.0, 400.0, 800.0]).trace())
    assert r.missed_bins == ("b3",)
    assert (r.totals.served, r.totals.missed, r.totals.out_of_sequence) == (3, 1, 0)


def test_a_service_after_the_shift_end_is_missed():
    """Fixes after the shift end are ignored: the last bin, served too late, is missed."""
    d = serve_street([200.0, 400.0, 600.0])
    shift_end = d.now()
    d.to(800.0, 0.0).stand(30.0).to(1000.0, 0.0)
    r = truck_adherence(route(), d.trace(), AdherenceParams(shift_end=shift_end))
    assert r.missed_bins == ("b4",)
    assert truck_adherence(route(), d.trace()).totals.missed == 0


def test_one_dwell_serves_bins_standing_together():
    """Two planned bins at the same kerb are both served by one stop, in sequence."""
    bins = [("b1", 200.0, 10.0), ("b2", 205.0, -8.0)]
    r = truck_adherence(route(bins), serve_street([200.0]).trace())
    assert r.totals.served == 2 and r.totals.out_of_sequence == 0
    assert visit(r, "b1").served_at == visit(r, "b2").served_at


# --- sequence ---------------------------------------------------------------------------------


def test_a_swapped_pair_is_one_bin_out_of_sequence():
    """Serving b1, b3, b2, b4 puts one bin out of sequence: b3, served before its turn."""
    r = truck_adherence(route(), serve_street([200.0, 600.0, 400.0, 800.0]).trace())
    assert r.totals.served == 4 and r.totals.out_of_sequence == 1
    assert r.out_of_sequence_bins == ("b3",)


def test_a_reversed_route_keeps_one_bin_in_sequence():
    """Serving the street backwards leaves only one bin in sequence (served - 1 flagged)."""
    r = truck_adherence(route(), serve_street([800.0, 600.0, 400.0, 200.0]).trace())
    assert r.totals.out_of_sequence == 3


def test_a_neighbour_planned_later_is_served_on_its_own_stop():
    """A bin 20 m from an early stop but planned last counts when the truck empties it, later."""
    bins = [("b1", 200.0, 10.0), ("b2", 400.0, 10.0), ("b3", 600.0, 10.0), ("b4", 220.0, 10.0)]
    d = serve_street([200.0, 400.0, 600.0]).to(220.0, 0.0).stand(30.0)
    r = truck_adherence(route(bins), d.trace())
    assert r.totals.served == 4 and r.totals.out_of_sequence == 0
    assert visit(r, "b4").served_at > visit(r, "b3").served_at


# --- off-route --------------------------------------------------------------------------------


def _detour() -> Drive:
    """Along the street to 400 m, then 500 m north, 300 m east, 500 m back, on to the end."""
    return Drive().to(400.0, 0.0).to(400.0, 500.0).to(700.0, 500.0).to(700.0, 0.0).to(1000.0, 0.0)


def test_a_detour_counts_its_length_outside_the_corridor():
    """A 1,300 m detour counts its part beyond the corridor, within one fix spacing (50 m)."""
    r = truck_adherence(route(), _detour().trace())
    assert r.totals.driven_km == pytest.approx(2.0, abs=0.01)
    beyond_m = 2 * (500.0 - (10.0 + 50.0)) + 300.0  # the planned path runs 10 m north (bins)
    assert r.totals.off_route_km == pytest.approx(beyond_m / 1000.0, abs=0.05)
    assert len(r.off_route_lines) == 1


def test_following_the_route_is_not_off_route():
    """Driving the planned street, standing at bins, counts no off-route distance."""
    r = truck_adherence(route(), serve_street([200.0, 400.0, 600.0, 800.0]).trace())
    assert r.totals.off_route_km == 0.0 and r.off_route_lines == ()


def test_the_road_geometry_is_the_planned_path_when_present():
    """With the detour as the plan's road polyline, driving it is not off-route."""
    path = [(0.0, 0.0), (400.0, 0.0), (400.0, 500.0), (700.0, 500.0), (700.0, 0.0), (1000, 0)]
    geometry = tuple(at(e, n) for e, n in path)
    r = truck_adherence(route(geometry=geometry), _detour().trace())
    assert r.totals.off_route_km == pytest.approx(0.0, abs=0.01)


def test_a_multipath_spike_adds_no_off_route_distance():
    """A single fix 500 m off the street is an outlier, not two 500 m off-route legs."""
    trace = Drive().to(1000.0, 0.0).trace()
    lat = trace.lat.copy()
    lat[10] += 500.0 / KY
    spiky = GpsTrace("truck-1", trace.t_s, trace.lon, lat, trace.speed_kmh)
    r = truck_adherence(route(), spiky)
    assert r.totals.off_route_km == 0.0 and r.fixes == len(trace) - 1


# --- served but not planned -------------------------------------------------------------------


def test_a_stop_at_an_inventory_bin_off_the_plan_is_unplanned():
    """A dwell at a known bin not on the route is served-but-not-planned; a stop at a planned
    bin does not also claim its unplanned neighbour."""
    inventory = {"b9": at(500.0, 10.0), "b8": at(210.0, 12.0), "far": at(5000.0, 0.0)}
    r = truck_adherence(
        route(STREET[:1]), serve_street([200.0, 500.0]).trace(), inventory=inventory
    )
    assert [(v.bin_id, v.outcome) for v in r.visits] == [
        ("b1", Outcome.SERVED),
        ("b9", Outcome.UNPLANNED),
    ]
    u = visit(r, "b9")
    assert u.planned_seq is None and u.in_sequence is None and u.planned_for is None
    assert r.totals.unplanned == 1 and r.totals.planned == 1


def test_a_bin_of_another_route_served_counts_for_the_truck_that_served_it():
    """Truck 2 empties truck 1's b3: unplanned for truck 2 (planned for truck 1), missed by
    truck 1, and not among the plan's bins nobody visited."""
    r1 = route(STREET[:3], vehicle_id="truck-1")
    r2 = route(STREET[3:], vehicle_id="truck-2")
    traces = {
        "truck-1": serve_street([200.0, 400.0]).trace("truck-1"),
        "truck-2": serve_street([600.0, 800.0]).trace("truck-2"),
    }
    pa = plan_adherence([r1, r2], traces)
    t1, t2 = pa.trucks
    assert t1.missed_bins == ("b3",)
    assert visit(t2, "b3").outcome is Outcome.UNPLANNED
    assert visit(t2, "b3").planned_for == "truck-1"
    assert pa.not_visited == ()
    assert (pa.totals.planned, pa.totals.served, pa.totals.missed) == (4, 3, 1)
    assert pa.totals.unplanned == 1


# --- drivers' reports -------------------------------------------------------------------------


def test_reports_that_disagree_with_the_gps_are_flagged():
    """Emptied+served agrees; served+skipped, emptied+not served, served+unreported disagree;
    skipped+not served agrees."""
    bins = [*STREET, ("b5", 900.0, 10.0)]
    reports = [
        DriverReport("b1", ReportStatus.EMPTIED, T0),
        DriverReport("b2", ReportStatus.SKIPPED, T0),
        DriverReport("b3", ReportStatus.EMPTIED, T0),
        DriverReport("b5", "skipped"),  # type: ignore[arg-type]
        DriverReport("b4", ReportStatus.SKIPPED, vehicle_id="truck-2"),  # another truck's report
    ]
    trace = serve_street([200.0, 400.0, 800.0]).trace()
    r = truck_adherence(route(bins, end=(1000.0, 0.0)), trace, reports=reports)
    assert {v.bin_id: v.disagreement for v in r.visits} == {
        "b1": None,
        "b2": Disagreement.SERVED_BUT_SKIPPED,
        "b3": Disagreement.EMPTIED_NOT_SERVED,
        "b4": Disagreement.SERVED_NOT_REPORTED,
        "b5": None,
    }
    assert visit(r, "b5").reported is ReportStatus.SKIPPED and r.totals.disagreements == 3


def test_without_reports_nothing_is_flagged():
    """No reports given (None) means no report check, not "nothing reported"."""
    r = truck_adherence(route(), serve_street([200.0]).trace())
    assert r.totals.disagreements == 0 and all(v.reported is None for v in r.visits)


# --- plan, output, parameters -----------------------------------------------------------------


def test_plan_totals_not_visited_and_json():
    """A truck without fixes misses all its bins; totals sum the trucks; not_visited is sorted
    by planned ETA; the result serialises to JSON."""
    r1 = route(STREET[:2], vehicle_id="truck-1")
    r2 = route(STREET[2:], vehicle_id="truck-2")
    traces = {"truck-1": serve_street([200.0, 400.0]).trace("truck-1")}
    pa = plan_adherence([r1, r2], traces, AdherenceParams(shift_end=T0 + timedelta(hours=8)))
    assert pa.trucks[1].fixes == 0 and pa.trucks[1].totals.missed == 2
    assert [v.bin_id for v in pa.not_visited] == ["b3", "b4"]
    assert pa.totals.driven_km == pytest.approx(sum(t.totals.driven_km for t in pa.trucks))
    doc = json.loads(json.dumps(pa.to_json()))
    assert doc["totals"]["served"] == 2 and doc["not_visited"] == ["b3", "b4"]
    assert doc["params"]["shift_end"] == "2025-03-03T14:00:00+00:00"
    row = doc["trucks"][0]["visits"][0]
    assert row["outcome"] == "served" and row["served_at"].endswith("+00:00")
    assert len(list(pa.visits())) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"match_radius_m": 0.0}, "match_radius_m must be a positive"),
        ({"min_dwell_s": -1.0}, "min_dwell_s must be a positive"),
        ({"corridor_m": math.nan}, "corridor_m must be a positive"),
        ({"stop_speed_kmh": 0.0}, "stop_speed_kmh must be a positive"),
        ({"max_gap_s": math.inf}, "max_gap_s must be a positive"),
        ({"max_speed_kmh": 2.0}, "max_speed_kmh must exceed"),
        ({"shift_end": datetime(2025, 3, 3, 14)}, "timezone-aware"),
    ],
)
def test_nonsense_parameters_are_refused(kwargs, message):
    """Each invalid parameter is refused at construction with a message naming it."""
    with pytest.raises(ValueError, match=message):
        AdherenceParams(**kwargs)


def test_bad_reports_and_traces_are_refused():
    """A report status other than emptied/skipped, and ragged or non-finite traces, are refused."""
    with pytest.raises(ValueError, match="emptied or skipped"):
        DriverReport("b1", "done")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same length"):
        GpsTrace("t", np.zeros(3), np.zeros(3), np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        GpsTrace("t", np.zeros(1), np.array([math.nan]), np.zeros(1), np.zeros(1))


# --- invariants -------------------------------------------------------------------------------

_points = st.tuples(st.floats(-300.0, 1300.0), st.floats(-300.0, 300.0))
_legs = st.lists(
    st.one_of(
        st.tuples(st.just("to"), _points, st.floats(5.0, 60.0)),
        st.tuples(st.just("stand"), st.just((0.0, 0.0)), st.floats(0.0, 120.0)),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    bins=st.lists(_points, min_size=0, max_size=6),
    legs=_legs,
    cut=st.one_of(st.none(), st.floats(0.0, 3600.0)),
)
def test_every_planned_bin_is_served_or_missed_once(bins, legs, cut):
    """For any trace: each planned bin appears once, served + missed = planned, no own bin is
    unplanned, out of sequence <= served, and 0 <= off-route km <= driven km."""
    planned = [(f"b{i}", e, n) for i, (e, n) in enumerate(bins)]
    d = Drive()
    for kind, (e, n), x in legs:
        if kind == "to":
            d.to(e, n, kmh=x)
        else:
            d.stand(x)
    shift_end = None if cut is None else T0 + timedelta(seconds=cut)
    inventory = {"x1": at(500.0, 0.0), "b0": at(0.0, 0.0)}
    r = truck_adherence(
        route(planned), d.trace(), AdherenceParams(shift_end=shift_end), [], inventory
    )
    own = [v for v in r.visits if v.outcome is not Outcome.UNPLANNED]
    assert [v.bin_id for v in own] == [b for b, _, _ in planned]
    t = r.totals
    assert t.served + t.missed == t.planned == len(planned)
    unplanned = {v.bin_id for v in r.visits if v.outcome is Outcome.UNPLANNED}
    assert not unplanned & {b for b, _, _ in planned}
    assert 0 <= t.out_of_sequence <= max(t.served - 1, 0)
    assert 0.0 <= t.off_route_km <= t.driven_km + 1e-9
