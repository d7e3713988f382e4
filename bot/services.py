"""What every listener and job needs, built once and passed in (no module singletons)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from handoff.config import Config
from storage.db import make_engine, make_session_factory, session_scope
from storage.repository import SqlHandoffRepository


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    now: Callable[[], datetime] = field(default=utc_now)

    @property
    def config(self) -> Config:
        return self.settings.config

    @contextmanager
    def unit(self) -> Iterator[SqlHandoffRepository]:
        """One transaction: commit on success, roll back on error."""
        with session_scope(self.sessions) as session:
            yield SqlHandoffRepository(session)


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """The Web API client: base URL from settings, 429 and 5xx retried with back-off."""
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def make_services(settings: Settings, client: WebClient | None = None) -> Services:
    engine = make_engine(settings.database_url)
    return Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        client=client or make_client(settings),
    )
