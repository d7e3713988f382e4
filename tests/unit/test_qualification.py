from datetime import timedelta

import pytest

from handoff.config import load_config
from handoff.model import Field, Qualification, Stakeholder
from handoff.qualification import (
    Invalid,
    answers_of,
    normalize_website,
    person_errors,
    step_errors,
    steps,
    validate,
)
from tests.support.qualifications import NOW, answers


def test_complete_answers_make_a_qualification(config):
    result = validate(answers(), config, NOW)
    assert isinstance(result, Qualification)
    assert result.company == "Acme Robotics"
    assert result.meeting_at == NOW + timedelta(days=3)
    assert result.stakeholders == (
        Stakeholder("Lee Park", "Plant IT lead", "champion"),
        Stakeholder("Sam Roy", "Controller", None),
    )


def test_every_missing_required_answer_is_reported_on_its_field(config):
    blank = {f.value: None for f in Field}
    result = validate(blank, config, NOW)
    assert isinstance(result, Invalid)
    optional = {
        Field.STAKEHOLDERS,
        Field.NOTES,
        Field.CONTACT_EMAIL,
        Field.WEBSITE,
        Field.CURRENT_SOLUTION,
        Field.TRIGGER,
        Field.INTENT_SIGNALS,
        Field.NEXT_STEPS,  # needed only once next steps are marked agreed
        Field.SUGGESTED_AE,
    }
    assert set(result.errors) == set(Field) - optional
    assert all(result.errors.values())


def test_meeting_in_the_past_is_refused_but_a_few_minutes_ago_is_fine(config):
    past = validate(answers(meeting_at=int((NOW - timedelta(hours=2)).timestamp())), config, NOW)
    assert isinstance(past, Invalid)
    assert "past" in past.errors[Field.MEETING_AT]
    recent = validate(
        answers(meeting_at=int((NOW - timedelta(minutes=5)).timestamp())), config, NOW
    )
    assert isinstance(recent, Qualification)


def test_meeting_more_than_a_year_away_is_refused(config):
    result = validate(answers(meeting_at=int((NOW + timedelta(days=400)).timestamp())), config, NOW)
    assert isinstance(result, Invalid)
    assert "year" in result.errors[Field.MEETING_AT]


def test_short_pain_names_the_minimum(config):
    result = validate(answers(pain="too slow"), config, NOW)
    assert isinstance(result, Invalid)
    assert str(config.pain_min_length) in result.errors[Field.PAIN]


def test_choice_not_in_config_is_refused(config):
    result = validate(answers(industry="mining"), config, NOW)
    assert isinstance(result, Invalid)
    assert Field.INDUSTRY in result.errors


def test_text_over_limits_is_refused_with_the_length(config):
    result = validate(answers(company="x" * 151, pain="p" * 3001), config, NOW)
    assert isinstance(result, Invalid)
    assert "151" in result.errors[Field.COMPANY]
    assert "3,001" in result.errors[Field.PAIN]


def test_stakeholders_are_checked_one_by_one(config):
    nameless = validate(answers(stakeholders=[{"name": "", "title": "CTO"}]), config, NOW)
    assert isinstance(nameless, Invalid)
    assert nameless.errors[Field.STAKEHOLDERS] == "Person 1: Give their name."
    many = [{"name": f"P{i}", "title": "T", "role": None} for i in range(11)]
    too_many = validate(answers(stakeholders=many), config, NOW)
    assert isinstance(too_many, Invalid)
    assert "at most 10" in too_many.errors[Field.STAKEHOLDERS]
    assert person_errors({"name": "A", "title": "B", "role": "oracle"}, config) == {
        "role": "That role is no longer offered; pick another."
    }


@pytest.mark.parametrize("email", ["dana", "dana@", "@acme.com", "dana@acme", "da na@acme.com"])
def test_malformed_email_says_what_to_do(config, email):
    result = validate(answers(contact_email=email), config, NOW)
    assert isinstance(result, Invalid)
    assert "name@company.com" in result.errors[Field.CONTACT_EMAIL]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("acme.com", "https://acme.com"),
        ("http://www.acme.co.uk/about", "http://www.acme.co.uk/about"),
        ("ACME.io", "https://ACME.io"),
    ],
)
def test_website_is_normalised(typed, stored):
    assert normalize_website(typed) == stored


@pytest.mark.parametrize("typed", ["acme", "ftp://acme.com", "acme .com", "https://", "a@b"])
def test_malformed_website_is_refused(config, typed):
    result = validate(answers(website=typed), config, NOW)
    assert isinstance(result, Invalid)
    assert "acme.com" in result.errors[Field.WEBSITE]


def test_agreed_next_steps_must_be_written_down(config):
    result = validate(answers(next_steps=""), config, NOW)
    assert isinstance(result, Invalid)
    assert "next step" in result.errors[Field.NEXT_STEPS]
    none_yet = validate(answers(next_steps="", next_steps_status="none"), config, NOW)
    assert isinstance(none_yet, Qualification)


def test_unknown_intent_signal_is_refused(config):
    result = validate(answers(intent_signals=["demo_request", "psychic"]), config, NOW)
    assert isinstance(result, Invalid)
    assert Field.INTENT_SIGNALS in result.errors


def test_step_errors_only_name_that_steps_fields(config):
    meeting, fit, _people, _need, review = steps(config)
    partial = {"company": "Acme", "meeting_at": int(NOW.timestamp()) + 3600, "source": "event"}
    assert step_errors(partial, meeting, config, NOW) == {}
    assert set(step_errors(partial, fit, config, NOW)) == {"industry", "company_size", "region"}
    assert review.fields == ()


def test_fit_checks_are_questions_of_the_fit_step(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text(FIT_CHECK)
    config = load_config(path)
    fit = steps(config)[1]
    assert fit.fields[-1] == "fit_compliance"
    missing = validate(answers(), config, NOW)
    assert isinstance(missing, Invalid)
    assert missing.errors == {"fit_compliance": "Pick one."}
    ok = validate(answers(fit_compliance="hipaa"), config, NOW)
    assert isinstance(ok, Qualification)
    assert ok.fit_answers == {"compliance": "hipaa"}


def test_a_stored_qualification_reopens_as_the_same_answers(config):
    first = validate(answers(fit_compliance="x"), config, NOW)
    assert isinstance(first, Qualification)
    again = validate(answers_of(first), config, NOW)
    assert again == first


FIT_CHECK = """
[rubric.account_fit.checks.compliance]
label = "Compliance environment"
counts = ["soc2", "hipaa"]
[rubric.account_fit.checks.compliance.choices]
soc2 = "SOC 2"
hipaa = "HIPAA"
none = "None or unknown"
"""


@pytest.mark.parametrize("who", ["someone", "<@U123>", "C0CHANNEL", 7])
def test_suggested_ae_must_be_a_slack_user(config, who):
    result = validate(answers(suggested_ae_id=who), config, NOW)
    assert isinstance(result, Invalid)
    assert "Pick a person" in result.errors[Field.SUGGESTED_AE]
