"""Chasing harness: managers set, time the test moves, a pacer that never sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import build_app
from bot.delivery.pacing import Pacer, Slack
from bot.demo.localserver import LocalServer
from bot.entrypoints.web import create_wsgi
from bot.jobs.sweep import SweepReport, run_sweep
from bot.services import Services, make_services
from bot.settings import load_settings
from slack_standin import SlackSender, SlackStandIn
from tests.support.db import unit
from tests.support.slack_app import AE_CHANNEL, SDR, SECRET, Harness, app_env

NY = ZoneInfo("America/New_York")
MANAGERS = ("U0MGRDEE", "U0MGREVA")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


class FakeTime:
    """A monotonic clock whose sleep only moves the clock and remembers how long it was."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@dataclass
class Chasing:
    harness: Harness
    at: list[datetime]
    time: FakeTime

    @property
    def services(self) -> Services:
        return self.harness.services

    @property
    def standin(self) -> SlackStandIn:
        return self.harness.standin

    def set_now(self, at: datetime) -> None:
        self.at[0] = at

    def sweep(self, at: datetime, services: Services | None = None) -> SweepReport:
        # What the requests' own delivery is still sending finishes first: moved this far
        # ahead, its leases would look expired to the sweep.
        pool = self.services.pool
        assert pool is None or pool.wait_idle()
        self.set_now(at)
        services = services or self.services
        return run_sweep(services, now=at, slack=self.slack(services))

    def slack(self, services: Services | None = None) -> Slack:
        """What a sweep sends through, paced by a clock that never sleeps."""
        return Slack.for_sweep((services or self.services).client, self.pacer())

    def settled(self) -> None:
        """Wait until what the requests committed was sent: the delivery pool works after
        the ack, and a sweep in between would find those rows still leased."""
        from sqlalchemy import func, select

        from storage.models import OutboxRow

        pool = self.services.pool
        assert pool is not None

        def done() -> bool:
            if not pool.wait_idle(timeout=5):
                return False
            with unit(self.services) as repo:
                held = select(func.count()).where(OutboxRow.lease_until.is_not(None))
                return repo.session.scalar(held) == 0

        self.harness.wait_until(done)

    def pacer(self) -> Pacer:
        return Pacer(clock=self.time.clock, sleep=self.time.sleep)

    def submit(self, at: datetime, meeting: datetime, **overrides: Any) -> dict[str, Any]:
        self.set_now(at)
        return self.harness.submit_handoff(SDR, meeting_at=meeting, **overrides)

    def thread(self, brief: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            m
            for m in self.standin.messages(AE_CHANNEL)
            if m.get("thread_ts") == brief["ts"] and m["ts"] != brief["ts"]
        ]

    def group_dm(self) -> str:
        return "G" + "".join(sorted(u[1:] for u in MANAGERS))[:20]


def chasing_env(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    return {**app_env(standin, database_url), "HANDOFF_MANAGERS": ",".join(MANAGERS)}


def start(database_url: str, standin: SlackStandIn, start_at: datetime) -> Iterator[Chasing]:
    settings = load_settings(chasing_env(standin, database_url), dotenv=False)
    services = make_services(settings)
    at = [start_at]
    services.now = lambda: at[0]
    app = build_app(services)
    with LocalServer(create_wsgi(app, services.engine)) as server:
        slack = SlackSender(server.url + "/slack/events", SECRET, standin)
        yield Chasing(Harness(standin, slack, SDR, services, server.url), at, FakeTime())
    services.close()
    assert standin.problems == [], standin.problems


__all__ = ["MANAGERS", "Chasing", "FakeTime", "ny", "start"]
