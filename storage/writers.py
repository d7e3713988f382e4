"""One writer at a time on a SQLite file, queued instead of napping.

SQLite lets one writer in and makes the others sleep and retry (naps of up to 100 ms);
under load the naps, not the writes, are what a click waits for. Writers queue on a lock
instead, which wakes the next one the moment the last commits: a thread lock within the
process, and an advisory file lock (flock) beside the database across processes (web
workers, the scheduler, a `handoff chase`). Readers never take it (WAL).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # not on POSIX: the thread lock alone, SQLite's naps across processes
    fcntl = None  # type: ignore[assignment]


class WriterQueue:
    def __init__(self, engine: Engine) -> None:
        self._threads = threading.RLock()
        self._held = threading.local()
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        self._fd: int | None = None
        if fcntl is not None and path and path != ":memory:" and not path.startswith("file:"):
            self._fd = os.open(path + ".writer", os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            depth = getattr(self._held, "depth", 0)
            if self._fd is not None and depth == 0:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
                if self._fd is not None and depth == 0:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
