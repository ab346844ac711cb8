"""Who uses the API and what they may do: roles and users (pure; stored by ``core.db.users``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user may do: planners plan and watch, drivers see and report their routes, the
    data-protection officer reads the access log, admins manage the inventory and the users."""

    PLANNER = "planner"
    DRIVER = "driver"
    DPO = "dpo"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    """A user as stored: only the password hash, never the password."""

    username: str
    password_hash: str
    role: Role
    vehicle_ids: tuple[str, ...] = ()
    disabled: bool = False
