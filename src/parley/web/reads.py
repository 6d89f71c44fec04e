"""Case-base reads on a thread limiter of their own.

A sync route runs in anyio's shared pool of 40 threads. Eight clients listing cases at once
then ran eight threads through one interpreter: each SQLite call gives up the GIL and waits to
get it back behind the others, and the list answered 0.6 times as many requests a second with
eight clients as with one (issue 14, bench/datasette.py). The case list's reads take turns on
`READ_THREADS` threads instead, so they no longer compete with each other, and the event loop
stays free for every other request (a read is never run on the loop itself: on PostgreSQL it
waits on the network, and a signed-in read may record its token's use under the write lock).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread

READ_THREADS = 2
"""Two: while one read waits (PostgreSQL's network, SQLite's disk) another computes."""

T = TypeVar("T")
_LIMITERS: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    WeakKeyDictionary())


async def run_read(work: Callable[[], T]) -> T:
    """`work()` in a thread, at most `READ_THREADS` at once per event loop (one limiter per
    loop: an anyio limiter belongs to the loop that first waits on it, and tests run many)."""
    loop = asyncio.get_running_loop()
    limiter = _LIMITERS.get(loop)
    if limiter is None:
        limiter = _LIMITERS[loop] = anyio.CapacityLimiter(READ_THREADS)
    return await anyio.to_thread.run_sync(work, limiter=limiter)
