"""Shared kernel: settings, domain types, wire contracts, database layer, embedded services."""
