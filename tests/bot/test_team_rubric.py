"""A team's own TOML changes the wizard, the score and the brief, with no code change."""

from __future__ import annotations

import pytest

from tests.support.slack_app import brief_text, step_title, wizard_values

TEAM_TOML = """
[rubric]
version = "acme-2027.1"
bar = 80
below_bar = "block"

[rubric.persona]
weight = 30
roles = ["economic_buyer", "it_sponsor"]

[rubric.account_fit]
regions = ["emea", "nordics"]

[rubric.account_fit.checks.compliance]
label = "Compliance environment"
counts = ["soc2", "hipaa"]
[rubric.account_fit.checks.compliance.choices]
soc2 = "SOC 2"
hipaa = "HIPAA"
none = "None or unknown"

[choices.regions]
emea = "EMEA"
nordics = "Nordics"
north_america = "North America"

[choices.contact_roles]
economic_buyer = "Economic buyer"
it_sponsor = "IT sponsor"
end_user = "End user"
"""


@pytest.fixture
def harness_env(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text(TEAM_TOML)
    return {"HANDOFF_CONFIG": str(path)}


def _options(view, block_id):
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return [o["text"]["text"] for o in block["element"]["options"]]


def test_the_wizard_asks_what_the_team_file_defines(harness):
    view = harness.open_form()
    values = wizard_values(region="nordics", contact_role="it_sponsor", fit_compliance="soc2")
    values["stakeholders"] = []
    fit = harness.next_step(view, values).view
    assert _options(fit, "region") == ["EMEA", "Nordics", "North America"]
    assert _options(fit, "fit_compliance") == ["SOC 2", "HIPAA", "None or unknown"]
    assert "regions: EMEA, Nordics; compliance environment: SOC 2, HIPAA" in brief_text(fit)
    people = harness.next_step(fit, values).view
    assert _options(people, "contact_role") == ["Economic buyer", "IT sponsor", "End user"]
    assert "Persona and authority* (27%" in brief_text(people)


def test_score_and_brief_follow_the_team_file(harness):
    brief = harness.submit_handoff(
        region="nordics", contact_role="it_sponsor", fit_compliance="hipaa", stakeholders=[]
    )
    text = brief_text(brief)
    assert "*Score 100 of 100*  ·  ✅ clears the bar (80)" in text
    assert "Nordics" in text and "Compliance environment: HIPAA" in text
    assert "IT sponsor" in text
    assert "qualification acme-2027.1" in text


def test_a_blocking_rubric_keeps_a_below_bar_meeting_from_being_sent(harness):
    view = harness.open_form()
    values = wizard_values(region="north_america", fit_compliance="none", stakeholders=[])
    review = harness.walk_to_review(view, values)
    assert step_title(review).startswith("*Step 5 of 5*")
    assert review.get("submit") is None
    assert "needs the bar cleared before a meeting goes to the AEs" in brief_text(review)
    assert "North America is not a target region" in brief_text(review)
    assert harness.standin.calls("chat.postMessage") == []
