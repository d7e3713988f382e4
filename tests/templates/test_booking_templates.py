"""The SDR's DM about a booked meeting, with whatever a booking form or a tool sends: valid
Block Kit, inert mrkdwn, in each state the booking can be in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.surfaces.booking_messages import booking_dm
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


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_booking_dm_with_hostile_text(text, state):
    message = booking_dm(_booking(text, **state))
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
