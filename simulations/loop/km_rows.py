"""Where the km go, per run and day (``km_legs.csv``): between bins, to and from disposal sites,
and from and to the depots, with the fewest unloads that day's litres allow.

The paper the study is anchored on (Wouda et al. 2024) routes without truck capacity: all its km
are between bins and to and from one depot. Here a truck drives to a disposal site whenever it is
full, and those legs do not shrink with a better choice of bins: whatever the policy, the same
waste has to be driven away. ``min_unloads`` is the lower bound ``ceil(collected / largest
truck)``: no plan can unload that day's litres in fewer trips.

Pure; :func:`~simulations.loop.tidy.csv_text` writes the rows and :func:`parse_km_csv` reads
them back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simulations.loop.execution import TruckDay
from simulations.loop.tidy import columns_of, parse_rows


@dataclass(frozen=True, slots=True)
class KmRow:
    """One run's day: km by kind of leg, unloads made and the fewest possible."""

    policy: str
    param: str
    seed: int
    day: int
    km_bins: float
    km_disposal: float
    km_depot: float
    unloads: int
    min_unloads: int


KM_COLUMNS = columns_of(KmRow)


def km_row(
    policy: str,
    param: str,
    seed: int,
    day: int,
    trucks: Sequence[TruckDay],
    collected_l: float,
    largest_truck_l: float,
) -> KmRow:
    """The day's split of the trucks' km (a day without driving has zeros)."""
    least = math.ceil(collected_l / largest_truck_l - 1e-9) if collected_l > 0 else 0
    return KmRow(
        policy=policy,
        param=param,
        seed=seed,
        day=day,
        km_bins=sum(t.km_bins for t in trucks),
        km_disposal=sum(t.km_disposal for t in trucks),
        km_depot=sum(t.km_depot for t in trucks),
        unloads=sum(t.disposal_trips for t in trucks),
        min_unloads=least,
    )


def parse_km_csv(text: str) -> list[KmRow]:
    """The rows of a ``km_legs.csv`` text (header :data:`KM_COLUMNS`)."""
    return parse_rows(text, KmRow, "km_legs.csv")
