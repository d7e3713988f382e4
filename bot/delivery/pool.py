"""Sending what a request committed, right after its ack, off Bolt's listener threads.

A bounded pool per process: each task sends the rows one commit wrote, in order (the
brief before the Homes that show it). When the pool is full the rows simply wait for the
next sweep: they are in the database, nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from bot.observability.logs import ContextExecutor

log = logging.getLogger(__name__)


class DeliveryPool:
    def __init__(
        self, send: Callable[[Sequence[int]], object], *, workers: int = 4, backlog: int = 1000
    ) -> None:
        self._send = send
        # Rows are sent with the log fields of the request that wrote them.
        self._executor = ContextExecutor(max_workers=workers, thread_name_prefix="delivery")
        self._slots = threading.BoundedSemaphore(backlog)
        self._idle = threading.Condition()
        self._running = 0

    def submit(self, row_ids: Sequence[int]) -> None:
        if not row_ids:
            return
        if not self._slots.acquire(blocking=False):
            log.warning("delivery pool full: %d rows wait for the sweep", len(row_ids))
            return
        with self._idle:
            self._running += 1
        self._executor.submit(self._run, list(row_ids))

    def _run(self, row_ids: list[int]) -> None:
        try:
            self._send(row_ids)
        except Exception:  # the rows stay pending for the sweep
            log.exception("delivery of rows %s failed", row_ids)
        finally:
            self._slots.release()
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every submitted task finished (tests, graceful shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
