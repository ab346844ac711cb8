"""Who uses the API and what they may do: roles and users (pure; stored by ``core.db.users``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user may do: planners plan and watch, drivers see and report their routes."""

    PLANNER = "planner"
    DRIVER = "driver"


@dataclass(frozen=True, slots=True)
class User:
    """A user as stored: only the password hash, never the password."""

    username: str
    password_hash: str
    role: Role
    vehicle_ids: tuple[str, ...] = ()
    disabled: bool = False
