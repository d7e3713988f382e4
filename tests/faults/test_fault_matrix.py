"""The fault matrix: wizard submissions and their decisions while Slack fails at random.

The app is served over HTTP and called with signed requests, as Slack calls it; it talks to
the stand-in through the real slack_sdk client, and the stand-in answers a share of every
method the bot calls with a 429 (Retry-After), a 500, a 503, a late answer (a read timeout)
or a closed connection (before the call is served, or after). A second sender sweeps the
outbox all along, as another process would. Once Slack answers again and the sweeps have
run, every handoff has exactly one brief, showing its latest state, and every message was
sent exactly once.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.delivery.pacing import Pacer, Slack
from bot.jobs.sweep import run_sweep
from bot.services import Services, make_services
from bot.surfaces.brief import brief_message, decision_dm
from handoff.model import MessageKind
from slack_standin import SlackStandIn
from slack_standin.faults import KINDS
from storage.models import HandoffRow, OutboxRow
from tests.support.db import unit
from tests.support.faults import (
    API_TIMEOUT,
    METHODS,
    Person,
    as_sent,
    fault_size,
    serve,
    tagged,
    top_level,
    wait_for,
)
from tests.support.slack_app import AE_CHANNEL, wizard_values

pytestmark = pytest.mark.slow

SDRS = tuple(f"U0SDR{n:03}" for n in range(4))
AES = tuple(f"U0AE{n:03}" for n in range(3))
RATE = 0.08  # the share of calls that fail, per method


@pytest.fixture
def standin():
    with SlackStandIn() as s:
        s.add_channel(AE_CHANNEL, "ae-desk", members=AES)
        for user in SDRS + AES:
            s.add_user(user, name=user.lower())
        yield s


@pytest.fixture
def harness(database_url, standin):
    yield from serve(standin, database_url, {})


def _no_sleep(seconds: float) -> None:
    """The pacer's waits are tested in tests/bot; here a sweep never sleeps."""


def _sweep(services: Services, *, at: datetime | None = None):
    now = at or services.now()
    return run_sweep(
        services, now=now, slack=Slack.for_sweep(services.client, Pacer(sleep=_no_sleep))
    )


class Sweeper(threading.Thread):
    """Another process sweeping the outbox while requests are served (its own engine)."""

    def __init__(self, services: Services) -> None:
        super().__init__(daemon=True)
        self.services = make_services(services.settings)
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []
        self.sweeps = 0

    def run(self) -> None:
        try:
            while not self.stopping.wait(0.5):
                _sweep(self.services)
                self.sweeps += 1
        except BaseException as exc:  # reported by stop()
            self.errors.append(exc)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
        self.services.close()
        assert not self.is_alive(), "the sweeper did not stop"
        assert self.errors == [], self.errors


def _at_once(work: Callable[[int], None], items: Iterable[int]) -> None:
    """Several people at once (four threads), each doing `work` for their items."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        for done in [pool.submit(work, item) for item in items]:
            done.result()


def _settle(harness) -> None:
    """What the requests handed to the delivery pool is done (sent, or waiting its turn)."""
    pool = harness.services.pool
    assert pool is not None and pool.wait_idle(timeout=120)


def _pending(harness) -> int:
    with unit(harness.services) as repo:
        return repo.session.scalar(select(func.count()).where(OutboxRow.pending.is_(True)))


def _posted(harness) -> dict[int, str]:
    with unit(harness.services) as repo:
        rows = repo.session.execute(
            select(HandoffRow.id, HandoffRow.brief_ts).where(HandoffRow.brief_ts.is_not(None))
        )
        return {hid: ts for hid, ts in rows}


def _catch_up(harness, *, start: timedelta, until) -> timedelta:
    """Sweep as of later and later instants (each past the longest back-off) until `until`:
    two sweeps at once each time, from two processes' worth of connections, neither holding
    the sweep lock (the outbox's claims alone keep each message to one sender)."""
    ahead = start
    rival = make_services(harness.services.settings)
    try:
        for _ in range(12):
            _settle(harness)
            if until():
                return ahead
            now = harness.services.now() + ahead
            _at_once(lambda n, now=now: _sweep([harness.services, rival][n], at=now), range(2))
            ahead += timedelta(minutes=31)
    finally:
        rival.close()
    _settle(harness)
    assert until(), "the sweeps did not catch up"
    return ahead


def test_every_handoff_ends_with_one_brief_and_every_message_sent_once(harness, standin):
    count = fault_size()
    rng = random.Random(count)
    person = Person(harness)
    faults = standin.fail_at_random(METHODS, rate=RATE, seed=count, timeout=API_TIMEOUT + 0.5)
    sweeper = Sweeper(harness.services)
    sweeper.start()
    try:  # each SDR books their share, all four at once

        def book(sdr: int) -> None:
            for n in range(sdr, count, len(SDRS)):
                values = wizard_values(company=f"Company {n}", stakeholders=[])
                person.submit(SDRS[sdr], values)

        _at_once(book, range(len(SDRS)))
    finally:
        sweeper.stop()
    # The AEs decide on the briefs they see; a brief Slack never showed is swept out first.
    ahead = _catch_up(harness, start=timedelta(0), until=lambda: len(_posted(harness)) == count)
    wait_for(lambda: len(top_level(standin)) >= count, timeout=10)
    briefs = {m["metadata"]["event_payload"]["handoff_id"]: m for m in top_level(standin)}
    plan = {
        hid: (rng.choice(AES), "accepted" if rng.random() < 0.7 else "rejected")
        for hid in sorted(_posted(harness))
    }
    decisions = {hid: decision for hid, (_, decision) in plan.items()}

    def decide(hid: int) -> None:
        ae, decision = plan[hid]
        if decision == "accepted":
            person.accept(ae, briefs[hid], hid)
        else:
            person.reject(ae, briefs[hid], ["wrong_persona", "bad_timing"][hid % 2])

    sweeper = Sweeper(harness.services)
    sweeper.start()
    try:
        _at_once(decide, sorted(plan))
    finally:
        sweeper.stop()

    # Slack answers again; the sweeps bring it in line with the database.
    standin.stop_failing()
    _catch_up(harness, start=ahead, until=lambda: _pending(harness) == 0)

    config = harness.services.config
    with harness.services.uow(read_only=True) as uow:
        handoffs = [uow.handoffs.get(hid) for hid in sorted(decisions)]
    assert len(handoffs) == count
    assert {h.id: h.status.value for h in handoffs} == decisions

    # Exactly one brief per handoff, in place, showing the handoff as it is now.
    shown = top_level(standin)
    assert tagged(shown) == Counter({(h.id, MessageKind.BRIEF.value, 0): 1 for h in handoffs})
    assert len(shown) == count
    for h in handoffs:
        brief = standin.message(AE_CHANNEL, h.brief_ts)
        expected = brief_message(h, config)
        shown_blocks = as_sent(expected["blocks"], brief["blocks"])
        assert (brief["text"], shown_blocks) == (expected["text"], expected["blocks"]), h.id
        assert h.brief_synced_version == h.brief_version

    # Exactly one decision DM per handoff, to its SDR, saying what was decided.
    for sdr in SDRS:
        mine = [h for h in handoffs if h.sdr_id == sdr]
        dms = standin.dms(sdr)
        assert tagged(dms) == Counter({(h.id, MessageKind.DECISION_DM.value, 0): 1 for h in mine})
        by_id = {m["metadata"]["event_payload"]["handoff_id"]: m for m in dms}
        for h in mine:
            expected = decision_dm(h, config, can_dispute=False)
            dm_blocks = as_sent(expected["blocks"], by_id[h.id]["blocks"])
            assert dm_blocks == expected["blocks"], h.id
    for ae in AES:
        assert standin.dms(ae) == []

    # The outbox agrees: every row done, every message recorded where Slack has it.
    with unit(harness.services) as repo:
        rows = repo.session.scalars(select(OutboxRow)).all()
    assert all(not r.pending and r.lease_until is None for r in rows)
    for r in rows:
        if r.kind in (MessageKind.BRIEF, MessageKind.DECISION_DM):
            assert r.sent_at is not None and standin.message(r.channel, r.ts)

    # The faults were there: every kind, on the methods every handoff goes through.
    kinds = Counter(kind for (_, kind) in faults.injected.elements())
    methods = Counter(method for (method, _) in faults.injected.elements())
    assert kinds, "no fault was injected"
    if count >= 100:  # a few hundred failures: each kind, on each method every handoff uses
        assert set(kinds) == set(KINDS), kinds
        for method in (
            "views.open",
            "chat.postMessage",
            "chat.update",
            "views.publish",
            "conversations.members",
        ):
            assert methods[method] > 0, methods
    # Slack's 3 seconds: on a busy machine a press may go unanswered now and then (the
    # person presses again, as in Slack); never more than one in fifty.
    assert person.unanswered <= max(2, count // 50), person.unanswered
    assert standin.problems == [], standin.problems
