"""File adapter for VRPLIB / CVRPLIB instances (``.vrp``) and solutions (``.sol``).

Only CVRP with ``EDGE_WEIGHT_TYPE : EUC_2D`` is read: distances are the rounded Euclidean
distances ``round(sqrt(dx² + dy²))`` of the CVRPLIB X set, used as durations too. The depot
becomes location 0 and node ``k`` of a single-depot file location ``k - 1``, so location
indices coincide with the customer numbers of ``.sol`` files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from routing.vrp.model import Model, ProblemData
from routing.vrp.solution import Solution


class VrplibFormatError(ValueError):
    """A ``.vrp`` or ``.sol`` file this adapter cannot read."""


@dataclass(frozen=True)
class VrpInstance:
    """A CVRPLIB instance: its name, the routing problem and the node coordinates."""

    name: str
    data: ProblemData
    coords: np.ndarray  # (n, 2), row i for location i
    min_vehicles: int  # the ``k`` of ``X-n101-k25``, or the capacity lower bound


@dataclass(frozen=True)
class VrpSolution:
    """A ``.sol`` file: routes of location indices (depot omitted) and the stated cost."""

    routes: tuple[tuple[int, ...], ...]
    cost: int


def euclidean_matrix(coords: np.ndarray) -> np.ndarray:
    """Rounded Euclidean distances (CVRPLIB EUC_2D convention) as int64."""
    diff = coords[:, None, :] - coords[None, :, :]
    return np.rint(np.sqrt((diff**2).sum(axis=-1))).astype(np.int64)


def parse_vrp(text: str, name: str = "", *, num_vehicles: int | None = None) -> VrpInstance:
    """Parse ``.vrp`` text; the fleet defaults to ``k + max(3, 10 % of k)`` vehicles."""
    spec: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not line[0].isdigit() and line[0] != "-":
            key, value = line.split(":", 1)
            spec[key.strip().upper()] = value.strip().strip('"')
            current = None
        elif line.upper().endswith("_SECTION"):
            current = line.upper()
            sections[current] = []
        elif current is not None:
            sections[current].append(line.split())
    name = spec.get("NAME", name)
    if spec.get("EDGE_WEIGHT_TYPE", "").upper() != "EUC_2D":
        raise VrplibFormatError(f"{name}: only EDGE_WEIGHT_TYPE EUC_2D is supported.")
    try:
        capacity = int(spec["CAPACITY"])
        nodes = sections["NODE_COORD_SECTION"]
        demands = {int(r[0]): int(r[1]) for r in sections["DEMAND_SECTION"]}
    except (KeyError, ValueError, IndexError) as e:
        raise VrplibFormatError(f"{name}: missing or malformed CAPACITY/sections ({e}).") from e
    depot_ids = [int(r[0]) for r in sections.get("DEPOT_SECTION", [["1"]]) if int(r[0]) > 0]
    if len(depot_ids) != 1:
        raise VrplibFormatError(f"{name}: exactly one depot is supported.")
    order = [depot_ids[0]] + [int(r[0]) for r in nodes if int(r[0]) != depot_ids[0]]
    xy = {int(r[0]): (float(r[1]), float(r[2])) for r in nodes}
    coords = np.array([xy[i] for i in order], dtype=float)
    total = sum(demands.get(i, 0) for i in order[1:])
    match = re.search(r"-k(\d+)", name)
    min_vehicles = max(int(match.group(1)) if match else 0, math.ceil(total / capacity), 1)
    fleet = num_vehicles or min_vehicles + max(3, math.ceil(0.1 * min_vehicles))

    model = Model()
    depot = model.add_depot(name=str(order[0]))
    for node in order[1:]:
        model.add_client(demands.get(node, 0), name=str(node))
    model.add_vehicle_type(fleet, capacity, depot)
    dist = euclidean_matrix(coords)
    model.set_matrices(dist, dist)
    return VrpInstance(name, model.data(), coords, min_vehicles)


def read_vrp(path: str | Path, *, num_vehicles: int | None = None) -> VrpInstance:
    """Read a ``.vrp`` file (see :func:`parse_vrp`)."""
    p = Path(path)
    return parse_vrp(p.read_text(), p.stem, num_vehicles=num_vehicles)


def parse_sol(text: str) -> VrpSolution:
    """Parse ``.sol`` text: ``Route #k: a b c`` lines and a ``Cost N`` line."""
    routes: list[tuple[int, ...]] = []
    cost: int | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.lower().startswith("route"):
            _, _, rest = line.partition(":")
            routes.append(tuple(int(tok) for tok in rest.split()))
        elif line.lower().startswith("cost"):
            cost = round(float(line.split()[1]))
    if cost is None:
        raise VrplibFormatError("solution has no 'Cost' line.")
    return VrpSolution(tuple(routes), cost)


def read_sol(path: str | Path) -> VrpSolution:
    """Read a ``.sol`` file (see :func:`parse_sol`)."""
    return parse_sol(Path(path).read_text())


def format_sol(routes: Sequence[Sequence[int]], cost: int) -> str:
    """CVRPLIB ``.sol`` text for routes of location indices."""
    lines = [f"Route #{k}: {' '.join(map(str, r))}" for k, r in enumerate(routes, 1) if r]
    return "\n".join([*lines, f"Cost {cost}"]) + "\n"


def write_sol(path: str | Path, solution: Solution) -> None:
    """Write ``solution``'s routes and total distance as a CVRPLIB ``.sol`` file."""
    text = format_sol([r.locations for r in solution.routes], solution.distance_m)
    Path(path).write_text(text)
