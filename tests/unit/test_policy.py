"""The [chasing] table: defaults that work, and one clear line for every bad value."""

from __future__ import annotations

from datetime import time

import pytest

from handoff.config import ConfigError, load_config
from handoff.config.sections import parse_chasing
from handoff.policy import DEFAULT_POLICY


def test_the_default_file_and_the_code_agree():
    assert load_config().policy == DEFAULT_POLICY == parse_chasing({}, "x")


def test_a_team_file_changes_only_what_it_names(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text(
        '[chasing]\ntimezone = "Europe/Berlin"\nholiday_country = "de"\n'
        'holiday_subdivision = "BY"\nworking_days = ["Mon", "tue", "wed", "thu"]\n'
        'quiet_hours = []\nworkday = ["08:30", "18:00"]\noutcome_chases = 5\n'
    )
    policy = load_config(path).policy
    assert policy.timezone == "Europe/Berlin"
    assert (policy.holiday_country, policy.holiday_subdivision) == ("DE", "BY")
    assert policy.working_days == (0, 1, 2, 3)
    assert (policy.quiet_start, policy.quiet_end) == (None, None)
    assert (policy.workday_start, policy.workday_end) == (time(8, 30), time(18, 0))
    assert policy.outcome_chases == 5
    assert policy.response_sla_hours == 2


def test_no_holidays(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('[chasing]\nholiday_country = ""\n')
    assert load_config(path).policy.holiday_country is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('timezone = "Mars/Olympus"', "chasing.timezone"),
        ('workday = ["17:00", "09:00"]', "chasing.workday"),
        ('workday = ["9", "17"]', "chasing.workday"),
        ("working_days = []", "chasing.working_days"),
        ('working_days = ["funday"]', "chasing.working_days"),
        ('holiday_country = "XX"', "chasing.holiday_country"),
        ('holiday_subdivision = "ZZ"', "chasing.holiday_subdivision"),
        ("response_sla_hours = 0", "chasing.response_sla_hours"),
        ('response_sla_hours = "2"', "chasing.response_sla_hours"),
        ("escalation_sla_days = 99", "chasing.escalation_sla_days"),
        ("outcome_grace_hours = -1", "chasing.outcome_grace_hours"),
        ("outcome_chases = 0", "chasing.outcome_chases"),
        ("outcome_chases = true", "chasing.outcome_chases"),
        ('quiet_hours = ["22:00"]', "chasing.quiet_hours"),
        ("reminder_emoji = 1", "chasing.reminder_emoji"),
    ],
)
def test_bad_values_name_the_file_and_the_key(tmp_path, text, key):
    path = tmp_path / "team.toml"
    path.write_text(f"[chasing]\n{text}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and key in str(info.value)
