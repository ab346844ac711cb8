"""Fleet aggregate payloads: totals per group, utilisation per vehicle, unused vehicles.

Vehicles appear under their keyed pseudonyms; only unused vehicles (no position or time of a
driver) are also named by their inventory id."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class GroupTotalsPublic(BaseModel):
    """Totals of one group: a vehicle pseudonym, a kind, a district ('' outside every district)
    or a local hour of day."""

    key: str
    kind: str = Field("", description="the vehicle's kind (group=vehicle only)")
    vehicles: int
    km: float
    driving_h: float
    idling_h: float
    service_h: float = Field(description="in service: at a working location, or cleaning")
    parked_h: float
    in_use_h: float = Field(description="driving + idling + in service")
    co2_kg: float


class AggregatesPublic(BaseModel):
    since: date
    until: date
    timezone: str
    group: str
    kind: str | None
    days_computed: list[date]
    rows: list[GroupTotalsPublic]


class UtilisationPublic(BaseModel):
    pseudonym: str
    kind: str
    days: int
    shift_h: float
    in_use_h: float
    in_shift_use_h: float
    utilisation: float | None = Field(description="in-shift use / shift time")
    km: float
    co2_kg: float


class UtilisationListPublic(BaseModel):
    since: date
    until: date
    days_computed: list[date]
    vehicles: list[UtilisationPublic]


class UnusedVehiclePublic(BaseModel):
    pseudonym: str
    kind: str
    days: int
    vehicle_id: str | None = Field(description="inventory id, when still in the inventory")
    depot_id: str | None


class UnusedListPublic(BaseModel):
    since: date
    until: date
    days_computed: list[date]
    vehicles: list[UnusedVehiclePublic]
