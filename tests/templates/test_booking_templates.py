"""The SDR's DM about a booked meeting, with whatever a booking form or a tool sends: valid
Block Kit, inert mrkdwn, in each state the booking can be in."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.surfaces.booking_messages import booking_dm, booking_reminder
from storage.bookings import Booking
from tests.support.hostile_text import HOSTILE
from tests.support.inert_text import (
    USER_TEXT,
    assert_safe_mrkdwn,
    assert_valid_message,
    message_mrkdwn,
)

AT = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def _booking(text: str, *, status: str = "booked", handoff_id: int | None = None) -> Booking:
    return Booking(
        id=7,
        team_id="T1",
        tool="calendly",
        booking_key="k",
        status=status,
        booked_by_email="ann@ourco.example",
        sdr_id="U0SDR",
        contact_name=text,
        contact_email="dana@acme.example",
        company=text,
        meeting_at=AT,
        timezone="",
        source=text,
        campaign=text,
        event_name=text,
        answers={text: text},
        booked_at=AT,
        updated_at=AT,
        canceled_at=None,
        draft_id=None,
        handoff_id=handoff_id,
    )


STATES = [
    pytest.param({}, id="booked"),
    pytest.param({"status": "canceled"}, id="canceled"),
    pytest.param({"handoff_id": 3}, id="qualified"),
]


@pytest.mark.parametrize("render", [booking_dm, booking_reminder], ids=["dm", "reminder"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_booking_dm_with_hostile_text(text, state, render):
    message = render(_booking(text, **state))
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))


@settings(max_examples=50)
@given(text=USER_TEXT, state=st.sampled_from([{}, {"status": "canceled"}, {"handoff_id": 3}]))
def test_booking_dm_property(text, state):
    message = booking_dm(_booking(text, **state))
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))


def test_the_dm_reads_as_the_issue_asks():
    message = booking_dm(_booking("Acme Robotics"))
    assert message["text"].startswith(
        "📅 You booked *Acme Robotics* with Acme Robotics for <!date^"
    )
    assert message["text"].endswith("— qualify it")


def _booked_on_home(texts: list[str]) -> list[dict[str, object]]:
    return [
        {"id": i, "company": t, "contact_name": t, "meeting_at": AT if i % 2 else None}
        for i, t in enumerate(texts)
    ]


def test_home_lists_what_was_booked_and_not_qualified_with_hostile_text(config):
    from bot.ids import Action
    from bot.surfaces.home import BOOKINGS_SHOWN, home_view
    from slack_standin import check_view

    texts = list(HOSTILE.values())
    view = home_view([], [], config, bookings=_booked_on_home(texts))
    assert check_view(view) == []
    sections = [b for b in view["blocks"] if b["type"] == "section"]
    assert_safe_mrkdwn([b["text"]["text"] for b in sections])
    buttons = [b["accessory"] for b in sections if "accessory" in b]
    assert [b["action_id"] for b in buttons] == [Action.QUALIFY_BOOKING] * BOOKINGS_SHOWN
    assert any(f"+{len(texts) - BOOKINGS_SHOWN} more" in json.dumps(b) for b in view["blocks"])


def test_every_section_of_home_with_bookings_stays_inside_100_blocks(config):
    from bot.surfaces.home import HOME_MAX_BLOCKS, MANAGER_BLOCKS, AeHome, home_view
    from handoff.model import Status
    from slack_standin import check_view
    from tests.support.hostile_text import make_handoff

    texts = list(HOSTILE.values())
    many = [make_handoff(t, Status.PENDING, handoff_id=100 + i) for i, t in enumerate(texts)]
    ae = AeHome(
        pending=many,
        pending_total=len(many) + 40,
        due=many,
        due_total=len(many),
        upcoming=many,
        upcoming_total=len(many),
    )
    drafts = [
        {"id": i, "mode": "new", "step": 1, "answers": {"company": t}, "updated_at": AT}
        for i, t in enumerate(texts[:10])
    ]
    greedy = [{"type": "section", "text": {"type": "mrkdwn", "text": f"m{i}"}} for i in range(80)]
    view = home_view(
        many,
        drafts,
        config,
        handoffs_total=500,
        ae=ae,
        viewer="U0AE",
        notice="You clicked something stale.",
        manager=greedy,
        bookings=_booked_on_home(texts),
    )
    assert check_view(view) == []
    assert len(view["blocks"]) <= HOME_MAX_BLOCKS
    texts_shown = [b.get("text", {}).get("text", "") for b in view["blocks"]]
    assert sum(t.startswith("m") for t in texts_shown) == MANAGER_BLOCKS
    assert "*Booked, not qualified yet*" in texts_shown
    assert "*Unfinished drafts*" in texts_shown


@pytest.mark.parametrize("assigned", [False, True], ids=["offered", "assigned"])
@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_managers_offer_with_hostile_text(text, assigned):
    from dataclasses import replace

    from bot.surfaces.booking_messages import unmatched_message

    booking = replace(_booking(text), sdr_id=None, booked_by_email=text)
    who = {"assigned_to": "U0SDR", "assigned_by": "U0MGR"} if assigned else {}
    message = unmatched_message(booking, **who)
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))
