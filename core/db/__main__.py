"""Apply pending migrations and GPS retention: ``python -m core.db`` (uses DATABASE_URL)."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

import asyncpg

from core.db.migrate import migrate
from core.db.retention import drop_expired_gps
from core.settings import Settings


async def _run(settings: Settings) -> None:
    conn = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        applied = await migrate(conn)
        dropped = await drop_expired_gps(conn, datetime.now(UTC), settings.gps_retention_days)
        print(
            f"migrations applied: {applied or 'none'}; GPS partitions dropped: {dropped or 'none'}"
        )
    finally:
        await conn.close()


def main() -> int:
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    if not settings.database_url.get_secret_value():
        print("DATABASE_URL must be set", file=sys.stderr)
        return 2
    asyncio.run(_run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
