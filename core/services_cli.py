"""A local stand-in for production's broker and database: ``city-services``.

Starts the embedded Kafka-protocol broker (Tansu) and a PostgreSQL server, applies the schema
migrations, creates the platform's topics, prints

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:PORT
    DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/cityops

on stdout (nothing else goes there: redirect it to a file and source that file) and runs until
interrupted (Ctrl-C or SIGTERM stops both and deletes the throw-away data). Point the other
commands (city-ingest, city-api, city-plan, city-db, parking-train) at them as at production:

    city-services --env-file /tmp/cityops.env &
    set -a; . /tmp/cityops.env; set +a        # once the file exists
    city-ingest --kind gps &
    city-api

Everything lives in memory or a temporary directory: nothing survives the stop, unless
``--persist DIR`` (or CITYOPS_PERSIST_DIR) is given: then the broker's topics, records and
committed offsets (in a local S3 server, SeaweedFS) and the database (fsync on) are kept in DIR,
and the next ``city-services --persist DIR`` continues from them (on new ports: source the
printed lines again).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from pathlib import Path

import asyncpg

from core.cli import HelpFormatter, env_epilog
from core.db.migrate import migrate
from core.embedded import ServiceStartError, services
from core.logs import configure_logging
from core.settings import Settings

log = logging.getLogger("city-services")


async def _migrate(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def _create_topics(bootstrap: str, settings: Settings) -> list[str]:
    """The platform's topics, as the ingest would create them (idempotent)."""
    from ingest import kafka_io  # lazy: only this command needs the Kafka admin client

    topics = [
        settings.topic_fill,
        settings.topic_gps,
        settings.topic_parking,
        settings.topic_dead_letter,
    ]
    kafka_io.ensure_topics(bootstrap, topics, settings.topic_partitions, settings.topic_replication)
    return topics


def _write_env_file(path: Path, lines: list[str]) -> None:
    """Write ``lines`` to ``path`` atomically: a script polling for the file never reads half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    os.replace(tmp, path)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="city-services",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "CITYOPS_TOPIC_FILL",
            "CITYOPS_TOPIC_GPS",
            "CITYOPS_TOPIC_PARKING",
            "CITYOPS_TOPIC_DEAD_LETTER",
            "CITYOPS_TOPIC_PARTITIONS",
            "CITYOPS_PERSIST_DIR",
            note="KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL are not read: this command always"
            " starts its own broker and database and prints these two variables for the other"
            " commands.",
        ),
    )
    p.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="also write the two lines to this file once both services are ready (removed on stop)",
    )
    p.add_argument(
        "--persist",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the broker's and the database's data in DIR and continue from it on the next"
        " start (default: CITYOPS_PERSIST_DIR, else thrown away on stop)",
    )
    p.add_argument(
        "--no-topics", action="store_true", help="do not create the platform's topics at start"
    )
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR (stderr)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run until SIGINT or SIGTERM; 0 after a clean stop, 1 when a service did not start."""
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(args.log_level, settings.log_format, "%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLogger().level))
    stop: list[int] = []  # the signals received (a handler only appends: no lock, no I/O)

    def on_signal(signum: int, _frame: object) -> None:
        stop.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Empty arguments: both embedded, whatever the environment says (this is the stand-in).
        with services("", "", args.persist or settings.persist_dir) as ep:
            if stop:
                return 0
            applied = asyncio.run(_migrate(ep.database_url))
            log.info("migrations applied: %s", applied or "none")
            if not args.no_topics and not stop:
                log.info(
                    "topics: %s", ", ".join(_create_topics(ep.kafka_bootstrap_servers, settings))
                )
            lines = [
                f"KAFKA_BOOTSTRAP_SERVERS={ep.kafka_bootstrap_servers}",
                f"DATABASE_URL={ep.database_url}",
            ]
            if args.env_file is not None:
                _write_env_file(args.env_file, lines)
            print("\n".join(lines), flush=True)
            log.info("ready; Ctrl-C or SIGTERM stops the broker and the database")
            while not stop:
                time.sleep(0.2)
            log.info("%s received: stopping", signal.Signals(stop[0]).name)
            if args.env_file is not None:
                args.env_file.unlink(missing_ok=True)
    except ServiceStartError as e:  # also EmbeddedExtraMissing: a production install
        print(f"city-services: {e}", file=sys.stderr)
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
