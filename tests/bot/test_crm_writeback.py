"""What the AE accepted reaches HubSpot: the real hubspot-api-client against a local
HubSpot stand-in, driven by signed Slack requests to the app. Each object is created once,
whatever fails on the way; an error only a person can fix is told to the managers once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.delivery.pacing import Pacer, Slack
from bot.delivery.sender import deliver_due
from bot.ids import Action
from bot.listeners.transitions import commit_transition
from bot.outside.hubspot import HubSpotCrm
from handoff.effects import Change
from handoff.lifecycle import log_outcome
from handoff.model import MeetingOutcome
from storage.models import CrmRecordRow, HandoffRow
from tests.support.db import unit
from tests.support.hubspot_standin import TOKEN, HubSpotStandIn
from tests.support.slack_app import AE, AE_CHANNEL, SDR

MANAGERS = ("U0MGRDEE", "U0MGREVA")
GROUP_DM = "G" + "".join(sorted(u[1:] for u in MANAGERS))[:20]
AE_EMAIL = "bob@ourco.example"
OWNER = "7001"
TEAM_TOML = """
[crm.hubspot]
deal_pipeline = "default"
deal_stage = "appointmentscheduled"
opportunity_stage = "qualifiedtobuy"
"""


@pytest.fixture
def hub() -> Iterator[HubSpotStandIn]:
    with HubSpotStandIn(
        owners={AE_EMAIL: OWNER},
        pipelines={"default": {"appointmentscheduled", "qualifiedtobuy", "closedwon"}},
    ) as h:
        yield h
    assert h.problems == [], h.problems


@pytest.fixture
def harness_env(hub, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text(TEAM_TOML)
    return {
        "HUBSPOT_ACCESS_TOKEN": TOKEN,
        "HUBSPOT_API_URL": hub.base_url,
        "HANDOFF_MANAGERS": ",".join(MANAGERS),
        "HANDOFF_CONFIG": str(config),
    }


@pytest.fixture
def standin(standin):
    standin.add_user(AE, name="bob", email=AE_EMAIL)
    for manager in MANAGERS:
        standin.add_user(manager, name=manager.lower())
    return standin


def _settle(harness) -> None:
    assert harness.services.pool.wait_idle(30)


def _sweep(harness):
    _settle(harness)
    slack = Slack.for_sweep(harness.services.client, Pacer(sleep=lambda s: None))
    return deliver_due(harness.services, slack)


def _accept(harness) -> int:
    brief = harness.submit_handoff()
    _settle(harness)
    told = len(harness.standin.dms(SDR))
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: len(harness.standin.dms(SDR)) > told)
    _settle(harness)
    with unit(harness.services) as repo:
        return repo.session.query(HandoffRow.id).order_by(HandoffRow.id.desc()).first()[0]


def _kept(harness, handoff_id: int) -> dict[str, str]:
    with unit(harness.services) as repo:
        rows = repo.session.query(CrmRecordRow).filter_by(handoff_id=handoff_id).all()
        return {r.object_type: r.external_id for r in rows}


def _one_of_each(hub: HubSpotStandIn) -> dict[str, dict[str, str]]:
    found = {}
    for kind in ("companies", "contacts", "meetings", "notes", "deals"):
        records = hub.records(kind)
        assert len(records) == 1, (kind, records)
        found[kind] = records[0]
    return found


def test_an_accepted_handoff_writes_company_contact_meeting_note_and_deal_once(harness, hub):
    hid = _accept(harness)
    made = _one_of_each(hub)
    company, contact, meeting = made["companies"], made["contacts"], made["meetings"]
    note, deal = made["notes"], made["deals"]
    assert (company["name"], company["domain"]) == ("Acme Robotics", "acme-robotics.example")
    assert contact["email"] == "dana@acme-robotics.example"
    assert (contact["firstname"], contact["lastname"]) == ("Dana", "Whitfield")
    assert contact["jobtitle"] == "VP Operations"
    assert meeting["hs_meeting_title"] == f"Acme Robotics – intro meeting (handoff #{hid})"
    assert meeting["hs_meeting_outcome"] == "SCHEDULED"
    assert meeting["hubspot_owner_id"] == OWNER
    assert meeting["hs_timestamp"] == meeting["hs_meeting_start_time"]
    assert "Unplanned downtime on two lines" in meeting["hs_meeting_body"]
    assert "Lee Park (Plant IT lead, " in note["hs_note_body"]
    assert "A paper log per shift" in note["hs_note_body"]
    assert (deal["pipeline"], deal["dealstage"]) == ("default", "appointmentscheduled")
    # Every engagement tied to the contact and the company; the contact to its company.
    for kind in ("meetings", "notes", "deals"):
        mine = made[kind]["id"]
        assert hub.associated(kind, mine) == {
            ("contacts", contact["id"]),
            ("companies", company["id"]),
        }
    assert hub.associated("contacts", contact["id"]) == {("companies", company["id"])}
    assert _kept(harness, hid) == {
        "company": company["id"],
        "contact": contact["id"],
        "meeting": meeting["id"],
        "note": note["id"],
        "deal": deal["id"],
    }
    # Nothing left to send, and sending again creates nothing.
    assert _sweep(harness).called == []
    _one_of_each(hub)


def test_an_outcome_updates_the_meeting_and_moves_the_deal(harness, hub):
    hid = _accept(harness)
    creates = hub.count("create")
    services = harness.services
    later = _later(harness, hid)
    services.now = lambda: later
    commit_transition(
        services,
        hid,
        lambda repo: log_outcome(
            repo,
            hid,
            actor=AE,
            outcome=MeetingOutcome.HELD_OPPORTUNITY,
            managers=(),
            now=services.now(),
        ),
        Change.OUTCOME_LOGGED,
        actor=AE,
    )
    _settle(harness)
    made = _one_of_each(hub)
    assert made["meetings"]["hs_meeting_outcome"] == "COMPLETED"
    assert made["deals"]["dealstage"] == "qualifiedtobuy"
    assert hub.count("create") == creates


def _later(harness, hid):
    with unit(harness.services) as repo:
        meeting = repo.get(hid).meeting_time
    return meeting + timedelta(hours=2)


def test_a_rejection_writes_a_note_with_the_reason(harness, hub):
    harness.reject(AE, harness.submit_handoff())
    _settle(harness)
    [note] = hub.records("notes")
    assert "Rejected" in note["hs_note_body"] and "persona" in note["hs_note_body"].lower()
    assert hub.records("meetings") == [] and hub.records("deals") == []
    assert len(hub.records("companies")) == 1 and len(hub.records("contacts")) == 1


@pytest.mark.parametrize("mode", ["drop_after", "answer"])
def test_a_create_whose_answer_is_lost_or_failed_is_not_made_twice(harness, hub, mode):
    # The meeting is created but its answer never comes back (or HubSpot answers 503).
    hub.fail_next("create", "meetings", mode=mode, status=503)
    hid = _accept(harness)
    assert len(hub.records("meetings")) == (1 if mode == "drop_after" else 0)
    assert hub.records("notes") == []
    swept = _sweep(harness)
    assert [j.kind for j in swept.called] == ["crm"]
    _one_of_each(hub)
    # A lost answer is looked for before anything is created again; a refused call is not.
    assert hub.count("create", "meetings") == (1 if mode == "drop_after" else 2)
    assert hub.count("search", "meetings") == 1
    assert set(_kept(harness, hid)) == {"company", "contact", "meeting", "note", "deal"}
    assert _sweep(harness).called == []


def test_a_429_is_waited_out(harness, hub):
    hub.fail_next("create", "companies", status=429, retry_after="1")
    _accept(harness)
    _one_of_each(hub)
    assert harness.services.crm.waits == [1.0]
    assert hub.count("create", "companies") == 2  # the 429, then the one that went through


def test_a_refused_token_tells_the_managers_once_and_the_rest_goes_on(harness, hub):
    good = harness.services.crm
    harness.services.crm = HubSpotCrm("pat-na1-revoked", hub.base_url)
    first = _accept(harness)
    second = _accept(harness)
    _settle(harness)
    assert hub.records("companies") == []
    [told] = harness.standin.messages(GROUP_DM)
    assert "401" in told["text"] and "HUBSPOT_ACCESS_TOKEN" in told["text"]
    assert _sweep(harness).called == []  # waiting an hour between tries
    # The token is fixed: the next tries write both, and nobody is told again.
    harness.services.crm = good
    later = harness.services.now() + timedelta(hours=2)
    harness.services.now = lambda: later
    swept = _sweep(harness)
    assert sorted(j.handoff_id for j in swept.called) == [first, second]
    assert len(hub.records("meetings")) == 2 and len(hub.records("companies")) == 1
    assert len(harness.standin.messages(GROUP_DM)) == 1
    assert len(harness.standin.messages(AE_CHANNEL)) == 2


def test_a_meeting_canceled_in_its_booking_tool_is_canceled_in_hubspot(harness, hub):
    from handoff.effects import after
    from handoff.lifecycle import meeting_canceled

    hid = _accept(harness)
    services = harness.services
    with services.uow() as uow:
        ended = meeting_canceled(
            uow.handoffs, hid, by="calendly", reason="No longer needed", now=services.now()
        )
        uow.outbox.add(
            after(Change.MEETING_CANCELED, ended.handoff, actor="", meeting_changes=1, crm=True),
            now=services.now(),
        )
        written = list(uow.outbox.written)
    services.deliver_soon(written)
    _settle(harness)
    made = _one_of_each(hub)
    assert made["meetings"]["hs_meeting_outcome"] == "CANCELED"
