"""The unit of work: one transaction and the stores that work inside it.

Nothing outside storage/ touches a session: a listener or job opens a unit, calls the
stores it exposes, and the unit commits when the block ends (or rolls back on an error).
A read-only unit on SQLite begins deferred, so reading Home or the digest never takes the
write lock that wizard steps and clicks need; on PostgreSQL it runs READ ONLY.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.answers import AnswerStore
from storage.bookings import BookingStore, PeopleStore
from storage.crm_records import CrmRecords
from storage.db import READ_ONLY, session_scope
from storage.digest_ledger import DigestLedger
from storage.drafts import DraftStore
from storage.inbox import InboxStore
from storage.metrics import Metrics
from storage.outbox import OutboxStore
from storage.repository import SqlHandoffRepository
from storage.slack_events import EventLog
from storage.webhook_log import WebhookLog
from storage.writers import WriterQueue


class UnitOfWork:
    def __init__(self, session: Session) -> None:
        self.handoffs = SqlHandoffRepository(session)
        self.outbox = OutboxStore(session)
        self.drafts = DraftStore(session)
        self.digests = DigestLedger(session)
        self.metrics = Metrics(session)
        self.answers = AnswerStore(session)
        self.events = EventLog(session)
        self.inbox = InboxStore(session)
        self.bookings = BookingStore(session)
        self.people = PeopleStore(session)
        self.crm = CrmRecords(session)
        self.webhooks = WebhookLog(session)


class Database:
    """The engine and its two kinds of transaction, built once per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = sessionmaker(engine, expire_on_commit=False)
        self._writers = WriterQueue(engine) if engine.dialect.name == "sqlite" else None
        self._reads = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @contextmanager
    def unit(self, *, read_only: bool = False) -> Iterator[UnitOfWork]:
        if read_only:
            with session_scope(self._reads) as session:
                yield UnitOfWork(session)
            return
        turn = self._writers.turn() if self._writers else nullcontext()
        with turn, session_scope(self._writes) as session:
            yield UnitOfWork(session)

    def close(self) -> None:
        if self._writers is not None:
            self._writers.close()
        self.engine.dispose()
