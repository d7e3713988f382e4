"""Disputes through Slack's protocol: the SDR disputes a rejection once from the DM, the
managers get it once, one of them upholds or overturns it, and everyone is told."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.delivery.pacing import Pacer, Slack
from bot.ids import Action, Block, Callback
from bot.jobs.sweep import run_sweep
from storage.models import EventRow, HandoffRow, OutboxRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE2, AE_CHANNEL, SDR, brief_text

MANAGERS = ("U0MGRDEE", "U0MGREVA")
MGR, MGR2 = MANAGERS
GROUP_DM = "G" + "".join(sorted(u[1:] for u in MANAGERS))[:20]
CASE = "Dana signs every budget above 50k; she said so on the call (notes attached)."


@pytest.fixture
def harness_env():
    return {"HANDOFF_MANAGERS": ",".join(MANAGERS)}


@pytest.fixture
def standin(standin):
    for manager in MANAGERS:
        standin.add_user(manager, name=manager.lower())
    return standin


def _dump(value):
    return json.dumps(value, ensure_ascii=False)


def _button(message, action):
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action.value:
                return block["block_id"], element
    raise AssertionError(f"no {action} on the message")


def _click(harness, user, channel, message, action):
    block_id, button = _button(message, action)
    return harness.slack.block_action_in_message(
        user, channel, message["ts"], action.value, block_id, button["value"], seen=message
    )


def _rejected(harness):
    """A brief AE rejects as Wrong persona; returns it and the SDR's rejection DM."""
    brief = harness.submit_handoff()
    return brief, harness.reject(AE, brief, comment="IT")


def _open_dispute(harness, dm):
    opened = len(harness.standin.calls("views.open"))
    _click(harness, SDR, harness.standin.dm_channel(SDR), dm, Action.DISPUTE)
    harness.standin.wait_for("views.open", count=opened + 1)
    modal = harness.latest_view()
    assert modal["callback_id"] == Callback.DISPUTE
    return modal


def _submit_case(harness, modal, case=CASE):
    reply = harness.slack.submit_view(SDR, modal["id"], {f"{Block.DISPUTE_CASE}.answer": case})
    return harness.slack.apply_view_response(modal["id"], reply)


def _disputed(harness):
    brief, dm = _rejected(harness)
    assert _submit_case(harness, _open_dispute(harness, dm)).action == "close"
    harness.wait_until(lambda: harness.standin.messages(GROUP_DM))
    return brief, dm


def _events(harness):
    with unit(harness.services) as repo:
        rows = repo.session.scalars(select(EventRow).order_by(EventRow.id))
        return [(e.actor, e.kind) for e in rows]


def _row(harness):
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        repo.session.expunge(row)
        return row


def _ledger_count(harness, kind):
    with unit(harness.services) as repo:
        query = select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == kind)
        return repo.session.scalar(query)


def _sweep(harness, later):
    # Time jumps ahead: what the requests' own delivery is still sending must finish first,
    # or its leases would look expired to this sweep.
    assert harness.services.pool.wait_idle()
    slack = Slack.for_sweep(harness.services.client, Pacer(sleep=lambda s: None))
    return run_sweep(harness.services, now=harness.services.now() + later, slack=slack)


def test_dispute_reaches_the_managers_once_and_an_overturn_counts_as_accepted(harness):
    brief, dm = _rejected(harness)
    assert "Dispute…" in _dump(dm)
    modal = _open_dispute(harness, dm)
    assert "Wrong persona" in brief_text(modal)
    blank = _submit_case(harness, modal, "   ")
    assert blank.action == "errors" and Block.DISPUTE_CASE.value in blank.errors
    assert _submit_case(harness, modal).action == "close"

    # The managers' group DM, once, with the case and both buttons.
    harness.wait_until(lambda: harness.standin.messages(GROUP_DM))
    [ask] = harness.standin.messages(GROUP_DM)
    text = brief_text(ask)
    assert f"<@{SDR}> disputes <@{AE}>'s rejection of *Acme Robotics*" in text
    assert "*Reason:* Wrong persona" in text and CASE in text
    assert "|Open the brief>" in text
    assert _button(ask, Action.DISPUTE_OVERTURN) and _button(ask, Action.DISPUTE_UPHOLD)
    harness.wait_until(lambda: "⚖️ *Disputed* by" in brief_text(harness.brief(brief["ts"])))
    # The SDR's DM loses its button and says so; the brief and Home say "disputed".
    harness.wait_until(
        lambda: "You disputed this rejection" in brief_text(harness.standin.dms(SDR)[0])
    )
    assert "Dispute…" not in _dump(harness.standin.dms(SDR)[0])
    harness.wait_until(lambda: "⚖️ disputed" in _dump(harness.standin.home(SDR) or {}))
    # A sweep later sends nothing more: the ledger holds the claim.
    assert _sweep(harness, timedelta(minutes=10)).sent == []
    assert len(harness.standin.messages(GROUP_DM)) == 1 and _ledger_count(harness, "dispute") == 1

    # A manager overturns it and gives the meeting to AE2 (not to the SDR who booked it).
    opened = len(harness.standin.calls("views.open"))
    _click(harness, MGR, GROUP_DM, ask, Action.DISPUTE_OVERTURN)
    harness.standin.wait_for("views.open", count=opened + 1)
    pick = harness.latest_view()
    assert pick["callback_id"] == Callback.OVERTURN
    reply = harness.slack.submit_view(MGR, pick["id"], {f"{Block.OVERTURN_TO}.answer": SDR})
    assert harness.slack.apply_view_response(pick["id"], reply).action == "errors"
    reply = harness.slack.submit_view(MGR, pick["id"], {f"{Block.OVERTURN_TO}.answer": AE2})
    assert harness.slack.apply_view_response(pick["id"], reply).action == "close"

    # Counts as accepted; the AE's rejection stays on the row and in the log.
    harness.wait_until(lambda: len(harness.standin.dms(SDR)) == 2)
    row = _row(harness)
    assert (row.status, row.dispute_status, row.dispute_resolved_by) == (
        "accepted",
        "overturned",
        MGR,
    )
    assert (row.decided_by, row.rejection_reason, row.reassigned_ae_id) == (
        AE,
        "wrong_persona",
        AE2,
    )
    assert _events(harness)[-3:] == [
        (AE, "rejected"),
        (SDR, "disputed"),
        (MGR, "dispute_overturned"),
    ]
    # The SDR is told, the brief and its thread say so, the managers' DM shows the verdict.
    result = harness.standin.dms(SDR)[1]["text"]
    assert f"<@{MGR}> *overturned* the rejection" in result and f"<@{AE2}> takes" in result
    harness.wait_until(
        lambda: "⚖️ *Rejection overturned* by" in brief_text(harness.brief(brief["ts"]))
    )
    shown = brief_text(harness.brief(brief["ts"]))
    assert f"<@{AE2}> takes the meeting" in shown and f"Rejected before by <@{AE}>" in shown
    harness.wait_until(
        lambda: any(
            "overturned the rejection" in m["text"]
            for m in harness.standin.messages(AE_CHANNEL)
            if m.get("thread_ts") == brief["ts"] and m["ts"] != brief["ts"]
        )
    )
    harness.wait_until(
        lambda: "*Overturned* by" in brief_text(harness.standin.messages(GROUP_DM)[0])
    )
    assert "actions" not in _dump(harness.standin.messages(GROUP_DM)[0]["blocks"])
    assert len(harness.standin.messages(GROUP_DM)) == 1
    harness.wait_until(
        lambda: "Accepted (rejection overturned)" in _dump(harness.standin.home(SDR) or {})
    )

    # The other manager's stale Uphold changes nothing.
    _click(harness, MGR2, GROUP_DM, ask, Action.DISPUTE_UPHOLD)
    note = harness.standin.wait_for("response_url")[-1]
    assert f"already decided by <@{MGR}>" in note.args["text"]
    assert _row(harness).status == "accepted"
    assert len(harness.standin.dms(SDR)) == 2
    assert _sweep(harness, timedelta(minutes=10)).sent == []


def test_an_upheld_dispute_stays_rejected_and_the_sdr_is_told(harness):
    brief, _ = _disputed(harness)
    [ask] = harness.standin.messages(GROUP_DM)
    _click(harness, MGR2, GROUP_DM, ask, Action.DISPUTE_UPHOLD)
    harness.wait_until(lambda: len(harness.standin.dms(SDR)) == 2)
    assert f"<@{MGR2}> *upheld* <@{AE}>'s rejection" in harness.standin.dms(SDR)[1]["text"]
    row = _row(harness)
    assert (row.status, row.dispute_status, row.dispute_resolved_by) == (
        "rejected",
        "upheld",
        MGR2,
    )
    assert [k for _, k in _events(harness)][-2:] == ["disputed", "dispute_upheld"]
    harness.wait_until(lambda: "⚖️ *Rejection upheld* by" in brief_text(harness.brief(brief["ts"])))
    harness.wait_until(lambda: "*Upheld* by" in brief_text(harness.standin.messages(GROUP_DM)[0]))
    harness.wait_until(lambda: "upheld the rejection" in brief_text(harness.standin.dms(SDR)[0]))
    assert _ledger_count(harness, "dispute_thread") == 0  # nothing to tell the channel


def test_a_second_dispute_is_refused(harness):
    _, dm = _rejected(harness)
    first = _open_dispute(harness, dm)
    second = _open_dispute(harness, dm)  # two modals open from the same, stale DM
    assert _submit_case(harness, first).action == "close"
    again = _submit_case(harness, second, "And another thing.")
    assert again.action == "update"
    assert "already disputed" in brief_text(again.view)
    # Clicking the button of the DM as it was before the dispute: refused, no modal.
    opened = len(harness.standin.calls("views.open"))
    _click(harness, SDR, harness.standin.dm_channel(SDR), dm, Action.DISPUTE)
    note = harness.standin.wait_for("response_url")[-1]
    assert "can be disputed only once" in note.args["text"]
    assert len(harness.standin.calls("views.open")) == opened
    assert [k for _, k in _events(harness)].count("disputed") == 1
    harness.wait_until(lambda: harness.standin.messages(GROUP_DM))
    assert len(harness.standin.messages(GROUP_DM)) == 1


def test_only_the_booker_disputes_and_only_a_manager_resolves(harness):
    _, dm = _rejected(harness)
    _click(harness, AE2, harness.standin.dm_channel(SDR), dm, Action.DISPUTE)
    note = harness.standin.wait_for("response_url")[-1]
    assert f"Only <@{SDR}>, who booked this meeting, can dispute" in note.args["text"]
    assert _submit_case(harness, _open_dispute(harness, dm)).action == "close"
    harness.wait_until(lambda: harness.standin.messages(GROUP_DM))
    [ask] = harness.standin.messages(GROUP_DM)
    opened = len(harness.standin.calls("views.open"))
    for action in (Action.DISPUTE_UPHOLD, Action.DISPUTE_OVERTURN):
        _click(harness, AE2, GROUP_DM, ask, action)
    notes = harness.standin.wait_for("response_url", 3)[1:]
    assert all("Only the managers" in n.args["text"] for n in notes)
    assert len(harness.standin.calls("views.open")) == opened
    row = _row(harness)
    assert (row.status, row.dispute_status) == ("rejected", "open")
    assert [k for _, k in _events(harness)][-1] == "disputed"


def test_a_rejection_too_old_to_dispute(harness):
    _, dm = _rejected(harness)
    real_now = harness.services.now
    harness.services.now = lambda: real_now() + timedelta(days=31)
    _click(harness, SDR, harness.standin.dm_channel(SDR), dm, Action.DISPUTE)
    note = harness.standin.wait_for("response_url")[-1]
    assert "too old to dispute" in note.args["text"]
    assert _row(harness).dispute_status is None


def test_a_failed_managers_dm_is_sent_by_the_next_sweep_once(harness):
    _, dm = _rejected(harness)
    modal = _open_dispute(harness, dm)
    harness.standin.fail_next("chat.postMessage", status=200, error="channel_not_found")
    assert _submit_case(harness, modal).action == "close"
    harness.wait_until(lambda: _ledger_count(harness, "dispute") == 1)
    harness.wait_until(lambda: _unsent_error(harness) == "channel_not_found")
    assert harness.standin.messages(GROUP_DM) == []
    sent = _sweep(harness, timedelta(minutes=1)).sent
    assert [s.kind for s in sent] == ["dispute"]
    assert _sweep(harness, timedelta(minutes=2)).sent == []
    assert len(harness.standin.messages(GROUP_DM)) == 1


def _unsent_error(harness):
    with unit(harness.services) as repo:
        return repo.session.scalar(select(OutboxRow.last_error).where(OutboxRow.kind == "dispute"))
