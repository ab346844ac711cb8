"""Operational alerts on bins: sensor health (silent, stuck, implausible jumps, low battery) and
bins predicted full before their next planned visit.

Pure: :mod:`fleet.alerts.types` (kinds, parameters, the alert with its evidence),
:mod:`fleet.alerts.sensors` and :mod:`fleet.alerts.overflow` (the rules). The adapter
:mod:`fleet.alerts.service` reads what they need from PostgreSQL; alerts are computed on demand
(the API caches them for a minute), not stored.
"""
