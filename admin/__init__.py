"""Running the platform for a real city: inventory import (onboarding) and user administration,
the ``city-admin`` command."""
