"""A burst of booking deliveries while Slack fails some calls: every delivery is answered,
kept and applied once, every SDR asked once per booking, and a delivery that keeps failing
waits longer and longer instead of being hammered."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from bot.jobs.booking_intake import process_left
from bot.jobs.sweep import run_sweep
from storage.inbox import retry_after
from storage.models import BookingRow, InboxRow
from tests.bot.test_booking_intake import Booked, booked  # noqa: F401 (the fixture)
from tests.support.booking_payloads import calendly_invitee, meeting_time
from tests.support.db import unit
from tests.support.slack_app import SDR

# 200 under CI, as the issue asks; fewer by default so a local run stays quick.
BURST = int(os.environ.get("HANDOFF_BURST_N", "200" if os.environ.get("CI") else "60"))
INVITEE = "https://api.calendly.com/scheduled_events/EV{n}/invitees/INV{n}"
METHODS = ("chat.postMessage", "conversations.open", "views.publish", "users.lookupByEmail")


def test_a_burst_with_slack_failing_some_calls_loses_nothing_and_asks_once(booked):  # noqa: F811
    faults = booked.standin.fail_at_random(
        METHODS, rate=0.2, seed=7, kinds=("429", "500", "503", "drop_before", "drop_after")
    )

    def deliver(n: int) -> int:
        body = calendly_invitee(invitee=INVITEE.format(n=n), start=meeting_time(2 + n % 5))
        return booked.calendly(body)[0]

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, range(BURST)))
    assert statuses == [200] * BURST  # every delivery answered, whatever Slack did
    booked.settle()
    booked.standin.stop_failing()
    assert sum(faults.injected.values()) > 0
    # What failed waits out its back-off; the sweeps after it leave nothing behind.
    now = booked.services.now()
    for minutes in (5, 30, 120):
        run_sweep(booked.services, now=now + timedelta(minutes=minutes))
        booked.settle()
    with unit(booked.services) as repo:
        left = repo.session.scalars(select(InboxRow).where(InboxRow.processed_at.is_(None)))
        assert list(left) == []
        keys = list(repo.session.scalars(select(BookingRow.booking_key)))
    assert sorted(keys) == sorted(INVITEE.format(n=n) for n in range(BURST))
    asked: dict[str, int] = {}
    for message in booked.standin.dms(SDR):
        found = re.search(r"Booking #(\d+)", json.dumps(message))
        if found and message["blocks"][1].get("type") == "actions":
            asked[found.group(1)] = asked.get(found.group(1), 0) + 1
    assert len(asked) == BURST and set(asked.values()) == {1}  # each once, none twice


def test_a_delivery_that_keeps_failing_waits_longer_each_time(booked):  # noqa: F811
    booked.standin.fail_next("users.lookupByEmail", status=500, error="internal_error", times=50)
    assert booked.calendly(calendly_invitee())[0] == 200
    booked.settle()
    start = booked.services.now()
    tries = []
    for minute in range(32):
        at = start + timedelta(minutes=minute)
        booked.services.now = lambda at=at: at
        with unit(booked.services) as repo:
            before = repo.session.scalar(select(InboxRow.attempts))
        process_left(booked.services)
        with unit(booked.services) as repo:
            if repo.session.scalar(select(InboxRow.attempts)) != before:
                tries.append(minute)
    # Tried on arrival, then 1, 2, 4, 8 and 16 minutes after each failed try.
    assert tries == [1, 3, 7, 15, 31]
    assert [retry_after(n) for n in (1, 2, 3, 11)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=6),
    ]
