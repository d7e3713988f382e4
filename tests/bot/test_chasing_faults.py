"""Chasing when things go wrong: 429 storms, crashes mid-sweep, two workers, two schedulers."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import sender as sender_module
from bot.delivery.pacing import Pacer, Slack
from bot.jobs.scheduler import SWEEP_LOCK, sweep_once
from bot.jobs.sweep import run_sweep
from bot.services import make_services
from handoff import lifecycle
from handoff.chasing import ChaseKind
from handoff.effects import Effect
from handoff.model import MessageKind
from storage.leader import leadership
from storage.models import HandoffRow, OutboxRow
from tests.support.chasing import MANAGERS, FakeTime, ny, start
from tests.support.db import post_brief, unit
from tests.support.qualifications import qualification, scored
from tests.support.slack_app import AE_CHANNEL, SDR

SUBMITTED = ny(2026, 12, 24, 16, 30)
REMINDER_DUE = ny(2026, 12, 28, 10, 30)


@pytest.fixture
def chasing(database_url, standin):
    yield from start(database_url, standin, SUBMITTED)


class Crash(BaseException):
    """The process dies here (not an error anything should catch)."""


def seed(chasing, count: int) -> list[int]:
    """`count` handoffs whose briefs are posted and undecided."""
    ids = []
    for n in range(count):
        with unit(chasing.services) as repo:
            h = lifecycle.submit(
                repo,
                team_id="T1",
                sdr_id=SDR,
                qualification=qualification(
                    company=f"Company {n}", meeting_at=ny(2026, 12, 29, 15, 0)
                ),
                score=scored(),
                submission_key=f"seed:{n}",
                now=SUBMITTED,
            ).handoff
        assert post_brief(chasing.services, "T1", h.id).sent
        ids.append(h.id)
    return ids


def replies_per_brief(chasing) -> dict[str, int]:
    messages = chasing.standin.messages(AE_CHANNEL)
    counts = {m["ts"]: 0 for m in messages if "thread_ts" not in m or m["thread_ts"] == m["ts"]}
    for m in messages:
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            counts[m["thread_ts"]] += 1
    return counts


def test_a_429_storm_slows_the_sweep_and_loses_nothing(chasing):
    seed(chasing, 30)
    chasing.standin.fail_next("chat.postMessage", status=429, retry_after=7, times=4)
    report = chasing.sweep(REMINDER_DUE)
    assert len(report.sent) == 30
    assert set(replies_per_brief(chasing).values()) == {1}
    slept = chasing.time.slept
    assert slept[:4] == [7.0, 7.0, 7.0, 7.0]  # Retry-After honoured, without sleeping
    assert slept[4:] == [1.0] * 29  # then one message a second into the channel
    assert chasing.sweep(REMINDER_DUE + timedelta(minutes=1)).sent == []


def test_a_storm_longer_than_the_retries_leaves_the_rest_for_the_next_sweep(chasing):
    seed(chasing, 5)
    chasing.standin.fail_next("chat.postMessage", status=429, retry_after=3, times=6)
    first = chasing.sweep(REMINDER_DUE)
    assert len(first.sent) == 4  # the first one gave up after six 429s; the others went
    second = chasing.sweep(REMINDER_DUE + timedelta(minutes=1))
    assert len(second.sent) == 1
    assert set(replies_per_brief(chasing).values()) == {1}
    assert chasing.sweep(REMINDER_DUE + timedelta(minutes=2)).sent == []


def test_a_crash_after_slack_accepted_is_recovered_without_a_duplicate(chasing, monkeypatch):
    seed(chasing, 5)
    sends = []

    def dies_after_the_third_send(point: str) -> None:
        if point == "after_send":
            sends.append(1)
            if len(sends) == 3:
                raise Crash

    monkeypatch.setattr(sender_module, "crash_at", dies_after_the_third_send)
    with pytest.raises(Crash):
        chasing.sweep(REMINDER_DUE)
    monkeypatch.undo()
    assert sum(replies_per_brief(chasing).values()) == 3

    # A minute later the crashed sender's claims (its chunk of rows) are still leased.
    assert chasing.sweep(REMINDER_DUE + timedelta(minutes=1)).sent == []
    # Once the lease runs out, the three it posted are found in their threads and recorded,
    # not re-posted; the two it never reached are posted.
    taken_over = chasing.sweep(REMINDER_DUE + timedelta(minutes=6)).sent
    assert sorted(s.recovered for s in taken_over) == [False, False, True, True, True]
    assert set(replies_per_brief(chasing).values()) == {1}
    assert chasing.standin.calls("conversations.replies")
    with unit(chasing.services) as repo:
        rows = repo.session.scalars(
            select(OutboxRow).where(OutboxRow.kind == ChaseKind.REMINDER.value)
        ).all()
        assert len(rows) == 5 and all(r.sent_at is not None for r in rows)


def test_a_crash_between_claim_and_post_is_sent_once_after_the_lease(chasing):
    [handoff_id] = seed(chasing, 1)
    with chasing.services.uow() as uow:  # armed and claimed, then the sender died
        [row] = uow.outbox.add(
            [Effect(MessageKind.CHASE_REMINDER, "T1", handoff_id, 1)], now=REMINDER_DUE
        )
        assert [job.id for job in uow.outbox.claim([row], now=REMINDER_DUE)] == [row]
    assert chasing.sweep(REMINDER_DUE + timedelta(minutes=1)).sent == []
    [sent] = chasing.sweep(REMINDER_DUE + timedelta(minutes=6)).sent
    assert not sent.recovered
    assert set(replies_per_brief(chasing).values()) == {1}


def test_a_brief_whose_post_crashed_is_found_and_never_posted_twice(chasing, monkeypatch):
    from bot.delivery import brief_sync as delivery

    with unit(chasing.services) as repo:
        h = lifecycle.submit(
            repo,
            team_id="T1",
            sdr_id=SDR,
            qualification=qualification(meeting_at=ny(2026, 12, 29, 15, 0)),
            score=scored(),
            submission_key="crash",
            now=SUBMITTED,
        ).handoff

    def dies(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(delivery, "mark_posted", dies)
    with pytest.raises(Crash):
        post_brief(chasing.services, "T1", h.id)
    monkeypatch.undo()
    assert len(chasing.standin.messages(AE_CHANNEL)) == 1
    chasing.set_now(SUBMITTED + timedelta(minutes=6))
    report = chasing.sweep(SUBMITTED + timedelta(minutes=6))
    assert report.briefs == [h.id]
    assert len(chasing.standin.messages(AE_CHANNEL)) == 1
    with unit(chasing.services) as repo:
        row = repo.session.get(HandoffRow, h.id)
        assert (
            row.status == "pending"
            and row.brief_ts == chasing.standin.messages(AE_CHANNEL)[0]["ts"]
        )


def test_two_workers_at_once_send_each_reminder_once(chasing):
    seed(chasing, 12)
    workers = [make_services(chasing.services.settings) for _ in range(2)]
    for worker in workers:
        worker.now = lambda: REMINDER_DUE
    barrier = threading.Barrier(2)
    reports = []

    def work(services):
        slack = Slack.for_sweep(
            services.client, Pacer(clock=FakeTime().clock, sleep=FakeTime().sleep)
        )
        barrier.wait()
        reports.append(run_sweep(services, now=REMINDER_DUE, slack=slack))

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for worker in workers:
        worker.engine.dispose()
    assert sum(len(r.sent) for r in reports) == 12
    assert set(replies_per_brief(chasing).values()) == {1}
    posts = [c for c in chasing.standin.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert len(posts) == 12


def test_a_second_scheduler_skips_while_one_holds_the_lock(chasing):
    seed(chasing, 2)
    other = make_services(chasing.services.settings)
    other.now = lambda: REMINDER_DUE
    try:
        with leadership(other.engine, SWEEP_LOCK) as leader:
            assert leader
            services = replace(chasing.services, now=lambda: REMINDER_DUE)
            report = sweep_once(services)
        assert report.skipped and report.sent == []
        assert sum(replies_per_brief(chasing).values()) == 0
        assert len(sweep_once(services).sent) == 2
    finally:
        other.engine.dispose()


def test_managers_get_one_group_dm(chasing):
    seed(chasing, 1)
    chasing.sweep(ny(2026, 12, 28, 16, 30))
    chasing.sweep(ny(2026, 12, 28, 16, 31))
    opened = chasing.standin.calls("conversations.open")
    assert opened[0].args["users"] == ",".join(MANAGERS)
    assert len(chasing.standin.messages(chasing.group_dm())) == 1


def test_a_brief_that_keeps_failing_is_reported_once_and_still_tried(chasing, caplog):
    [handoff_id] = seed(chasing, 1)
    standin = chasing.standin
    with chasing.services.uow() as uow:  # the AE accepts while Slack refuses every update
        lifecycle.accept(uow.handoffs, handoff_id, actor="U0AEBOB", is_ae=True, now=SUBMITTED)
        uow.outbox.add([Effect(MessageKind.BRIEF, "T1", handoff_id)], now=SUBMITTED)
    tries = sender_module.REPORT_AFTER + 3
    standin.fail_next("chat.update", status=200, error="internal_error", times=tries)
    at = SUBMITTED
    for _ in range(tries):
        at += timedelta(minutes=31)  # past the longest back-off each time
        chasing.sweep(at)
    [told] = standin.messages(chasing.group_dm())
    assert "Company 0" in told["text"]
    assert f"brief: {sender_module.REPORT_AFTER} tries, last error `internal_error`" in str(
        told["blocks"]
    )
    stuck = [r for r in caplog.records if "still not sent after" in r.getMessage()]
    assert len(stuck) == 1 and stuck[0].levelname == "ERROR"
    # Slack takes updates again: the next sweep brings the brief in line, nothing more said.
    chasing.sweep(at + timedelta(minutes=31))
    with unit(chasing.services) as repo:
        row = repo.session.scalar(select(HandoffRow).where(HandoffRow.id == handoff_id))
        assert row.brief_synced_version == row.brief_version
    assert len(standin.messages(chasing.group_dm())) == 1


def test_a_reminder_held_back_by_pacing_is_not_sent_for_a_brief_decided_meanwhile(
    chasing, monkeypatch
):
    """Three reminders for one channel: Slack's pace of a post a second holds the third back.
    The brief it is for is decided while it waits, so it is rendered from a fresh read and
    dropped, not sent from the read the sender made for the whole chunk."""
    first, second, third = seed(chasing, 3)
    decided: list[int] = []
    monkeypatch.setattr(sender_module, "FRESH", 0.2)

    def wait(seconds: float) -> None:  # the pacer's pause before the second post
        chasing.time.sleep(seconds)
        if not decided:
            with unit(chasing.services) as repo:
                lifecycle.accept(repo, third, actor="U0AEBOB", is_ae=True, now=REMINDER_DUE)
            decided.append(third)
        time.sleep(0.25)  # the chunk's read is now older than FRESH

    pacer = Pacer(clock=chasing.time.clock, sleep=wait)
    slack = Slack.for_sweep(chasing.services.client, pacer)
    chasing.set_now(REMINDER_DUE)
    report = run_sweep(chasing.services, now=REMINDER_DUE, slack=slack)
    reminded = [s.handoff_id for s in report.sent if s.kind == ChaseKind.REMINDER.value]
    assert decided == [third] and reminded == [first, second]
