"""Scoring and the bar: every criterion met and not met, by the default and changed rubrics."""

from __future__ import annotations

import pytest

from handoff.config import load_config
from handoff.model import Stakeholder
from handoff.scoring import may_submit, score
from tests.support.qualifications import qualification


def _result(q, config, key):
    found = score(q, config).result(key)
    assert found is not None
    return found


def _config(tmp_path, text):
    path = tmp_path / "team.toml"
    path.write_text(text)
    return load_config(path)


STRONG = {
    "current_solution": "Spreadsheets and a paper log.",
    "intent_signals": ("demo_request",),
}


def test_a_strong_meeting_meets_everything(config):
    s = score(qualification(**STRONG), config)
    assert [r.key for r in s.results if not r.met] == []
    assert s.points == 100 and s.clears_bar and s.missing == ()
    assert s.high_intent
    assert s.rubric_version == config.rubric_version


@pytest.mark.parametrize(
    ("key", "met", "unmet", "reason"),
    [
        (
            "account_fit",
            {},
            {"industry": "public_sector"},
            "Public sector is not a target industry",
        ),
        ("account_fit", {}, {"company_size": "1_49"}, "1–49 employees is not a target company"),
        (
            "persona",
            {"contact_role": "champion"},
            {"contact_role": "end_user", "stakeholders": ()},
            "No economic buyer, decision maker or champion",
        ),
        ("pain", {}, {"current_solution": ""}, "not what they use today"),
        ("timing", {"timing": "active_evaluation"}, {"timing": "next_quarter"}, "next quarter"),
        ("next_steps", {}, {"next_steps_status": "proposed"}, "Proposed, not confirmed"),
        ("budget", {"budget_status": "approved"}, {"budget_status": "unknown"}, "Unknown."),
        ("intent", {"intent_signals": ("pricing_visits",)}, {"intent_signals": ()}, "No intent"),
    ],
)
def test_each_criterion_met_and_not_with_a_reason(config, key, met, unmet, reason):
    assert _result(qualification(**{**STRONG, **met}), config, key).met
    missed = _result(qualification(**{**STRONG, **unmet}), config, key)
    assert not missed.met
    assert reason in missed.reason


def test_persona_is_met_by_another_person_involved(config):
    q = qualification(
        contact_role="end_user",
        stakeholders=(Stakeholder("Kim Lo", "CFO", "economic_buyer"),),
    )
    found = _result(q, config, "persona")
    assert found.met and "Kim Lo" in found.reason


def test_score_is_the_share_of_weights_met(config):
    # Timing (15) and budget (5) missed: 80 of 100.
    s = score(qualification(**STRONG, timing="later", budget_status="none"), config)
    assert s.points == 80
    assert s.clears_bar  # neither is a must-meet criterion


def test_a_must_meet_criterion_fails_the_bar_whatever_the_score(config):
    s = score(qualification(**STRONG, next_steps_status="none", next_steps=""), config)
    assert s.points == 90
    assert not s.clears_bar
    assert s.missing == ("next_steps",)


def test_below_the_minimum_score_fails_the_bar(config):
    weak = qualification(
        **STRONG, timing="later", contact_role="end_user", stakeholders=(), budget_status="none"
    )
    s = score(weak, config)
    assert s.points == 60 and s.missing == ()
    assert not s.clears_bar
    assert may_submit(s, config.rubric)  # the default rubric lets it go, marked below bar


def test_a_blocking_rubric_sends_a_below_bar_meeting_back(tmp_path):
    config = _config(tmp_path, '[rubric]\nbelow_bar = "block"\n')
    s = score(
        qualification(**STRONG, timing="later", contact_role="end_user", stakeholders=()), config
    )
    assert not s.clears_bar
    assert not may_submit(s, config.rubric)


def test_changing_the_toml_changes_the_score_without_code(tmp_path):
    text = """
[rubric]
version = "2027.1"
bar = 50
[rubric.timing]
weight = 45
counts = ["active_evaluation", "this_quarter", "next_quarter"]
[rubric.persona]
roles = ["economic_buyer", "decision_maker", "champion", "influencer"]
[rubric.account_fit]
regions = ["emea", "nordics"]
[choices.regions]
emea = "EMEA"
nordics = "Nordics"
north_america = "North America"
"""
    config = _config(tmp_path, text)
    q = qualification(**STRONG, timing="next_quarter", contact_role="influencer", stakeholders=())
    s = score(q, config)
    assert s.rubric_version == "2027.1"
    assert s.points == 100
    assert config.rubric.weights["timing"] == 45
    outside = score(qualification(**STRONG, region="north_america"), config)
    assert not outside.result("account_fit").met
    assert "North America is not a target region" in outside.result("account_fit").reason


def test_extra_fit_check_counts_toward_account_fit(tmp_path):
    text = """
[rubric.account_fit.checks.model]
label = "Operating model"
counts = ["multi_site"]
[rubric.account_fit.checks.model.choices]
single_site = "Single site"
multi_site = "Several sites"
"""
    config = _config(tmp_path, text)
    fits = score(qualification(**STRONG, fit_answers={"model": "multi_site"}), config)
    assert fits.result("account_fit").met
    single = score(qualification(**STRONG, fit_answers={"model": "single_site"}), config)
    assert not single.result("account_fit").met
    assert "Operating model: Single site does not fit" in single.result("account_fit").reason
