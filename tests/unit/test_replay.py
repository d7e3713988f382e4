"""Replaying a proposed rubric over stored answers: counts checked against the mix's design."""

from __future__ import annotations

from dataclasses import replace

from handoff.config import load_config
from handoff.replay import fates, replay, unjudgeable
from tests.support.calibration_mix import make_meetings
from tests.support.rubric_proposals import (
    CURRENT,
    NO_LATER_TOML,
    PROPOSED,
    PROPOSED_TOML,
    changed,
    expected,
)
from tests.support.rubric_proposals import fates as expected_fates


def test_the_replay_counts_what_the_design_says(tmp_path):
    meetings = make_meetings(copies=4)
    proposal = tmp_path / "proposed.toml"
    proposal.write_text(PROPOSED_TOML)
    current, proposed = load_config(), load_config(None, proposal)

    result = replay((m.case() for m in meetings), current, proposed)

    assert result.judged == len(meetings) == 512 and result.unjudged == ()
    for side, rubric in ((result.current, CURRENT), (result.proposed, PROPOSED)):
        want = expected(meetings, rubric)
        assert side.bar == rubric["bar"]
        assert side.cleared.submitted == want.cleared
        assert side.cleared.decided == want.cleared  # every meeting of the mix is decided
        assert side.cleared.accepted == want.accepted
        assert side.cleared.with_outcome == want.with_outcome
        assert side.cleared.opportunities == want.opportunities
        assert side.held_back.submitted == len(meetings) - want.cleared
    gained, lost = changed(meetings)
    assert [c.case.id for c in result.now_cleared] == gained and gained
    assert [c.case.id for c in result.now_held_back] == lost and lost
    assert fates(result.now_cleared) == expected_fates(meetings, gained)
    assert fates(result.now_held_back) == expected_fates(meetings, lost)
    assert (result.current.version, result.proposed.version) == ("2026.1", "2026.2-draft")


def test_answers_the_proposal_cannot_judge_are_named_and_left_out(tmp_path):
    meetings = make_meetings(copies=1)
    proposal = tmp_path / "no_later.toml"
    proposal.write_text(NO_LATER_TOML)
    result = replay((m.case() for m in meetings), load_config(), load_config(None, proposal))

    later = [m.id for m in meetings if m.qualification.timing == "later"]
    assert [u.case.id for u in result.unjudged] == later and len(later) == 64
    assert {u.problems for u in result.unjudged} == {("timing 'later' is not one of its choices",)}
    assert {u.rubric for u in result.unjudged} == {"proposed"}
    assert result.judged == len(meetings) - len(later)
    assert result.current.cleared.submitted + result.current.held_back.submitted == result.judged


def test_a_new_fit_question_and_removed_roles_cannot_be_judged(tmp_path):
    config = load_config()
    q = make_meetings(copies=1)[0].qualification
    assert unjudgeable(q, config) == ()
    proposal = tmp_path / "fit.toml"
    proposal.write_text(
        "[rubric.account_fit.checks.compliance]\n"
        'label = "Compliance"\n'
        'counts = ["soc2"]\n'
        "[rubric.account_fit.checks.compliance.choices]\n"
        'soc2 = "SOC 2"\n'
        'none = "None"\n'
    )
    assert unjudgeable(q, load_config(None, proposal)) == (
        "no answer to 'Compliance' (asked only under this rubric)",
    )
    stranger = replace(q, intent_signals=("carrier_pigeon",), contact_role="oracle")
    assert unjudgeable(stranger, config) == (
        "contact role 'oracle' is not one of its choices",
        "intent signal 'carrier_pigeon' is not one of its choices",
    )
