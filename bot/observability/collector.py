"""Figures read from the database when Prometheus scrapes: handoffs by status, the outbox.

Two aggregates in one read-only transaction per scrape, answered from indexes; nothing is
kept between scrapes, so every web process reports the same truth. When the database does
not answer, the scrape still succeeds: `handoff_scrape_database_ok` says 0 and the failure
is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from handoff.model import Status
from storage.uow import Database

log = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db, self.now = db, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        ok = GaugeMetricFamily(
            "handoff_scrape_database_ok",
            "1 when this scrape could read the database, 0 when it could not",
        )
        try:
            families = list(self._read())
        except Exception:  # a scrape must answer even when the database does not
            log.exception("metrics: could not read the database")
            ok.add_metric([], 0)
            yield ok
            return
        ok.add_metric([], 1)
        yield ok
        yield from families

    def _read(self) -> Iterator[GaugeMetricFamily]:
        now = self.now()
        with self.db.unit(read_only=True) as uow:
            statuses = uow.handoffs.count_by_status()
            waiting = uow.outbox.waiting(now=now)
        handoffs = GaugeMetricFamily(
            "handoff_handoffs", "Handoffs stored, by status", labels=["status"]
        )
        for status in Status:  # every status, 0 included, so a rate or a ratio never gaps
            handoffs.add_metric([status.value], statuses.get(status.value, 0))
        yield handoffs
        yield GaugeMetricFamily(
            "handoff_outbox_pending", "Outbox rows still to send", value=waiting.pending
        )
        yield GaugeMetricFamily(
            "handoff_outbox_failing",
            "Outbox rows still to send whose last try failed",
            value=waiting.failing,
        )
        age = (now - waiting.oldest_due).total_seconds() if waiting.oldest_due else 0.0
        yield GaugeMetricFamily(
            "handoff_outbox_oldest_pending_age_seconds",
            "How long the longest-waiting due outbox row has waited to be sent (0: none)",
            value=max(age, 0.0),
        )
