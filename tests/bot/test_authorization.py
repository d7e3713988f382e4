"""Who may do what: every button and modal pressed by each wrong person is refused and changes
nothing, on both databases; the right person then goes through (so a refusal is not simply
the app doing nothing).

The wrong people: the booker (on decisions), another SDR, an AE who does not own the meeting,
a manager who is not an AE, a newcomer in no role, someone from another workspace, and an
external Slack Connect member whose own team is not the installed one.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from bot.ids import Action, Block
from bot.listeners.transitions import commit_transition
from handoff.effects import Change
from handoff.lifecycle import reassign
from handoff.model import MessageKind
from slack_standin import SlackSender
from storage.models import EventRow, HandoffRow
from storage.outbox import OutboxRow
from tests.support.chasing import MANAGERS
from tests.support.db import unit
from tests.support.slack_app import AE, AE2, AE_CHANNEL, SDR, SECRET

MGR = MANAGERS[0]
SDR2, NEWBIE, OUTSIDER, PARTNER = "U0SDRDAN", "U0NEWBIE", "U0OUTSIDE", "U0PARTNER"
FOREIGN_TEAM = "T0ELSEWHERE"
GROUP_DM = "G" + "".join(sorted(u[1:] for u in MANAGERS))[:20]

NOT_AE = "Only an AE"
OWN = "You booked this meeting"
NOT_BOOKER = f"Only <@{SDR}>, who booked this meeting, can edit or withdraw"
NOT_DISPUTER = f"Only <@{SDR}>, who booked this meeting, can dispute"
NOT_MANAGER = "Only the managers named in HANDOFF_MANAGERS can decide a dispute"
NOT_OWNER = f"This meeting is <@{AE2}>'s"
SILENT = None  # refused with no answer and no side effect at all


@pytest.fixture
def harness_env():
    return {"HANDOFF_MANAGERS": ",".join(MANAGERS)}


@pytest.fixture
def standin(standin):
    for person in (*MANAGERS, SDR2, NEWBIE, OUTSIDER, PARTNER):
        standin.add_user(person, name=person.lower())
    return standin


def _sender(harness, person):
    """How `person`'s clicks reach the app: from another workspace, from a Slack Connect
    partner's organisation, or from the installed workspace."""
    if person == OUTSIDER:
        return SlackSender(harness.slack.app_url, SECRET, harness.standin, team_id=FOREIGN_TEAM)
    sender = SlackSender(harness.slack.app_url, SECRET, harness.standin)
    if person == PARTNER:
        sender.user_teams[PARTNER] = FOREIGN_TEAM
    return sender


def _state(harness):
    """Everything a refused click must leave as it was; Home republishes excepted (a click
    on Home refreshes the clicker's own Home)."""
    harness.services.pool.wait_idle()
    with unit(harness.services) as repo:
        s = repo.session
        rows = [
            {a.key: getattr(r, a.key) for a in inspect(HandoffRow).column_attrs}
            for r in s.scalars(select(HandoffRow).order_by(HandoffRow.id))
        ]
        events = s.scalar(select(func.count()).select_from(EventRow))
        outbox = s.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.kind != MessageKind.HOME)
        )
    posts = [c for c in harness.standin.calls() if c.method in ("chat.postMessage", "chat.update")]
    return rows, events, outbox, len(posts)


def _button(blocks, action):
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action.value:
                return block["block_id"], element
    raise AssertionError(f"no {action} here")


def _refused(harness, person, click, told):
    """Run `click` (given the sender `person` uses) and check it changed nothing and that
    `person` was told `told` (SILENT: told nothing, and Slack was not called at all)."""
    before = _state(harness)
    calls = len(harness.standin.calls())
    click(_sender(harness, person))
    if told is SILENT:
        time.sleep(0.3)  # long enough for a listener to have answered, had it run
        assert _state(harness) == before
        # Nothing for this person (a Home an earlier refusal re-armed may still land).
        said = [
            c
            for c in harness.standin.calls()[calls:]
            if c.method != "views.publish" or c.args.get("user_id") == person
        ]
        assert said == [], person
        return
    harness.wait_until(lambda: _answer(harness, calls) is not None)
    assert told in _answer(harness, calls), (person, _answer(harness, calls))
    assert _state(harness) == before, person


def _answer(harness, since):
    """The text shown to the clicker after call `since`: an ephemeral note or a small modal."""
    for call in harness.standin.calls()[since:]:
        if call.method == "response_url":
            return call.args.get("text", "")
        if call.method == "views.open":
            return str(call.args.get("view"))
    return None


def _in_message(channel, message, action, person, value=None):
    block_id, button = _button(message["blocks"], action)
    return lambda sender: sender.block_action_in_message(
        person,
        channel,
        message["ts"],
        action.value,
        block_id,
        value or button["value"],
        seen=message,
    )


def _manage(brief, what, person):
    _, menu = _button(brief["blocks"], Action.MANAGE)
    handoff_id = menu["options"][0]["value"].split(":")[1]
    return _in_message(AE_CHANNEL, brief, Action.MANAGE, person, f"{what}:{handoff_id}")


DECIDERS = [
    (SDR, OWN),
    (SDR2, NOT_AE),
    (MGR, NOT_AE),
    (NEWBIE, NOT_AE),
    (OUTSIDER, SILENT),
    (PARTNER, SILENT),
]


def test_only_an_ae_who_did_not_book_it_decides_a_brief(harness):
    brief = harness.submit_handoff()
    for person, told in DECIDERS:
        for action in (Action.ACCEPT, Action.REJECT):
            _refused(harness, person, _in_message(AE_CHANNEL, brief, action, person), told)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: "Accepted" in str(harness.brief(brief["ts"])))


@pytest.mark.parametrize("what", ["edit", "withdraw"])
def test_only_the_booker_edits_or_withdraws(harness, what):
    brief = harness.submit_handoff()
    wrong = [
        (SDR2, NOT_BOOKER),
        (AE, NOT_BOOKER),
        (MGR, NOT_BOOKER),
        (OUTSIDER, SILENT),
        (PARTNER, SILENT),
    ]
    for person, told in wrong:
        _refused(harness, person, _manage(brief, what, person), told)
    opened = len(harness.standin.calls("views.open"))
    _manage(brief, what, SDR)(harness.slack)
    harness.standin.wait_for("views.open", count=opened + 1)


def _rejected(harness):
    return harness.reject(AE, harness.submit_handoff())


def test_only_the_booker_disputes_and_only_an_unconflicted_manager_decides(harness):
    dm = _rejected(harness)
    sdr_dm = harness.standin.dm_channel(SDR)
    for person, told in [
        (AE, NOT_DISPUTER),
        (AE2, NOT_DISPUTER),
        (SDR2, NOT_DISPUTER),
        (MGR, NOT_DISPUTER),
        (OUTSIDER, SILENT),
        (PARTNER, SILENT),
    ]:
        _refused(harness, person, _in_message(sdr_dm, dm, Action.DISPUTE, person), told)

    opened = len(harness.standin.calls("views.open"))
    _in_message(sdr_dm, dm, Action.DISPUTE, SDR)(harness.slack)
    harness.standin.wait_for("views.open", count=opened + 1)
    modal = harness.latest_view()
    reply = harness.slack.submit_view(SDR, modal["id"], {f"{Block.DISPUTE_CASE}.answer": "Wrong"})
    assert harness.slack.apply_view_response(modal["id"], reply).action == "close"
    harness.wait_until(lambda: harness.standin.messages(GROUP_DM))
    [ask] = harness.standin.messages(GROUP_DM)

    wrong = [
        (SDR, NOT_MANAGER),
        (AE, NOT_MANAGER),
        (AE2, NOT_MANAGER),
        (SDR2, NOT_MANAGER),
        (OUTSIDER, SILENT),
        (PARTNER, SILENT),
    ]
    for person, told in wrong:
        for action in (Action.DISPUTE_UPHOLD, Action.DISPUTE_OVERTURN):
            _refused(harness, person, _in_message(GROUP_DM, ask, action, person), told)

    # A manager may overturn, but only to give the meeting to an AE.
    opened = len(harness.standin.calls("views.open"))
    _in_message(GROUP_DM, ask, Action.DISPUTE_OVERTURN, MGR)(harness.slack)
    harness.standin.wait_for("views.open", count=opened + 1)
    modal = harness.latest_view()
    before = _state(harness)
    reply = harness.slack.submit_view(MGR, modal["id"], {f"{Block.OVERTURN_TO}.answer": SDR2})
    outcome = harness.slack.apply_view_response(modal["id"], reply)
    assert outcome.action == "errors"
    assert f"<@{SDR2}> is not an AE" in outcome.errors[Block.OVERTURN_TO]
    assert _state(harness) == before
    reply = harness.slack.submit_view(MGR, modal["id"], {f"{Block.OVERTURN_TO}.answer": AE2})
    assert harness.slack.apply_view_response(modal["id"], reply).action == "close"
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(HandoffRow.reassigned_ae_id)) == AE2


def _home(harness, person):
    harness.services.pool.wait_idle()
    published = len(harness.standin.calls("views.publish"))
    harness.slack.app_home_opened(person)
    harness.standin.wait_for("views.publish", count=published + 1)
    harness.wait_until(lambda: harness.standin.home(person) is not None)
    return harness.standin.home(person)


def test_after_a_reassignment_only_the_new_owner_or_a_manager_logs_the_outcome(harness):
    brief = harness.submit_handoff()
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: "Accepted" in str(harness.brief(brief["ts"])))
    with unit(harness.services) as repo:
        handoff_id = repo.session.scalar(select(HandoffRow.id))
        meeting = repo.session.scalar(select(HandoffRow.meeting_at))
    commit_transition(
        harness.services,
        handoff_id,
        lambda repo: reassign(
            repo,
            handoff_id,
            actor=MGR,
            to_ae=AE2,
            managers=MANAGERS,
            now=harness.services.now(),
        ),
        Change.REASSIGNED,
        actor=MGR,
    )
    harness.services.pool.wait_idle()  # the reassignment's own Home publishes go first
    later = meeting + timedelta(hours=2)
    harness.services.now = lambda: later
    home = _home(harness, AE2)
    block_id, _ = _button(home["blocks"], Action.OUTCOME_NO_SHOW)

    def click(person):
        return lambda sender: sender.block_action_in_view(
            person, home["id"], Action.OUTCOME_NO_SHOW.value, block_id, str(handoff_id)
        )

    for person, told in [
        (AE, NOT_OWNER),  # accepted it, then lost it to the reassignment
        (SDR, NOT_OWNER),
        (SDR2, NOT_OWNER),
        (NEWBIE, NOT_OWNER),
        (OUTSIDER, SILENT),
        (PARTNER, SILENT),
    ]:
        _refused(harness, person, click(person), told)
    click(AE2)(harness.slack)
    harness.wait_until(lambda: _outcome(harness) == "no_show")


def _outcome(harness):
    with unit(harness.services) as repo:
        return repo.session.scalar(select(HandoffRow.outcome))


def test_home_lists_briefs_to_decide_only_to_aes(harness):
    # (A manager sees undecided briefs too, in the managers' section, to reassign or nudge.)
    harness.submit_handoff(company="Acme Robotics")
    for person in (SDR2, NEWBIE):
        assert "Acme Robotics" not in str(_home(harness, person)), person
    assert "Acme Robotics" in str(_home(harness, AE2))


def test_a_slash_command_from_another_workspace_opens_nothing(harness):
    opened = len(harness.standin.calls("views.open"))
    reply = _sender(harness, OUTSIDER).slash_command(OUTSIDER, "/handoff", "")
    assert reply.status == 200
    assert "only for members of the workspace" in reply.body
    time.sleep(0.3)
    assert len(harness.standin.calls("views.open")) == opened
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(func.count()).select_from(HandoffRow)) == 0
