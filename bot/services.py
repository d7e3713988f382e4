"""What every listener and job needs, built once and passed in (no module singletons)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from bot.delivery.pool import DeliveryPool
from bot.observability.slack_calls import counted_client
from bot.roles import Directory
from bot.settings import Settings
from handoff.config import Config
from handoff.crm import Crm
from storage.db import make_engine
from storage.uow import Database, UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


class HourlyCache:
    """One value per clock hour (the latest hour only), computed by the first who asks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hour: int | None = None
        self._value = ""

    def get(self, at: datetime, compute: Callable[[], str]) -> str:
        hour = int(at.timestamp()) // 3600
        with self._lock:
            if self._hour == hour:
                return self._value
        value = compute()
        with self._lock:
            self._hour, self._value = hour, value
        return value


@dataclass
class Services:
    settings: Settings
    db: Database
    client: WebClient
    roles: Directory
    now: Callable[[], datetime] = field(default=utc_now)
    # Sends what a commit wrote to the outbox, off the request's thread (bot/app.py starts
    # it). Without one (a command, a job) the rows wait for the next sweep.
    pool: DeliveryPool | None = None
    # Where accepted handoffs are written (HUBSPOT_ACCESS_TOKEN); None: nowhere, and nothing
    # is written to the outbox for it.
    crm: Crm | None = None
    # Home's calibration for managers, by hour: one read of the window per process and hour.
    calibration_cache: HourlyCache = field(default_factory=lambda: HourlyCache(), repr=False)
    _team: str | None = field(default=None, repr=False)
    _team_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def config(self) -> Config:
        return self.settings.config

    @property
    def engine(self) -> Engine:
        return self.db.engine

    def close(self) -> None:
        """Finish what the delivery pool holds, then release the database connections."""
        if self.pool is not None:
            self.pool.close()
        self.db.close()

    def installed_team(self) -> str:
        """The workspace the bot token belongs to (auth.test, asked once per process): the
        team of whatever arrives without one, such as a booking tool's webhook."""
        with self._team_lock:
            if self._team is None:
                self._team = str(self.client.auth_test()["team_id"])
            return self._team

    def deliver_soon(self, row_ids: Sequence[int]) -> None:
        if self.pool is not None:
            self.pool.submit(row_ids)

    @contextmanager
    def uow(self, *, read_only: bool = False) -> Iterator[UnitOfWork]:
        """One transaction: commit on success, roll back on error."""
        with self.db.unit(read_only=read_only) as uow:
            yield uow


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """The Web API client for answering requests: views.open and the like. 429 and 5xx are
    retried with back-off; what the outbox sends goes through bot/delivery/pacing.py."""
    return counted_client(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=settings.api_timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def make_crm(settings: Settings) -> Crm | None:
    if not settings.hubspot_access_token:
        return None
    from bot.outside.hubspot import HubSpotCrm

    return HubSpotCrm(settings.hubspot_access_token, settings.hubspot_api_url)


def make_services(settings: Settings, client: WebClient | None = None) -> Services:
    client = client or make_client(settings)
    return Services(
        settings=settings,
        db=Database(make_engine(settings.database_url)),
        client=client,
        roles=Directory(settings, client),
        crm=make_crm(settings),
    )
