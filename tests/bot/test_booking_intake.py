"""Meetings booked in a scheduling tool, over HTTP: signed webhooks in, one DM to the SDR,
the wizard prefilled from the booking, one brief; replays and reschedules change nothing
they should not.

The bodies and signatures follow each tool's docs (tests/support/booking_payloads.py)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.entrypoints.intake import Intake
from bot.entrypoints.web import create_wsgi
from bot.ids import Action, Block
from bot.jobs.sweep import run_sweep
from bot.services import Services, make_services
from bot.settings import load_settings
from handoff.model import MessageKind
from slack_standin import SlackSender, SlackStandIn
from storage.models import BookingRow, HandoffRow, InboxRow, OutboxRow
from tests.support.booking_payloads import (
    CALCOM_SECRET,
    CALENDLY_KEY,
    CHILI_TOKEN,
    GENERIC_SECRET,
    HUBSPOT_SECRET,
    SDR_EMAIL,
    calcom_booking,
    calcom_signature,
    calendly_invitee,
    calendly_signature,
    chilipiper_meeting,
    generic_booking,
    hubspot_headers,
    hubspot_meeting,
    meeting_time,
    raw,
)
from tests.support.db import unit
from tests.support.slack_app import (
    AE,
    AE2,
    AE_CHANNEL,
    SDR,
    SECRET,
    Harness,
    app_env,
    wizard_values,
)

OLD = "https://api.calendly.com/scheduled_events/EV1/invitees/INV1"
NEW = "https://api.calendly.com/scheduled_events/EV2/invitees/INV2"


@dataclass
class Booked:
    harness: Harness
    intake: Intake

    @property
    def services(self) -> Services:
        return self.harness.services

    @property
    def standin(self) -> SlackStandIn:
        return self.harness.standin

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.harness.url + path,
            data=body,
            headers={"Content-Type": "application/json", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def calendly(self, body: dict[str, Any], *, at: int | None = None, key: str = CALENDLY_KEY):
        data = raw(body)
        signature = calendly_signature(data, key, at)
        return self.post("/webhooks/calendly", data, {"Calendly-Webhook-Signature": signature})

    def settle(self) -> None:
        assert self.intake.pool.wait_idle()
        assert self.services.pool is not None and self.services.pool.wait_idle()

    def count(self, model: Any) -> int:
        with unit(self.services) as repo:
            return int(repo.session.scalar(select(func.count()).select_from(model)) or 0)

    def bookings(self) -> list[BookingRow]:
        with unit(self.services) as repo:
            rows = list(repo.session.scalars(select(BookingRow).order_by(BookingRow.id)))
            repo.session.expunge_all()
            return rows

    def home(self) -> str:
        """The SDR's Home as last published, as JSON text."""
        published = [c for c in self.standin.calls("views.publish") if c.args["user_id"] == SDR]
        return json.dumps(published[-1].args["view"]) if published else ""

    def dms(self) -> list[dict[str, Any]]:
        return self.standin.messages(self.standin.dm_channel(SDR))


MANAGER = "U0MGRMAY"


@pytest.fixture
def booked(database_url: str) -> Iterator[Booked]:
    yield from _serve(database_url, {})


@pytest.fixture
def booked_with_managers(database_url: str) -> Iterator[Booked]:
    yield from _serve(database_url, {"HANDOFF_MANAGERS": MANAGER})


def _serve(database_url: str, extra: dict[str, str]) -> Iterator[Booked]:
    with SlackStandIn() as standin:
        standin.add_channel(AE_CHANNEL, "ae-desk", members=(AE, AE2))
        standin.add_user(SDR, name="ann", email=SDR_EMAIL)
        for user in (AE, AE2, MANAGER):
            standin.add_user(user, name=user.lower())
        env = {
            **app_env(standin, database_url),
            "CALENDLY_WEBHOOK_SIGNING_KEY": CALENDLY_KEY,
            "CALCOM_WEBHOOK_SECRET": CALCOM_SECRET,
            "HANDOFF_BOOKING_WEBHOOK_SECRET": GENERIC_SECRET,
            "CHILIPIPER_WEBHOOK_TOKEN": CHILI_TOKEN,
            "HUBSPOT_CLIENT_SECRET": HUBSPOT_SECRET,
            **extra,
        }
        services = make_services(load_settings(env))
        app = build_app(services)
        intake = Intake(services)
        with LocalServer(create_wsgi(app, services.engine, intake=intake)) as server:
            slack = SlackSender(server.url + "/slack/events", SECRET, standin)
            yield Booked(Harness(standin, slack, SDR, services, server.url), intake)
        intake.close()
        services.close()
        assert standin.problems == [], standin.problems


def test_a_booking_by_a_mapped_sdr_gives_one_dm_whose_button_opens_the_prefilled_wizard(booked):
    start = meeting_time()
    status, answer = booked.calendly(calendly_invitee(start=start))
    assert (status, answer) == (200, {"ok": True})
    booked.settle()

    [dm] = booked.dms()
    assert "You booked *Acme Robotics* with Dana Whitfield for <!date^" in dm["text"]
    assert dm["text"].endswith("— qualify it")
    assert len(booked.standin.calls("users.lookupByEmail")) == 1
    assert "Booked, not qualified yet" in booked.home()

    _press_qualify(booked, dm)
    view = booked.harness.latest_view()
    initial = _initial_values(view)  # the first step: the meeting and its source
    assert initial["company"] == "Acme Robotics"
    assert initial["meeting_at"] == int(start.timestamp())
    assert initial["source"] == "inbound_demo"
    assert "UTM: source linkedin, campaign q4-robotics" in initial["notes"]
    with booked.services.uow(read_only=True) as uow:
        draft = uow.drafts.latest()
    assert draft is not None  # the later steps open on the rest of what the booking knew
    assert draft.answers["contact_name"] == "Dana Whitfield"
    assert draft.answers["contact_email"] == "dana@acme-robotics.com"

    # The SDR types only what the booking could not know.
    prefilled = ("company", "website", "contact_name", "contact_email", "meeting_at", "source")
    values = {k: v for k, v in wizard_values().items() if k not in prefilled}
    posted = len(booked.standin.messages(AE_CHANNEL))
    outcome = booked.harness.send(view, values)
    assert outcome.action == "close", outcome
    booked.harness.wait_until(lambda: len(booked.standin.messages(AE_CHANNEL)) == posted + 1)
    booked.settle()
    with unit(booked.services) as repo:
        handoff = repo.session.scalars(select(HandoffRow)).one()
        assert (handoff.company, handoff.contact_email) == (
            "Acme Robotics",
            "dana@acme-robotics.com",
        )
        assert handoff.meeting_at == start
        assert handoff.source == "inbound_demo"
    [booking] = booked.bookings()
    assert booking.handoff_id == handoff.id
    assert len(booked.standin.messages(AE_CHANNEL)) == posted + 1
    assert "Booked, not qualified yet" not in booked.home()


def test_a_replay_of_the_same_delivery_changes_nothing(booked):
    body = calendly_invitee()
    assert booked.calendly(body)[0] == 200
    booked.settle()
    assert booked.calendly(body)[0] == 200
    booked.settle()
    assert booked.count(InboxRow) == 1
    assert len(booked.bookings()) == 1
    assert len(booked.dms()) == 1


@pytest.mark.parametrize("new_first", [False, True])
def test_a_calendly_reschedule_leaves_one_booking_with_the_new_time(booked, new_first):
    first, moved = meeting_time(2), meeting_time(5)
    assert booked.calendly(calendly_invitee(invitee=OLD, start=first))[0] == 200
    booked.settle()
    cancel = calendly_invitee(
        "invitee.canceled", invitee=OLD, start=first, rescheduled=True, new_invitee=NEW
    )
    create = calendly_invitee(invitee=NEW, start=moved, old_invitee=OLD)
    for body in (create, cancel) if new_first else (cancel, create):
        assert booked.calendly(body)[0] == 200
        booked.settle()
    [booking] = booked.bookings()
    assert (booking.status, booking.booking_key, booking.previous_key) == ("booked", NEW, OLD)
    assert booking.meeting_at == moved
    assert len(booked.dms()) == 1  # asked once, not once per half of the reschedule


def test_a_cancellation_marks_the_booking_canceled_and_the_button_says_so(booked):
    assert booked.calendly(calendly_invitee())[0] == 200
    booked.settle()
    assert booked.calendly(calendly_invitee("invitee.canceled"))[0] == 200
    booked.settle()
    [booking] = booked.bookings()
    assert booking.status == "canceled" and booking.canceled_at is not None
    [dm] = booked.dms()
    assert "canceled in Calendly" in json.dumps(_press_qualify(booked, dm))


def test_an_unmapped_booker_is_kept_without_a_dm(booked):
    body = calendly_invitee()
    body["payload"]["scheduled_event"]["event_memberships"][0]["user_email"] = "new@ourco.example"
    assert booked.calendly(body)[0] == 200
    booked.settle()
    [booking] = booked.bookings()
    assert booking.sdr_id is None and booking.booked_by_email == "new@ourco.example"
    assert booked.dms() == []
    with unit(booked.services) as repo:
        delivery = repo.session.scalars(select(InboxRow)).one()
        assert delivery.processed_at is not None and delivery.error is None


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("wrong key", "bad signature"),
        ("stale", "Calendly-Webhook-Signature's t is more than 3 minutes off"),
        ("missing", "Calendly-Webhook-Signature is missing"),
    ],
)
def test_a_bad_or_stale_signature_is_401_and_nothing_is_stored(booked, how, reason):
    data = raw(calendly_invitee())
    if how == "missing":
        status, answer = booked.post("/webhooks/calendly", data, {})
    else:
        key = "not-the-key" if how == "wrong key" else CALENDLY_KEY
        at = int(time.time() - timedelta(minutes=4).total_seconds()) if how == "stale" else None
        status, answer = booked.calendly(calendly_invitee(), key=key, at=at)
    assert (status, answer) == (401, {"error": reason})
    booked.settle()
    assert booked.count(InboxRow) == 0 and booked.count(BookingRow) == 0


def test_a_malformed_body_is_400_with_one_line_and_nothing_stored(booked):
    body = calendly_invitee()
    del body["payload"]["scheduled_event"]["start_time"]
    assert booked.calendly(body) == (
        400,
        {"error": "payload.scheduled_event.start_time is missing"},
    )
    data = b'{"event": "invitee.created", '
    headers = {"Calendly-Webhook-Signature": calendly_signature(data)}
    assert booked.post("/webhooks/calendly", data, headers) == (
        400,
        {"error": "the body is not JSON"},
    )
    assert booked.count(InboxRow) == 0


def test_an_event_type_the_bot_does_not_act_on_is_200_and_ignored(booked):
    body = {"event": "routing_form_submission.created", "payload": {}}
    assert booked.calendly(body) == (200, {"ok": True, "ignored": "event type"})
    assert booked.count(InboxRow) == 0


def test_cal_com_booking_then_reschedule_then_cancel_is_one_booking(booked):
    def send(body: dict[str, Any]) -> int:
        data = raw(body)
        status, _ = booked.post(
            "/webhooks/calcom", data, {"X-Cal-Signature-256": calcom_signature(data)}
        )
        booked.settle()
        return status

    moved = meeting_time(6)
    assert send(calcom_booking(uid="one")) == 200
    assert (
        send(calcom_booking("BOOKING_RESCHEDULED", uid="two", start=moved, reschedule_uid="one"))
        == 200
    )
    [booking] = booked.bookings()
    assert (booking.booking_key, booking.meeting_at, booking.status) == ("two", moved, "booked")
    assert send(calcom_booking("BOOKING_CANCELLED", uid="two")) == 200
    [booking] = booked.bookings()
    assert booking.status == "canceled"
    assert len(booked.dms()) == 1
    data = raw(calcom_booking(uid="three"))
    bad = booked.post("/webhooks/calcom", data, {"X-Cal-Signature-256": "00" * 32})
    assert bad == (401, {"error": "bad signature"})


def test_the_generic_endpoint_is_signed_like_calendly(booked):
    data = raw(generic_booking())
    signature = calendly_signature(data, GENERIC_SECRET)
    assert booked.post("/webhooks/meeting-booked", data, {"X-Handoff-Signature": signature}) == (
        200,
        {"ok": True},
    )
    booked.settle()
    [booking] = booked.bookings()
    assert (booking.tool, booking.company, booking.sdr_id) == ("generic", "Acme Robotics", SDR)


def test_chili_piper_created_updated_deleted_is_one_booking_behind_its_url_token(booked):
    def send(body: dict[str, Any], token: str = CHILI_TOKEN) -> int:
        status, _ = booked.post(f"/webhooks/chilipiper/{token}", raw(body), {})
        booked.settle()
        return status

    moved = meeting_time(4)
    assert send(chilipiper_meeting()) == 200
    assert send(chilipiper_meeting()) == 200  # a replay
    [booking] = booked.bookings()
    assert (booking.tool, booking.company, booking.sdr_id) == ("chilipiper", "Acme Robotics", SDR)
    assert len(booked.dms()) == 1
    assert send(chilipiper_meeting("Updated", start=moved)) == 200
    [booking] = booked.bookings()
    assert booking.meeting_at == moved
    assert send(chilipiper_meeting("Deleted", start=moved)) == 200
    [booking] = booked.bookings()
    assert booking.status == "canceled"
    # A wrong token is refused like a bad signature, and nothing is stored.
    stored = booked.count(InboxRow)
    assert send(chilipiper_meeting(meeting_id="other"), token="x" * 43) == 401
    assert send(chilipiper_meeting(meeting_id="other"), token="") == 401
    assert booked.count(InboxRow) == stored


def test_hubspot_signs_method_url_body_and_time_and_its_outcome_cancels(booked):
    url = booked.harness.url + "/webhooks/hubspot"

    def send(body: dict[str, Any], **signing: Any) -> int:
        data = raw(body)
        status, _ = booked.post("/webhooks/hubspot", data, hubspot_headers(url, data, **signing))
        booked.settle()
        return status

    assert send(hubspot_meeting()) == 200
    [booking] = booked.bookings()
    assert (booking.tool, booking.booking_key, booking.sdr_id) == ("hubspot", "51234", SDR)
    assert booking.meeting_at == meeting_time()
    assert len(booked.dms()) == 1
    stale = int((time.time() - 6 * 60) * 1000)
    assert send(hubspot_meeting(object_id=2), at_ms=stale) == 401
    assert send(hubspot_meeting(object_id=2), secret="wrong") == 401
    assert len(booked.bookings()) == 1
    assert send(hubspot_meeting("CANCELED")) == 200
    [booking] = booked.bookings()
    assert booking.status == "canceled"


def test_a_delivery_left_unprocessed_by_a_crash_is_processed_by_the_sweep(booked):
    from datetime import UTC, datetime

    from bot.jobs.sweep import run_sweep

    with booked.services.uow() as uow:  # stored and answered; the process died before the pool ran
        uow.inbox.keep(
            team_id=booked.services.installed_team(),
            tool="calendly",
            external_id=f"invitee.created:{OLD}",
            body=raw(calendly_invitee()).decode(),
            now=datetime.now(UTC),
        )
    run_sweep(booked.services, now=datetime.now(UTC))
    booked.settle()
    [booking] = booked.bookings()
    assert booking.sdr_id == SDR
    assert len(booked.dms()) == 1
    with unit(booked.services) as repo:
        kinds = repo.session.scalars(
            select(OutboxRow.kind).where(OutboxRow.booking_id.is_not(None))
        )
        assert list(kinds) == [MessageKind.BOOKING_DM]


def test_an_endpoint_without_its_secret_is_not_served(harness):
    data = raw(calendly_invitee())
    request = urllib.request.Request(harness.url + "/webhooks/calendly", data=data, method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 404


def _initial_values(view: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        for key in ("initial_value", "initial_date_time", "initial_option"):
            if key in element:
                value = element[key]
                out[block["block_id"]] = value["value"] if key == "initial_option" else value
    return out


def test_a_reschedule_moves_the_time_in_a_wizard_begun_from_the_booking(booked):
    first, moved = meeting_time(2), meeting_time(5)
    assert booked.calendly(calendly_invitee(invitee=OLD, start=first))[0] == 200
    booked.settle()
    [dm] = booked.dms()
    _press_qualify(booked, dm)
    assert booked.calendly(calendly_invitee(invitee=NEW, start=moved, old_invitee=OLD))[0] == 200
    booked.settle()
    with booked.services.uow(read_only=True) as uow:
        draft = uow.drafts.latest()
    assert draft is not None and draft.answers["meeting_at"] == int(moved.timestamp())
    [booking] = booked.bookings()
    assert booking.draft_id == draft.id


def test_a_booking_nobody_matches_is_offered_to_the_managers_who_say_whose_it_is(
    booked_with_managers,
):
    booked = booked_with_managers
    stranger = "alias@ourco.example"
    body = calendly_invitee()
    body["payload"]["scheduled_event"]["event_memberships"][0]["user_email"] = stranger
    assert booked.calendly(body)[0] == 200
    booked.settle()
    assert booked.dms() == []
    group = booked.standin.dm_channel(MANAGER)
    [offer] = booked.standin.messages(group)
    assert f"{stranger} booked *Acme Robotics* with Dana Whitfield" in offer["text"]
    [picker] = [b for b in offer["blocks"] if b["type"] == "actions"]

    # Someone who is not a manager cannot answer it.
    booked.harness.slack.block_action_in_message(
        AE, group, offer["ts"], Action.ASSIGN_BOOKING, picker["block_id"], SDR
    )
    booked.settle()
    assert booked.dms() == []

    booked.harness.slack.block_action_in_message(
        MANAGER, group, offer["ts"], Action.ASSIGN_BOOKING, picker["block_id"], SDR
    )
    booked.harness.wait_until(lambda: len(booked.dms()) == 1)
    booked.settle()
    [booking] = booked.bookings()
    assert booking.sdr_id == SDR
    answered = booked.standin.message(group, offer["ts"])
    assert f"<@{MANAGER}> said <@{SDR}> booked it" in json.dumps(answered["blocks"])
    assert not [b for b in answered["blocks"] if b["type"] == "actions"]

    # The next booking from that email goes straight to the SDR, and is not offered again.
    later = calendly_invitee(invitee=NEW)
    later["payload"]["scheduled_event"]["event_memberships"][0]["user_email"] = stranger
    assert booked.calendly(later)[0] == 200
    booked.settle()
    assert len(booked.dms()) == 2
    assert len(booked.standin.messages(group)) == 1


def _qualify(booked: Booked) -> dict[str, Any]:
    """Click Qualify it in the SDR's DM and send the wizard; the brief as posted."""
    [dm] = booked.dms()
    posted = len(booked.standin.messages(AE_CHANNEL))
    _qualify_booking(booked, dm)
    booked.harness.wait_until(lambda: len(booked.standin.messages(AE_CHANNEL)) == posted + 1)
    booked.settle()
    return booked.standin.messages(AE_CHANNEL)[-1]


@pytest.mark.parametrize("accepted", [False, True], ids=["undecided", "accepted"])
def test_a_reschedule_after_qualifying_moves_the_same_handoff(booked, accepted):
    first, moved = meeting_time(2), meeting_time(5)
    assert booked.calendly(calendly_invitee(invitee=OLD, start=first))[0] == 200
    booked.settle()
    brief = _qualify(booked)
    if accepted:
        booked.harness.click(AE, brief, Action.ACCEPT)
        booked.settle()
    cancel = calendly_invitee(
        "invitee.canceled", invitee=OLD, start=first, rescheduled=True, new_invitee=NEW
    )
    for body in (cancel, calendly_invitee(invitee=NEW, start=moved, old_invitee=OLD)):
        assert booked.calendly(body)[0] == 200
        booked.settle()
    with unit(booked.services) as repo:
        handoff = repo.session.scalars(select(HandoffRow)).one()  # one handoff, not a second
        if accepted:
            assert (handoff.status, handoff.rescheduled_to) == ("accepted", moved)
            assert (handoff.outcome, handoff.outcome_by) == ("rescheduled", "calendly")
            assert handoff.chase_round == 1 and handoff.meeting_at == first
        else:
            assert (handoff.status, handoff.meeting_at) == ("pending", moved)
    shown = json.dumps(booked.standin.message(AE_CHANNEL, brief["ts"]))
    assert f"<!date^{int(moved.timestamp())}^" in shown  # the brief was updated in place
    [note] = _thread(booked, brief)  # ... with one note in its thread
    assert "Moved* in Calendly" in json.dumps(note)
    assert f"<!date^{int(moved.timestamp())}^" in json.dumps(note)
    told = [m for m in booked.standin.dms(AE) if "Moved* in Calendly" in json.dumps(m)]
    assert len(told) == (1 if accepted else 0)  # the accepting AE is told
    [booking] = booked.bookings()
    assert booking.meeting_at == moved and booking.handoff_id == handoff.id


def _thread(booked: Booked, brief: dict[str, Any]) -> list[dict[str, Any]]:
    """The replies in the brief's thread; and the brief the only top-level message."""
    messages = booked.standin.messages(AE_CHANNEL)
    assert [m["ts"] for m in messages if m.get("thread_ts", m["ts"]) == m["ts"]] == [brief["ts"]]
    return [m for m in messages if m.get("thread_ts") == brief["ts"] and m["ts"] != brief["ts"]]


@pytest.mark.parametrize("accepted", [False, True], ids=["undecided", "accepted"])
def test_a_cancellation_after_qualifying_ends_the_handoff_canceled(booked, accepted):
    assert booked.calendly(calendly_invitee(invitee=OLD))[0] == 200
    booked.settle()
    brief = _qualify(booked)
    if accepted:
        booked.harness.click(AE, brief, Action.ACCEPT)
        booked.settle()
    for _ in range(2):  # the second is Calendly's retry of the same delivery
        assert booked.calendly(calendly_invitee("invitee.canceled", invitee=OLD))[0] == 200
        booked.settle()
    with unit(booked.services) as repo:
        handoff = repo.session.scalars(select(HandoffRow)).one()
        assert (handoff.status, handoff.next_chase_at) == ("canceled", None)
    shown = booked.standin.message(AE_CHANNEL, brief["ts"])
    assert "Meeting canceled" in json.dumps(shown)
    assert not [b for b in shown["blocks"] if b["type"] == "actions"]  # no Accept any more
    [note] = _thread(booked, brief)
    assert "Canceled* in Calendly" in json.dumps(note) and "moved" in json.dumps(note)
    told = [m for m in booked.standin.dms(AE) if "Canceled* in Calendly" in json.dumps(m)]
    assert len(told) == (1 if accepted else 0)
    # Nothing is chased any more, however late it gets.
    run_sweep(booked.services, now=booked.services.now() + timedelta(days=30))
    booked.settle()
    assert len(_thread(booked, brief)) == 1
    if not accepted:  # a late click is told why nothing changes
        booked.harness.click(AE, brief, Action.ACCEPT)
        booked.harness.wait_until(lambda: booked.standin.ephemerals)
        assert "canceled in the scheduling tool" in json.dumps(booked.standin.ephemerals[-1])


def test_a_no_show_from_calendly_logs_the_accepted_meetings_outcome(booked):
    assert booked.calendly(calendly_invitee(invitee=OLD))[0] == 200
    booked.settle()
    brief = _qualify(booked)
    booked.harness.click(AE, brief, Action.ACCEPT)
    booked.settle()
    assert booked.calendly(calendly_invitee("invitee_no_show.created", invitee=OLD))[0] == 200
    booked.settle()
    with unit(booked.services) as repo:
        handoff = repo.session.scalars(select(HandoffRow)).one()
        assert (handoff.outcome, handoff.outcome_by) == ("no_show", "calendly")
    [note] = _thread(booked, brief)
    assert "No-show" in json.dumps(note) or "no-show" in json.dumps(note).lower()


def test_the_digest_counts_booked_qualified_unqualified_and_canceled_with_the_time_to_qualify(
    booked,
):
    from bot.jobs.weekly_digest import build, period_ending
    from bot.surfaces.digest_message import digest_message

    assert booked.calendly(calendly_invitee(invitee=OLD))[0] == 200
    booked.settle()
    brief = _qualify(booked)  # qualified …
    booked.harness.click(AE, brief, Action.ACCEPT)
    booked.settle()
    for body in (calendly_invitee(invitee=NEW), calendly_invitee("invitee.canceled", invitee=NEW)):
        assert booked.calendly(body)[0] == 200  # … one canceled …
        booked.settle()
    assert booked.calendly(calendly_invitee(invitee=OLD + "-3"))[0] == 200  # … one not yet
    booked.settle()
    with unit(booked.services) as repo:
        handoff = repo.session.scalars(select(HandoffRow)).one()
        assert handoff.seconds_from_booking is not None and handoff.seconds_from_booking >= 0
    config = booked.services.config
    period = period_ending(config, booked.services.now() + timedelta(hours=1))
    digest = build(booked.services, period)
    total = digest.booked.total
    assert (total.booked, total.qualified, total.unqualified, total.canceled) == (3, 1, 1, 1)
    assert total.median_seconds == handoff.seconds_from_booking
    [sdr] = digest.booked.sdrs
    assert (sdr.key, sdr.booked) == (SDR, 3)
    [source] = digest.booked.sources
    assert source.key == "linkedin"  # the UTM source
    text = json.dumps(digest_message(digest, config), ensure_ascii=False)
    assert "Booked in a scheduling tool" in text
    assert "*3* booked · 1 qualified · 1 not yet · 1 canceled" in text


def test_a_booking_still_unqualified_is_reminded_once_before_its_meeting(booked):
    assert booked.calendly(calendly_invitee(invitee=OLD, start=meeting_time(3)))[0] == 200
    assert booked.calendly(calendly_invitee(invitee=NEW, start=meeting_time(3)))[0] == 200
    booked.settle()
    new_id = next(b.id for b in booked.bookings() if b.booking_key == NEW)
    [dm] = [m for m in booked.dms() if f"Booking #{new_id}" in json.dumps(m)]
    _qualify_booking(booked, dm)  # the second is qualified: no reminder
    remind_at = {b.booking_key: b.remind_at for b in booked.bookings()}
    assert remind_at[NEW] is None and remind_at[OLD] is not None
    assert remind_at[OLD] < meeting_time(3) - timedelta(hours=23)  # [booking]'s 24 h, or earlier
    for _ in range(2):  # a second sweep sends nothing more
        run_sweep(booked.services, now=remind_at[OLD] + timedelta(minutes=1))
        booked.settle()
    reminders = [m for m in booked.dms() if "not qualified yet" in json.dumps(m)]
    assert len(reminders) == 1
    [reminder] = reminders
    assert reminder["blocks"][1]["elements"][0]["action_id"] == Action.QUALIFY_BOOKING
    assert [b.remind_at for b in booked.bookings()] == [None, None]


def _press_qualify(booked: Booked, dm: dict[str, Any]) -> dict[str, Any]:
    """The SDR presses Qualify it in `dm`; the view Slack was asked to open."""
    button = dm["blocks"][1]["elements"][0]
    assert button["action_id"] == Action.QUALIFY_BOOKING
    opened = len(booked.standin.calls("views.open"))
    booked.harness.slack.block_action_in_message(
        SDR,
        booked.standin.dm_channel(SDR),
        dm["ts"],
        Action.QUALIFY_BOOKING,
        Block.BOOKING_ACTIONS,
        button["value"],
    )
    return booked.standin.wait_for("views.open", count=opened + 1)[-1].args["view"]


def _qualify_booking(booked: Booked, dm: dict[str, Any]) -> None:
    _press_qualify(booked, dm)
    prefilled = ("company", "website", "contact_name", "contact_email", "meeting_at", "source")
    values = {k: v for k, v in wizard_values().items() if k not in prefilled}
    assert booked.harness.send(booked.harness.latest_view(), values).action == "close"
    booked.settle()


def test_a_booker_mapped_in_the_teams_file_is_never_looked_up(database_url, tmp_path):
    team = tmp_path / "team.toml"
    team.write_text(f"[booking.people]\n'alias@ourco.example' = '{SDR}'\n")
    served = _serve(database_url, {"HANDOFF_CONFIG": str(team)})
    booked = next(served)
    try:
        body = calendly_invitee(host_email="alias@ourco.example")
        assert booked.calendly(body)[0] == 200
        booked.settle()
        [booking] = booked.bookings()
        assert booking.sdr_id == SDR and len(booked.dms()) == 1
        assert booked.standin.calls("users.lookupByEmail") == []
    finally:
        next(served, None)
