"""Properties of every surface: whatever people type, Slack gets valid Block Kit and nothing in
it turns into a live mention, broadcast or link.

tests/templates/test_hostile_text.py holds the brief's and the decision DM's properties and the
fixed hostile strings; this module draws user text for every other template. Example counts
come from the Hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.payloads import WizardState
from bot.surfaces.brief import outcome_line
from bot.surfaces.chase_messages import escalation_message, outcome_question, reminder_message
from bot.surfaces.digest_message import (
    MESSAGE_BUDGET,
    digest_message,
    ranked_lines,
    stale_lines,
    text_length,
)
from bot.surfaces.dispute_messages import dispute_message, dispute_result, dispute_verdict
from bot.surfaces.home import HOME_MAX_BLOCKS, AeHome, home_view
from bot.surfaces.modals import (
    dispute_view,
    overturn_view,
    reassign_view,
    reject_view,
    reschedule_view,
    withdraw_view,
)
from bot.surfaces.notices import note, notice, too_late_view
from bot.surfaces.refusals import refusal_text
from bot.surfaces.render import escape_mrkdwn, render
from bot.surfaces.wizard import person_view, review_model, wizard_view
from handoff.config import Config, load_config
from handoff.digest import (
    Band,
    Calibration,
    CriterionCalibration,
    Digest,
    Disputes,
    Funnel,
    Group,
    Headline,
    Outcomes,
    Rates,
    SdrRejections,
    SlaBreaches,
    StaleBrief,
    Timing,
    rank,
    week_ending,
)
from handoff.lifecycle import Refusal, RefusalKind
from handoff.model import Handoff, MeetingOutcome, Status
from handoff.qualification import steps
from slack_standin import check_view
from tests.support.hostile_text import AE, CHANNEL, SDR, make_handoff, wizard_answers
from tests.support.inert_text import (
    PERMALINK,
    USER_TEXT,
    assert_inert_message,
    assert_safe_mrkdwn,
    text_objects,
)
from tests.support.qualifications import NOW

# Config is a frozen dataclass that nobody mutates: sharing the fixture across examples is safe.
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# Every status a handoff can be shown in, with the dispute states that go with it.
CASES = st.sampled_from(
    [
        (Status.SUBMITTED, None),
        (Status.PENDING, None),
        (Status.ACCEPTED, None),
        (Status.REJECTED, None),
        (Status.WITHDRAWN, None),
        (Status.CANCELED, None),
        (Status.REJECTED, "open"),
        (Status.REJECTED, "upheld"),
        (Status.ACCEPTED, "overturned"),
    ]
)
ZONE = ZoneInfo("America/New_York")
# The wizard's steps before the review, which has its own property.
STEPS = len(steps(load_config())) - 1
SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")  # what bot/surfaces/render.py `user` mentions
# A link the bot builds from Slack's permalink, or anything at all.
LINKS = st.one_of(st.just(PERMALINK), USER_TEXT)


@st.composite
def handoffs(draw: st.DrawFn, handoff_id: int = 42) -> Handoff:
    """A handoff with user text in every typed field, the company and comment drawn apart."""
    status, dispute = draw(CASES)
    text, company = draw(USER_TEXT), draw(USER_TEXT)
    comment = draw(st.one_of(st.none(), USER_TEXT)) if status is Status.REJECTED else None
    return make_handoff(
        text,
        status,
        comment=comment,
        dispute=dispute,
        stakeholders=draw(st.integers(0, 10)),
        handoff_id=handoff_id,
        company=company,
    )


def assert_inert_view(view: dict[str, Any]) -> None:
    assert check_view(view) == []
    assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))


# --- the wizard ------------------------------------------------------------------------------


@PROPERTY
@given(text=USER_TEXT, step=st.integers(0, STEPS - 1), mode=st.sampled_from(["new", "edit"]))
def test_wizard_step_property(config: Config, text: str, step: int, mode: str) -> None:
    """Every step before the review, its inputs prefilled with what the SDR typed."""
    view = wizard_view(
        config, draft_id=7, mode=mode, step_index=step, answers=wizard_answers(text), banner=text
    )
    assert_inert_view(view)


@PROPERTY
@given(h=handoffs(), banner=USER_TEXT)
def test_wizard_review_and_person_property(config: Config, h: Handoff, banner: str) -> None:
    assert h.score is not None
    review = review_model(config, h.qualification, h.score)
    last = len(steps(config)) - 1
    view = wizard_view(
        config, draft_id=7, mode="edit", step_index=last, answers={}, review=review, banner=banner
    )
    assert_inert_view(view)
    assert_inert_view(person_view(WizardState(7, 2, 0), config))


# --- the small modals and notices --------------------------------------------------------------


@PROPERTY
@given(h=handoffs())
def test_modals_property(config: Config, h: Handoff) -> None:
    for view in (
        reject_view(h, config),
        withdraw_view(h),
        reassign_view(h),
        reschedule_view(h),
        dispute_view(h, config),
        overturn_view(h),
    ):
        assert_inert_view(view)


@PROPERTY
@given(
    kind=st.sampled_from(list(RefusalKind)),
    status=st.sampled_from(list(Status)),
    by=st.one_of(st.sampled_from([AE, SDR]), USER_TEXT.filter(lambda t: not SLACK_ID.match(t))),
    typed=USER_TEXT,
)
def test_refusals_and_notices_property(
    kind: RefusalKind, status: Status, by: str, typed: str
) -> None:
    """`by` is a user id in production; anything else must still come out inert. (Text shaped
    like an id is taken for one and shown as a mention: that is what `user` is for.)"""
    text = refusal_text(Refusal(kind, status, by), viewer=AE)
    assert_inert_message(notice(text))
    assert_inert_view(too_late_view(text))
    escaped = escape_mrkdwn(typed[:500]) or "-"
    assert_inert_message(notice(escaped))
    assert_inert_message(note(escaped, f"Handoff #{7}"))


# --- messages ----------------------------------------------------------------------------------


@PROPERTY
@given(h=handoffs(), link=LINKS, nth=st.integers(1, 3))
def test_chase_messages_property(config: Config, h: Handoff, link: str, nth: int) -> None:
    assert_inert_message(reminder_message(h, config, who=f"<@{AE}>", waited="2 business hours"))
    assert_inert_message(escalation_message(h, config, link=link, waited="1 business day"))
    accepted = replace(h, status=Status.ACCEPTED, decided_by=AE)
    assert_inert_message(outcome_question(accepted, config, nth=nth))
    logged = replace(
        accepted,
        outcome=MeetingOutcome.RESCHEDULED.value,
        outcome_by=AE,
        rescheduled_to=NOW + timedelta(days=9),
    )
    done = outcome_line(logged)
    assert_inert_message(outcome_question(logged, config, nth=nth, done=done))
    assert_inert_message(note(done, f"Handoff #{h.id}"))


@PROPERTY
@given(h=handoffs(), link=LINKS, case=USER_TEXT)
def test_dispute_messages_property(config: Config, h: Handoff, link: str, case: str) -> None:
    disputed = replace(h, dispute_case=case)
    verdict = dispute_verdict(disputed)
    assert_inert_message(dispute_message(disputed, config, link=link, done=verdict))
    assert_inert_message(dispute_result(disputed, config))


# --- Home --------------------------------------------------------------------------------------


@PROPERTY
@given(
    mine=st.lists(handoffs(), max_size=12),
    theirs=st.lists(handoffs(), max_size=6),
    drafts=st.lists(USER_TEXT, max_size=7),
    typed=USER_TEXT,
    stale=st.lists(USER_TEXT, max_size=6),
)
def test_home_property(
    config: Config,
    mine: list[Handoff],
    theirs: list[Handoff],
    drafts: list[str],
    typed: str,
    stale: list[str],
) -> None:
    """An AE who is also a manager: every section of Home at once, inside 100 blocks."""
    mine = _numbered(mine, 1)
    theirs = _numbered(theirs, 100)
    unfinished = [
        {"id": i, "mode": "new", "step": i, "answers": {"company": t}, "updated_at": NOW}
        for i, t in enumerate(drafts)
    ]
    ae = AeHome(
        pending=theirs,
        pending_total=len(theirs) + 3,
        due=theirs[:2],
        due_total=2,
        upcoming=theirs[2:],
        upcoming_total=len(theirs),
        channel=CHANNEL,
    )
    view = home_view(
        mine,
        unfinished,
        config,
        ae=ae,
        viewer=AE,
        notice=escape_mrkdwn(typed[:500]),
        manager=_manager_section(stale),
    )
    assert_inert_view(view)
    assert len(view["blocks"]) <= HOME_MAX_BLOCKS


def _numbered(handoffs: list[Handoff], first: int) -> list[Handoff]:
    """Ids as the database gives them: one per handoff."""
    return [replace(h, id=first + i) for i, h in enumerate(handoffs)]


def _manager_section(companies: list[str]) -> list[dict[str, Any]]:
    """The managers' section as bot/delivery/home_updates.py builds it; companies are typed."""
    m = {
        "period": "Since Mon Nov 23",
        "next_digest": "Mon Nov 30, 09:00",
        "fields": [f"*Submitted*\n{len(companies)}"],
        "stale": stale_lines(_headline(companies), {}, ZONE),
        # A removed criterion shows its stored key: typed text, as far as escaping goes.
        "calibration": ranked_lines(
            rank(
                Calibration(
                    _headline(companies).period,
                    13,
                    tuple(
                        CriterionCalibration(c, Rates(40, 30, 20 + i, 10, 5), Rates(40, 30, 5))
                        for i, c in enumerate(companies)
                    ),
                ),
                10,
            ),
            load_config(),
            top=3,
        ),
    }
    return list(render("home/manager.json.j2", m=m))


# --- the digest --------------------------------------------------------------------------------


def _headline(companies: list[str]) -> Headline:
    period = week_ending(NOW, ZONE)
    stale = tuple(
        StaleBrief(i + 1, c, SDR, period.end - timedelta(days=3), CHANNEL, f"1.{i}")
        for i, c in enumerate(companies)
    )
    funnel = Funnel(10, 5, 3, 1, 1)
    return Headline(period, funnel, funnel, Timing(8, 3600.0, 7200.0), stale, len(stale) + 2)


@PROPERTY
@given(
    companies=st.lists(USER_TEXT, max_size=6),
    names=st.lists(USER_TEXT, min_size=1, max_size=4),
    link=LINKS,
    chart_failed=st.booleans(),
)
def test_digest_property(
    config: Config, companies: list[str], names: list[str], link: str, chart_failed: bool
) -> None:
    """Stored keys are the team's, but a removed choice shows its raw key: treat them as typed."""
    head = _headline(companies)
    rates = Rates(10, 8, 5, 4, 2)
    groups = tuple(Group(n, 5, 3, 2, 3600.0) for n in names)
    digest = Digest(
        headline=head,
        sdrs=(Group(SDR, 5, 3, 2, 5000.0),),
        sources=groups,
        industries=groups,
        regions=groups,
        reasons=tuple((n, 2) for n in names),
        sla=SlaBreaches(3, 1),
        outcomes=Outcomes(6, 2, 1, 1, 1, 1),
        calibration=Calibration(
            head.period,
            13,
            tuple(CriterionCalibration(n, rates, rates) for n in names),
            (Band(0, 49, rates), Band(50, 100, rates)),
            tuple((n, rates) for n in names),
        ),
        disputes=Disputes(2, 1, 1, 0),
        ae_decisions=(),
        rubber_stamps=(),
        coaching=tuple(SdrRejections(SDR, 4, n, 3) for n in names),
    )
    links = {b.id: link for b in head.stale}
    message = digest_message(digest, config, links=links, chart_failed=chart_failed)
    assert_inert_message(message)
    assert text_length(message["blocks"]) <= MESSAGE_BUDGET
