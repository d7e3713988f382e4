"""The weekly digest through the real slack_sdk client and the Slack stand-in.

Posted once per period to the digest channel and to each manager's DM, with a chart;
a second run, a restart or a second scheduler posts nothing; a failed chart upload
leaves the figures as text; a failure half-way is finished by the next sweep without
posting anything twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import select, update

from bot.delivery.pacing import Pacer, Slack
from bot.jobs.scheduler import sweep_once
from bot.jobs.weekly_digest import EVENT_TYPE, send_digest, send_due_digest
from bot.services import Services, make_services
from bot.settings import load_settings
from bot.surfaces.textview import blocks_to_text
from handoff.digest import Period
from slack_standin import SlackStandIn
from slack_standin.blockkit import check_blocks
from storage import digest_ledger
from storage.models import DigestRow, HandoffRow
from tests.support.chasing import MANAGERS, FakeTime, chasing_env
from tests.support.db import unit
from tests.support.digest_mix import END, START, Expected, insert, make_mix
from tests.support.slack_app import AE_CHANNEL, DIGEST_CHANNEL

PERIOD = Period(START, END)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as s:
        s.add_channel(AE_CHANNEL, "ae-desk")
        s.add_channel(DIGEST_CHANNEL, "sales-digest")
        yield s


def env(standin: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    return {**chasing_env(standin, database_url), "HANDOFF_DIGEST_CHANNEL": DIGEST_CHANNEL, **extra}


def services_for(standin: SlackStandIn, database_url: str, **extra: str) -> Services:
    services = make_services(load_settings(env(standin, database_url, **extra), dotenv=False))
    services.now = lambda: END + timedelta(minutes=1)
    return services


@pytest.fixture
def world(database_url, standin) -> Iterator[tuple[Services, list[dict[str, Any]]]]:
    services = services_for(standin, database_url)
    mix = make_mix()
    with unit(services) as repo:
        insert(repo.session, mix)
    yield services, mix
    services.engine.dispose()
    assert standin.problems == [], standin.problems


def outbox(services: Services) -> Slack:
    clock = FakeTime()
    return Slack.for_sweep(services.client, Pacer(clock=clock.clock, sleep=clock.sleep))


def digests_in(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [
        m
        for m in standin.messages(channel)
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
    ]


def charts_in(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    """The 8-week trend charts shared in the channel."""
    return [m for m in standin.messages(channel) if m.get("files") and m["text"].startswith("📈")]


def calibration_charts_in(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [m for m in standin.messages(channel) if m.get("files") and m["text"].startswith("🎯")]


def trend_uploads(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [u for u in standin.uploads if u["filename"].startswith("handoff-digest-")]


def places(standin: SlackStandIn) -> list[str]:
    return [DIGEST_CHANNEL, *(standin.dm_channel(m) for m in MANAGERS)]


def shown(message: dict[str, Any]) -> str:
    return blocks_to_text(message["blocks"], {})


def test_posted_once_to_the_channel_and_each_manager_with_its_chart(world, standin):
    services, mix = world
    # The two oldest undecided briefs really are in Slack: the digest links to them.
    expected = Expected(mix)
    oldest, _ = expected.stale(5)
    for handoff_id in oldest[:2]:
        posted = services.client.chat_postMessage(channel=AE_CHANNEL, text="brief")
        with unit(services) as repo:
            repo.session.execute(
                update(HandoffRow)
                .where(HandoffRow.id == handoff_id)
                .values(brief_channel=AE_CHANNEL, brief_ts=posted["ts"])
            )

    report = send_due_digest(services, now=END + timedelta(minutes=1), slack=outbox(services))

    assert report is not None and report.period == PERIOD and report.error is None
    assert [d.chart for d in report.deliveries] == [True, True, True]
    assert [d.calibration_chart for d in report.deliveries] == [True, True, True]
    for place in places(standin):
        [digest] = digests_in(standin, place)
        [chart] = charts_in(standin, place)
        [calibration] = calibration_charts_in(standin, place)
        assert digest["metadata"]["event_payload"]["period_end"] == END.isoformat()
        assert chart["files"][0]["mimetype"] == "image/png"
        assert calibration["files"][0]["mimetype"] == "image/png"
        assert chart["text"].startswith("📈 The last 8 weeks")
        # After the message, trend first: the order people read them in.
        order = [m["ts"] for m in (digest, chart, calibration)]
        assert order == sorted(order)
    uploads = standin.uploads
    assert len(uploads) == 6 and all(u["content"].startswith(b"\x89PNG") for u in uploads)
    assert len(trend_uploads(standin)) == 3
    assert all(u["completed"] and u["alt_txt"] for u in uploads)
    assert {u["channel_id"] for u in uploads} == set(places(standin))

    text = shown(digests_in(standin, DIGEST_CHANNEL)[0])
    funnel = expected.funnel(expected.cohort())
    for name, key in (
        ("Submitted", "submitted"),
        ("Accepted", "accepted"),
        ("Rejected", "rejected"),
        ("Still pending", "pending"),
    ):
        assert f"{name} | {funnel[key]} " in text
    assert "Possible rubber stamp: @U0AESTAMP accepted 9 of 9" in text
    assert "Coaching signal: @U0SDRCOACH — 4 of 6 rejections were Wrong persona" in text
    assert "Last 8 weeks" not in text  # the chart carries those figures
    first = oldest[0]
    assert f"https://handoff.slack.com/archives/{AE_CHANNEL}/p" in text
    assert f"· #{first}" in text

    with unit(services) as repo:
        row = repo.session.scalar(select(DigestRow))
        assert row.sent_at is not None and row.channel == DIGEST_CHANNEL and row.attempts == 1

    # Again, a restart, and `handoff digest` for the same period: nothing more is posted.
    posts = len(standin.calls("chat.postMessage"))
    assert send_due_digest(services, now=END + timedelta(minutes=2)) is None
    restarted = services_for(standin, services.settings.database_url)
    try:
        assert send_due_digest(restarted, now=END + timedelta(hours=5)) is None
        again = send_digest(restarted, PERIOD, now=END + timedelta(hours=5))
        assert again.deliveries == [] and again.skipped.startswith("already sent at")
    finally:
        restarted.engine.dispose()
    assert len(standin.calls("chat.postMessage")) == posts
    assert len(standin.uploads) == 6


def test_a_failed_chart_upload_leaves_the_figures_as_text(world, standin, monkeypatch):
    services, mix = world
    monkeypatch.setattr("bot.jobs.weekly_digest.calibration_png", lambda *a: None)
    standin.fail_next("files.getUploadURLExternal", status=200, error="not_allowed_token_type")
    standin.fail_next("upload", status=500, error="upload failed")

    report = send_digest(services, PERIOD, now=END, slack=outbox(services))

    assert [d.chart for d in report.deliveries] == [False, False, True]
    expected = Expected(mix).trend()
    for place, failed in zip(places(standin), (True, True, False), strict=True):
        [digest] = digests_in(standin, place)
        text = shown(digest)
        assert ("Last 8 weeks (the chart could not be uploaded)" in text) is failed
        assert len(charts_in(standin, place)) == (0 if failed else 1)
        if failed:
            table = text.split("could not be uploaded)")[1].split("```")[1].strip().splitlines()
            rows = [line.split() for line in table[1:]]
            assert [(int(r[2]), int(r[3])) for r in rows] == [
                (w["submitted"], w["accepted"]) for w in expected
            ]
    with unit(services) as repo:
        assert repo.session.scalar(select(DigestRow.sent_at)) is not None


def test_two_schedulers_send_one_digest(world, standin, database_url):
    services, _ = world
    other = services_for(standin, database_url)
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def run(s: Services) -> None:
        barrier.wait()
        results.append(sweep_once(s, digest=True, slack=outbox(s)))

    threads = [threading.Thread(target=run, args=(s,)) for s in (services, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    other.engine.dispose()

    for place in places(standin):
        assert len(digests_in(standin, place)) == 1
        assert len(charts_in(standin, place)) == 1
    sent = [r.digest for r in results if r.digest is not None and r.digest.deliveries]
    assert len(sent) == 1


def test_the_ledger_alone_stops_a_second_sender(world, standin, database_url):
    """Without the sweep lock (two `handoff digest` at once): one claim wins."""
    services, _ = world
    other = services_for(standin, database_url)
    barrier = threading.Barrier(2)
    reports: list[Any] = []

    def run(s: Services) -> None:
        barrier.wait()
        reports.append(send_digest(s, PERIOD, now=END, slack=outbox(s)))

    threads = [threading.Thread(target=run, args=(s,)) for s in (services, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    other.engine.dispose()
    assert sorted(len(r.deliveries) for r in reports) == [0, 3]
    assert len(digests_in(standin, DIGEST_CHANNEL)) == 1


def test_a_failure_half_way_is_finished_without_duplicates(world, standin):
    services, _ = world
    standin.fail_next("conversations.open", status=200, error="user_not_found")

    first = send_digest(services, PERIOD, now=END, slack=outbox(services))

    assert first.error == "user_not_found" and len(first.deliveries) == 1
    assert len(digests_in(standin, DIGEST_CHANNEL)) == 1
    with unit(services) as repo:
        entry = digest_ledger.entry(repo.session, START)
        assert entry.sent_at is None and entry.last_error == "user_not_found"

    second = send_digest(services, PERIOD, now=END + timedelta(minutes=1), slack=outbox(services))

    assert [d.recovered for d in second.deliveries] == [True, False, False]
    for place in places(standin):
        assert len(digests_in(standin, place)) == 1
        assert len(charts_in(standin, place)) == 1
    with unit(services) as repo:
        entry = digest_ledger.entry(repo.session, START)
        assert entry.sent_at is not None and entry.attempts == 2


def test_due_on_schedule_coalesced_after_downtime(world, standin):
    services, _ = world
    box = outbox(services)
    # Monday 09:00 in New York is END; a minute earlier the previous period is due, and
    # it too is sent (the bot was in use then), once.
    before = send_due_digest(services, now=END - timedelta(minutes=1), slack=box)
    assert before is not None and before.period.end == START
    assert send_due_digest(services, now=END - timedelta(seconds=30), slack=box) is None
    on_time = send_due_digest(services, now=END, slack=box)
    assert on_time is not None and on_time.period == PERIOD
    # Down for more than two weeks: only the latest period's digest goes out, late.
    late = send_due_digest(services, now=END + timedelta(days=15, hours=3), slack=box)
    assert late is not None and late.period.end == END + timedelta(days=14)
    assert send_due_digest(services, now=END + timedelta(days=15, hours=4), slack=box) is None
    with unit(services) as repo:
        ends = repo.session.scalars(select(DigestRow.period_end).order_by(DigestRow.id)).all()
    assert [e - END for e in ends] == [timedelta(days=-7), timedelta(0), timedelta(days=14)]
    assert len(digests_in(standin, DIGEST_CHANNEL)) == 3


def test_nothing_is_sent_before_the_bot_was_used_or_without_a_destination(database_url, standin):
    services = services_for(standin, database_url)
    try:
        assert send_due_digest(services, now=END) is None  # no handoffs yet
    finally:
        services.engine.dispose()
    nowhere = make_services(
        load_settings({**chasing_env(standin, database_url), "HANDOFF_MANAGERS": ""}, dotenv=False)
    )
    try:
        report = send_digest(nowhere, PERIOD, now=END)
        assert report.skipped and "no destination" in report.skipped
    finally:
        nowhere.engine.dispose()
    assert standin.calls("chat.postMessage") == []


def test_managers_only_when_dm_managers_is_on(database_url, standin, tmp_path):
    team = tmp_path / "team.toml"
    team.write_text("[digest]\ndm_managers = false\n")
    services = services_for(standin, database_url, HANDOFF_CONFIG=str(team))
    try:
        with unit(services) as repo:
            insert(repo.session, make_mix(per_week=3))
        report = send_digest(services, PERIOD, now=END, slack=outbox(services))
    finally:
        services.engine.dispose()
    assert [d.channel for d in report.deliveries] == [DIGEST_CHANNEL]
    assert all(standin.dms(m) == [] for m in MANAGERS)


def test_a_chart_that_cannot_be_drawn_leaves_the_figures_as_text(world, standin, monkeypatch):
    services, _ = world

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr("bot.jobs.weekly_digest.trend_chart", broken)
    report = send_digest(services, PERIOD, now=END, slack=outbox(services))
    assert [d.chart for d in report.deliveries] == [False, False, False]
    assert trend_uploads(standin) == []
    for place in places(standin):
        [digest] = digests_in(standin, place)
        assert "the chart could not be uploaded" in shown(digest)


def test_the_calibration_is_ranked_in_valid_block_kit_and_its_chart_may_fail_alone(world, standin):
    services, _ = world
    # The channel's trend chart fails at the first step, its calibration chart at the second.
    standin.fail_next("files.getUploadURLExternal", status=200, error="not_allowed_token_type")
    standin.fail_next("upload", status=500, error="upload failed")

    report = send_digest(services, PERIOD, now=END, slack=outbox(services))

    assert [d.chart for d in report.deliveries] == [False, True, True]
    assert [d.calibration_chart for d in report.deliveries] == [False, True, True]
    [digest] = digests_in(standin, DIGEST_CHANNEL)
    blocks = digest["blocks"]
    # What Slack would accept: slack_sdk's models, and the limits they do not check.
    assert check_blocks(blocks, "message") == []
    assert all(Block.parse(b) is not None for b in blocks)
    assert len(blocks) <= 50
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert sections and all(len(t) <= 3000 for t in sections)
    text = shown(digest)
    assert "Calibration: which criteria predict acceptance and opportunities" in text
    assert "95% CI" in text and "By score band" in text
    assert calibration_charts_in(standin, DIGEST_CHANNEL) == []
