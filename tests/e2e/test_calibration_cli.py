"""`handoff calibrate` and `handoff rubric try` as an operator runs them, on a generated mix
whose answer is known: acceptance depends on persona and next steps only."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from bot.services import make_services
from bot.settings import load_settings
from tests.support.calibration_mix import NOISE, make_meetings, store
from tests.support.cli import run_handoff, run_handoff_each
from tests.support.db import unit
from tests.support.rubric_proposals import (
    CURRENT,
    NO_LATER_TOML,
    PROPOSED,
    PROPOSED_TOML,
    changed,
    expected,
)

NOW = "2026-11-23T09:00:00-05:00"  # the mix's end: Monday 09:00 in New York


@pytest.fixture
def stored(database_url, tmp_path):
    env = {"DATABASE_URL": database_url}
    services = make_services(load_settings(env, dotenv=False))
    meetings = make_meetings(copies=4)
    with unit(services) as repo:
        store(repo.session, meetings, services.config)
    services.engine.dispose()
    return env, meetings


def test_calibrate_ranks_the_two_real_predictors_first_in_every_format(stored, tmp_path):
    env, _ = stored
    chart = tmp_path / "calibration.png"
    text, as_json, as_csv = run_handoff_each(
        [
            ["calibrate", "--now", NOW, "--chart", str(chart)],
            ["calibrate", "--now", NOW, "--weeks", "13", "--format", "json"],
            ["calibrate", "--now", NOW, "--format", "csv"],
        ],
        env,
        tmp_path,
    )
    for result in (text, as_json, as_csv):
        assert result.returncode == 0, result.stderr

    lines = text.stdout.splitlines()
    assert lines[0].startswith("Calibration: handoffs submitted Aug 24 – Nov 23 2026, 09:00")
    rows = [line for line in lines if re.match(r"^\d\. ", line)]
    assert [r.split("  ")[0] for r in rows] == ["1. Agreed next steps", "2. Persona and authority"]
    assert "88% of 256  38% of 256  +50 (+42 to +57)" in rows[0]
    rest = text.stdout.split("– not enough data yet –")[1].split("\n\n")[0]
    assert rest.count("interval spans 0") == len(NOISE)
    assert "Account fit is a must-meet gate, but meetings that met it" in text.stdout
    assert chart.read_bytes().startswith(b"\x89PNG")

    data = json.loads(as_json.stdout)
    assert [c["criterion"] for c in data["criteria"][:2]] == ["next_steps", "persona"]
    for c in data["criteria"][:2]:
        assert c["acceptance"]["verdict"] == "predicts" and c["acceptance"]["ci95_low_points"] > 0
    noise = {c["criterion"]: c for c in data["criteria"][2:]}
    assert set(noise) == set(NOISE)
    assert all(c["acceptance"]["verdict"] == "unclear" for c in noise.values())
    assert all(c["acceptance"]["difference_points"] == 0 for c in noise.values())
    assert data["window"]["weeks"] == 13 and data["min_sample"] == 10

    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    first = [r for r in table if r["rank"] == "1" and r["measure"] == "acceptance"]
    assert first[0]["key"] == "next_steps" and first[0]["verdict"] == "predicts"
    assert (first[0]["hits"], first[0]["n"]) == ("224", "256")


def test_rubric_try_compares_the_proposal_with_the_current_rubric(stored, tmp_path):
    env, meetings = stored
    proposal = tmp_path / "proposed.toml"
    proposal.write_text(PROPOSED_TOML)
    no_later = tmp_path / "no_later.toml"
    no_later.write_text(NO_LATER_TOML)
    chart = tmp_path / "replay.png"
    result, removed = run_handoff_each(
        [
            ["rubric", "try", str(proposal), "--now", NOW, "--chart", str(chart)],
            ["rubric", "try", str(no_later), "--now", NOW, "--weeks", "13"],
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    now, then = expected(meetings, CURRENT), expected(meetings, PROPOSED)
    assert out.startswith(f"Replay: {len(meetings)} handoffs submitted Aug 24 – Nov 23 2026")
    assert re.search(rf"would clear the bar\s+{now.cleared}\s+{then.cleared}\n", out)
    accepted = re.search(r"\n  accepted\s+(\d+)% of (\d+) decided\s+(\d+)% of (\d+) decided", out)
    assert accepted is not None
    assert [int(accepted[2]), int(accepted[4])] == [now.cleared, then.cleared]
    assert [int(accepted[1]), int(accepted[3])] == [
        round(100 * now.accepted / now.cleared),
        round(100 * then.accepted / then.cleared),
    ]
    gained, lost = changed(meetings)
    assert f"Would newly clear the bar: {len(gained)} (" in out
    assert f"Would be held back: {len(lost)} (" in out
    oldest = max(gained)  # listed oldest first: the mix numbers back in time
    assert f"  #{oldest} Company {oldest}: score " in out
    assert chart.read_bytes().startswith(b"\x89PNG")

    assert removed.returncode == 0, removed.stderr
    later = sum(m.qualification.timing == "later" for m in meetings)
    assert f"Cannot judge {later} handoffs (left out above):" in removed.stdout
    assert (
        f"the proposed rubric: timing 'later' is not one of its choices: {later} (#"
        in removed.stdout
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[rubric]\nbar = 170\n", "rubric.bar must be a whole number from 0 to 100"),
        ("[rubric\nbar = 60\n", "not valid TOML"),
        ('[rubric]\nmust_meet = ["budget"]\n', "budget informs the score but can never be a gate"),
    ],
)
def test_a_malformed_proposal_is_one_clear_line_and_exit_2(tmp_path, text, problem):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    result = run_handoff(["rubric", "try", str(bad)], {}, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"handoff rubric try: {bad}: ") and problem in line
    assert result.stdout == ""
