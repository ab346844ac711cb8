"""GPS fixes of the municipal fleet driving the road graph during their shifts (pure, seeded).

Plan, then sample. Each vehicle's trajectory is planned as time-stamped node "knots": from its
depot (or, mid-shift, a random street node) it drives fastest paths to a stream of targets (waste
trucks: bin nodes, stopping ~1 min each; street cleaners: street nodes, slowly, with short stops;
others: street nodes with occasional longer stops) and heads back to its depot at shift end.
Next hops come from one reverse :func:`scipy.sparse.csgraph.dijkstra` over a pool of target nodes,
and all vehicles advance together (vectorised). Fixes every ``fix_interval_s`` are interpolated
between knots, with ~5 m Gaussian GPS noise and occasional multipath outliers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from core.domain import VehicleKind
from core.geo import EARTH_RADIUS_M
from core.records import GpsFix
from routing.network.graph import RoadNetwork
from simulations.city import City

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GpsSimConfig:
    """Tracker and driving behaviour; validated at construction."""

    fix_interval_s: float = 5.0
    gps_sigma_m: float = 5.0
    outlier_prob: float = 0.005  # multipath outliers
    outlier_m: tuple[float, float] = (30.0, 120.0)
    random_targets: int = 400  # street nodes in the target pool besides bins and depots
    speed_sd: float = 0.2  # lognormal sd of per-edge travel-time variation
    truck_speed: float = 0.85  # multipliers of the network's car speed
    cleaner_speed: float = 0.45
    respect_shifts: bool = True

    def __post_init__(self) -> None:
        if self.fix_interval_s <= 0 or self.gps_sigma_m < 0 or self.random_targets < 1:
            raise ValueError("fix_interval_s and random_targets must be positive, sigma >= 0.")
        if not 0 <= self.outlier_prob < 1:
            raise ValueError("outlier_prob must be in [0, 1).")


@dataclass(frozen=True)
class _Plan:
    """Knots sorted by (vehicle, time): node and time (s from start) per knot, and shift window."""

    vehicle: IntArray
    t: FloatArray
    node: IntArray
    on_from: FloatArray  # per vehicle: tracker on from (s), off after ``on_to``
    on_to: FloatArray


def _local_hours(start: datetime, tz: str) -> float:
    loc = start.astimezone(ZoneInfo(tz))
    return loc.hour + loc.minute / 60 + loc.second / 3600


def _plan(
    net: RoadNetwork,
    city: City,
    start: datetime,
    horizon_s: float,
    rng: np.random.Generator,
    cfg: GpsSimConfig,
    tz: str,
) -> _Plan:
    n_v = len(city.vehicles)
    depot_node = {d.site_id: net.snap(d.lon, d.lat)[0] for d in city.depots}
    bin_nodes, _ = net.snap_many([b.lon for b in city.bins], [b.lat for b in city.bins])
    n_random = min(cfg.random_targets, net.n_nodes)  # a small town has fewer street nodes
    street_nodes = rng.choice(net.n_nodes, size=n_random, replace=False)
    pool = np.unique(np.concatenate([bin_nodes, list(depot_node.values()), street_nodes]))
    slot = {int(n): k for k, n in enumerate(pool)}
    # next hop toward pool[j] from every node: predecessors on the reversed graph
    _, nxt = dijkstra(net.time_csr.T.tocsr(), indices=pool, return_predecessors=True)
    bin_slots = np.array([slot[int(n)] for n in bin_nodes])
    street_slots = np.array([slot[int(n)] for n in street_nodes])
    keys = net.edge_src * net.n_nodes + net.edge_dst
    order = np.argsort(keys)
    e_keys, e_time = keys[order], net.edge_time_s[order]

    kind = np.array([v.kind for v in city.vehicles])
    is_truck = kind == VehicleKind.WASTE_TRUCK
    is_clean = kind == VehicleKind.STREET_CLEANER
    home = np.array([slot[int(depot_node[v.depot_id])] for v in city.vehicles])
    h0 = _local_hours(start, tz)
    s_start = np.array([v.shift_start_h for v in city.vehicles])
    s_end = np.array([v.shift_end_h for v in city.vehicles])
    if cfg.respect_shifts:
        on_from = np.maximum((s_start - h0) * 3600.0, 0.0)
        return_at = (s_end - h0) * 3600.0
    else:
        on_from = np.zeros(n_v)
        return_at = np.full(n_v, np.inf)
    active = return_at > 0
    mid_shift = (s_start < h0) & active
    cur = np.where(mid_shift, pool[rng.choice(street_slots, size=n_v)], pool[home])
    clock = on_from.copy()
    speed_mult = np.where(is_truck, cfg.truck_speed, np.where(is_clean, cfg.cleaner_speed, 1.0))

    def pick_targets(idx: IntArray) -> IntArray:
        tr = is_truck[idx]
        out = rng.choice(street_slots, size=idx.size)
        out[tr] = rng.choice(bin_slots, size=int(tr.sum()))
        return out

    tgt = pick_targets(np.arange(n_v))
    heading_home = np.zeros(n_v, dtype=bool)
    done = ~active | (on_from >= horizon_s)
    kv: list[IntArray] = [np.arange(n_v)]
    kt: list[FloatArray] = [clock.copy()]
    kn: list[IntArray] = [cur.copy()]
    while not done.all():
        idx = np.flatnonzero(~done)
        go_home = idx[(clock[idx] >= return_at[idx]) & ~heading_home[idx]]
        heading_home[go_home] = True
        tgt[go_home] = home[go_home]
        arrived = idx[cur[idx] == pool[tgt[idx]]]
        if arrived.size:
            finished = arrived[heading_home[arrived]]
            done[finished] = True  # tracker off on arrival home
            roam = arrived[~heading_home[arrived]]
            dwell = np.where(
                is_truck[roam],
                rng.normal(60.0, 10.0, roam.size).clip(30, 120),
                np.where(
                    is_clean[roam],
                    np.where(rng.random(roam.size) < 0.5, rng.uniform(20, 120, roam.size), 0.0),
                    np.where(rng.random(roam.size) < 0.3, rng.uniform(60, 600, roam.size), 0.0),
                ),
            )
            clock[roam] += dwell
            kv.append(roam)
            kt.append(clock[roam].copy())
            kn.append(cur[roam].copy())
            tgt[roam] = pick_targets(roam)
        move = idx[~done[idx] & (cur[idx] != pool[tgt[idx]])]
        nxt_node = nxt[tgt[move], cur[move]].astype(np.int64)
        e_t = e_time[np.searchsorted(e_keys, cur[move] * net.n_nodes + nxt_node)]
        clock[move] += e_t / speed_mult[move] * rng.lognormal(0.0, cfg.speed_sd, move.size)
        cur[move] = nxt_node
        kv.append(move)
        kt.append(clock[move].copy())
        kn.append(nxt_node)
        done |= clock >= horizon_s + 60.0
    v, t, node = np.concatenate(kv), np.concatenate(kt), np.concatenate(kn)
    order = np.lexsort((t, v))
    on_to = np.full(n_v, np.inf)
    home_done = heading_home & (clock < horizon_s + 60.0)
    last = np.zeros(n_v)
    np.maximum.at(last, v, t)
    on_to[home_done] = last[home_done]
    on_to[~active] = -1.0
    return _Plan(v[order], t[order], node[order], on_from, on_to)


def gps_batches(
    net: RoadNetwork,
    city: City,
    start: datetime,
    duration: timedelta,
    seed: int,
    config: GpsSimConfig | None = None,
    *,
    tz: str,
) -> Iterator[list[GpsFix]]:
    """One list of :class:`GpsFix` per time step (every ``fix_interval_s``), in time order;
    shift hours are local time in ``tz``."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware.")
    cfg = config or GpsSimConfig()
    rng = np.random.default_rng(seed)
    horizon = duration.total_seconds()
    plan = _plan(net, city, start, horizon, rng, cfg, tz)
    ids = [v.vehicle_id for v in city.vehicles]
    n_v = len(ids)
    x, y = net.xy[:, 0], net.xy[:, 1]
    key = plan.vehicle * 1e7 + plan.t  # sorted; horizon is far below 1e7 s
    first = np.searchsorted(plan.vehicle, np.arange(n_v))
    last = np.searchsorted(plan.vehicle, np.arange(n_v), side="right") - 1
    m_per_deg_lat = np.pi / 180 * EARTH_RADIUS_M
    m_per_deg_lon = m_per_deg_lat * np.cos(np.radians(float(net.lat.mean())))
    vids = np.arange(n_v)
    for step in range(int(horizon // cfg.fix_interval_s) + 1):
        ts = step * cfg.fix_interval_s
        on = (ts >= plan.on_from) & (ts <= plan.on_to) & (last >= first)
        vs = vids[on]
        if vs.size == 0:
            yield []
            continue
        hi = np.searchsorted(key, vs * 1e7 + ts, side="right")
        hi = np.clip(hi, first[vs] + 1, last[vs])
        lo = hi - 1
        n0, n1 = plan.node[lo], plan.node[hi]
        t0, t1 = plan.t[lo], plan.t[hi]
        span = t1 - t0
        f = np.clip(np.where(span > 0, (ts - t0) / np.where(span > 0, span, 1.0), 1.0), 0.0, 1.0)
        dx, dy = x[n1] - x[n0], y[n1] - y[n0]
        seg = np.hypot(dx, dy)
        moving = (n0 != n1) & (span > 0) & (ts < t1)
        speed = np.where(moving, seg / np.where(span > 0, span, 1.0) * 3.6, 0.0)
        speed = np.clip(speed + moving * rng.normal(0, 1.0, vs.size), 0.0, 200.0)
        heading = np.degrees(np.arctan2(dx, dy)) % 360.0
        px = x[n0] + f * dx + rng.normal(0, cfg.gps_sigma_m, vs.size)
        py = y[n0] + f * dy + rng.normal(0, cfg.gps_sigma_m, vs.size)
        out = rng.random(vs.size) < cfg.outlier_prob
        if out.any():
            r = rng.uniform(*cfg.outlier_m, size=int(out.sum()))
            a = rng.uniform(0, 2 * np.pi, size=r.size)
            px[out] += r * np.sin(a)
            py[out] += r * np.cos(a)
        lon = (px / m_per_deg_lon).tolist()
        lat = (py / m_per_deg_lat).tolist()
        when = start.astimezone(UTC) + timedelta(seconds=ts)
        sp, hd = speed.tolist(), heading.tolist()
        yield [
            GpsFix(ids[v], when, lon[k], lat[k], sp[k], hd[k]) for k, v in enumerate(vs.tolist())
        ]
