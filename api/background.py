"""The API's background tasks (scheduled retention, nightly fleet aggregates, the parking-model
watcher) end the same way: cancelled and awaited when the application stops."""

from __future__ import annotations

import asyncio


async def stop_task(task: asyncio.Task[None] | None) -> None:
    """Cancel ``task`` (if any) and wait for it; whatever it raises on the way out is dropped."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):
        pass
