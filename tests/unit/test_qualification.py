from datetime import timedelta

from handoff.model import Field, Qualification, Stakeholder
from handoff.qualification import Invalid, validate
from tests.conftest import NOW, answers


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
    blank = {f: None for f in Field}
    result = validate(blank, config, NOW)
    assert isinstance(result, Invalid)
    optional = {Field.STAKEHOLDERS, Field.NOTES}
    assert set(result.errors) == set(Field) - optional


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
    assert "3001" in result.errors[Field.PAIN]


def test_stakeholder_lines_are_checked_one_by_one(config):
    bad_shape = validate(answers(stakeholders="Lee Park"), config, NOW)
    assert isinstance(bad_shape, Invalid)
    assert bad_shape.errors[Field.STAKEHOLDERS].startswith("Line 1")
    bad_role = validate(answers(stakeholders="A, B, Champion\nC, D, Wizard"), config, NOW)
    assert isinstance(bad_role, Invalid)
    assert bad_role.errors[Field.STAKEHOLDERS].startswith("Line 2")
    too_many = validate(answers(stakeholders="\n".join(["A, B"] * 11)), config, NOW)
    assert isinstance(too_many, Invalid)


def test_stakeholder_role_accepts_label_or_key(config):
    result = validate(answers(stakeholders="A, B, economic buyer\nC, D, end_user"), config, NOW)
    assert isinstance(result, Qualification)
    assert [s.role for s in result.stakeholders] == ["economic_buyer", "end_user"]
