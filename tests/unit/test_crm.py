"""What the CRM should show for a handoff, worked out without a CRM."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handoff.config import ConfigError, load_config
from handoff.crm import MeetingState, company_domain, writeback
from handoff.model import Handoff, MeetingOutcome, Status
from handoff.policy import CrmRules
from tests.support.qualifications import NOW, qualification, scored

DEAL = CrmRules(deal_pipeline="default", deal_stage="new", opportunity_stage="won")


def _handoff(**changes) -> Handoff:
    q = qualification(pain="Costs <b>40h</b> & more", contact_email="Dana@Acme.example")
    base = Handoff(1, "T1", "U0SDR", Status.ACCEPTED, q, "v1", NOW, score=scored(q))
    return replace(base, **{"decided_by": "U0AE", "decided_at": NOW, **changes})


def test_an_accepted_handoff_writes_a_meeting_a_note_and_a_deal(config):
    want = writeback(_handoff(), config, DEAL, owner_email="Bob@Ourco.example")
    assert want is not None and want.create
    assert want.owner_email == "bob@ourco.example"
    assert want.contact.email == "dana@acme.example"
    assert want.meeting is not None and want.meeting.state == MeetingState.SCHEDULED
    assert (want.meeting.end - want.meeting.start).total_seconds() == 30 * 60
    assert want.deal is not None and not want.deal.opportunity
    # Typed text is data in the HTML, never markup.
    assert "Costs &lt;b&gt;40h&lt;/b&gt; &amp; more" in want.meeting.body_html
    assert "<b>" not in want.meeting.body_html


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (MeetingOutcome.HELD_OPPORTUNITY, MeetingState.COMPLETED),
        (MeetingOutcome.HELD_NO_FIT, MeetingState.COMPLETED),
        (MeetingOutcome.NO_SHOW, MeetingState.NO_SHOW),
        (MeetingOutcome.RESCHEDULED, MeetingState.RESCHEDULED),
    ],
)
def test_each_outcome_is_the_meeting_outcome_hubspot_knows(config, outcome, state):
    want = writeback(_handoff(outcome=outcome.value), config, DEAL, owner_email="")
    assert want is not None and want.meeting is not None and want.meeting.state == state
    assert want.deal is not None
    assert want.deal.opportunity == (outcome == MeetingOutcome.HELD_OPPORTUNITY)


def test_a_canceled_meeting_only_updates_what_is_there(config):
    want = writeback(_handoff(status=Status.CANCELED), config, DEAL, owner_email="")
    assert want is not None and not want.create
    assert want.meeting is not None and want.meeting.state == MeetingState.CANCELED
    # Canceled before anyone accepted it: nothing was written, nothing is.
    never = _handoff(status=Status.CANCELED, decided_by=None)
    assert writeback(never, config, DEAL, owner_email="") is None


def test_a_rejection_writes_its_reason_unless_turned_off(config):
    rejected = _handoff(status=Status.REJECTED, rejection_reason="wrong_persona")
    want = writeback(rejected, config, DEAL, owner_email="")
    assert want is not None and want.meeting is None and want.deal is None
    assert want.rejection_html and config.label("rejection_reasons", "wrong_persona") in (
        want.rejection_html
    )
    assert writeback(rejected, config, replace(DEAL, reject_note=False), owner_email="") is None


def test_nothing_is_written_before_a_decision(config):
    assert writeback(_handoff(status=Status.PENDING), config, DEAL, owner_email="") is None


@pytest.mark.parametrize(
    ("website", "email", "domain"),
    [
        ("https://www.Acme.example/about?x=1", "", "acme.example"),
        ("acme.example:8080", "", "acme.example"),
        ("", "dana@Acme.example", "acme.example"),
        ("", "", ""),
    ],
)
def test_the_company_domain(website, email, domain):
    assert company_domain(website, email) == domain


def test_the_crm_section_is_read_and_checked(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('[crm.hubspot]\ndeal_pipeline = "default"\ndeal_stage = "new"\n')
    rules = load_config(str(path)).crm
    assert (rules.deal_pipeline, rules.deal_stage, rules.reject_note) == ("default", "new", True)
    for text, named in [
        ('[crm.hubspot]\ndeal_pipeline = "default"\n', "deal_stage"),
        ("[crm.hubspot]\nstage = 1\n", "stage"),
        ("[crm.salesforce]\n", "salesforce"),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError, match=named):
            load_config(str(path))


def test_without_a_crm_nothing_is_armed_for_it():
    from handoff.effects import Change, after
    from handoff.model import MessageKind

    accepted = _handoff()
    assert MessageKind.CRM not in {e.kind for e in after(Change.ACCEPTED, accepted, actor="U0AE")}
    armed = after(Change.ACCEPTED, accepted, actor="U0AE", crm=True)
    assert armed[-1].kind == MessageKind.CRM and armed[-1].key == "crm:1:0"
    assert MessageKind.CRM not in {
        e.kind for e in after(Change.SUBMITTED, accepted, actor="U0SDR", crm=True)
    }


def test_webhooks_are_read_and_checked(tmp_path):
    from bot.settings import SettingsError, load_settings

    path = tmp_path / "team.toml"
    good = '[[webhooks]]\nurl = "https://bi.example/x"\nevents = ["handoff.accepted"]\n'
    path.write_text(good + 'secret_env = "BI_SECRET"\n')
    [rule] = load_config(str(path)).webhooks
    assert (rule.name, rule.events, rule.secret_env) == (
        "webhook-1",
        ("handoff.accepted",),
        "BI_SECRET",
    )
    env = {"HANDOFF_CONFIG": str(path)}
    with pytest.raises(SettingsError, match="BI_SECRET is not set"):
        load_settings(env)
    [hook] = load_settings({**env, "BI_SECRET": "s" * 20}).webhooks
    assert hook.secret == "s" * 20 and "s" * 20 not in repr(
        load_settings({**env, "BI_SECRET": "s" * 20})
    )
    for text, named in [
        (good, "secret"),  # neither secret nor secret_env
        (good + 'secret = "short"\n', "16 characters"),
        (
            '[[webhooks]]\nurl = "http://bi.example/x"\nevents = ["handoff.accepted"]\nsecret = "'
            + "s" * 16
            + '"\n',
            "url",
        ),
        (
            '[[webhooks]]\nurl = "https://bi.example/x"\nevents = ["handoff.won"]\nsecret = "'
            + "s" * 16
            + '"\n',
            "events",
        ),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError, match=named):
            load_config(str(path))
