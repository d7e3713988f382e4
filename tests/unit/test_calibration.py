"""Ranked calibration: the intervals against published values, the ranking on data with a
known answer, and what the data suggests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.surfaces.calibration_chart import calibration_chart
from handoff.config import load_config
from handoff.digest import Hint, Rates, Verdict, rank, suggest, week_ending
from handoff.digest.calibration import split
from handoff.digest.figures import Band, Calibration, CriterionCalibration
from handoff.digest.intervals import newcombe, wilson
from handoff.rubric import CRITERIA
from handoff.scoring import score
from tests.support.calibration_mix import END, NOISE, PREDICTIVE, calibration, make_meetings
from tests.support.digest_mix import NY

WINDOW = week_ending(END, NY, 13)


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (the hybrid score
# interval without continuity correction): examples (a) to (d).
@pytest.mark.parametrize(
    ("a", "m", "b", "n", "difference", "low", "high"),
    [
        (56, 70, 48, 80, 0.2000, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.6000, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.5714, 0.0582, 0.8062),
        (5, 56, 0, 29, 0.0893, -0.0381, 0.1926),
    ],
)
def test_newcombe_matches_the_published_examples(a, m, b, n, difference, low, high):
    interval = newcombe(a, m, b, n)
    assert interval is not None
    assert round(interval.estimate, 4) == difference
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)


def test_wilson_stays_inside_zero_and_one_and_needs_a_sample():
    # Newcombe (1998), Table I: 0/10 → 0 to 0.2775; 10/10 → 0.7225 to 1.
    none = wilson(0, 10)
    assert none is not None and (none.low, round(none.high, 4)) == (0.0, 0.2775)
    every = wilson(10, 10)
    assert every is not None and (round(every.low, 4), every.high) == (0.7225, 1.0)
    assert wilson(0, 0) is None and newcombe(1, 2, 0, 0) is None


def test_the_two_criteria_that_decide_acceptance_rank_first_and_the_noise_has_no_verdict():
    meetings = make_meetings(copies=4)
    # The stand-in answers really are judged as the design says.
    config = load_config()
    for m in meetings[:: len(meetings) // 16]:
        judged = score(m.qualification, config)
        assert {r.key: r.met for r in judged.results} == m.met

    ranking = rank(calibration(meetings, WINDOW), min_sample=10)

    assert [c.criterion for c in ranking.criteria[:2]] == ["next_steps", "persona"]
    for c in ranking.criteria[:2]:
        assert c.acceptance.verdict is Verdict.PREDICTS
        assert c.acceptance.difference is not None and c.acceptance.difference.low > 0
    # Persona also decides opportunities; next steps: +50 points, persona +25 (by design).
    by = {c.criterion: c for c in ranking.criteria}
    assert round(by["next_steps"].acceptance.points or 0) == 50
    assert round(by["persona"].acceptance.points or 0) == 25
    assert by["persona"].opportunity.predicts
    for key in NOISE:
        c = by[key]
        assert c.acceptance.points == 0 and c.acceptance.verdict is Verdict.UNCLEAR
        assert not c.predictive and c.acceptance.difference.spans_zero
    assert {c.criterion for c in ranking.findings} == set(PREDICTIVE)
    assert [c.criterion for c in ranking.undecided] == sorted(NOISE)


def test_a_small_sample_is_not_enough_data_even_with_a_big_difference():
    meetings = make_meetings(copies=1)[:16]  # 16 meetings: persona met in 8 of them
    ranking = rank(calibration(meetings, WINDOW), min_sample=10)
    assert ranking.findings == ()
    assert all(c.acceptance.verdict is Verdict.TOO_FEW for c in ranking.criteria)
    # 7/8 vs 1/8 excludes zero on its own; below the minimum sample it is still no verdict.
    s = split(7, 8, 1, 8, min_sample=10)
    assert s.difference is not None and s.difference.low > 0
    assert s.verdict is Verdict.TOO_FEW
    assert split(7, 8, 1, 8, min_sample=8).verdict is Verdict.PREDICTS


def test_bands_say_whether_a_higher_score_means_more_acceptance():
    low, mid, high = Rates(100, 100, 20, 0, 0), Rates(100, 100, 45, 0, 0), Rates(5, 5, 5, 0, 0)
    cal = Calibration(WINDOW, 13, (), (Band(0, 39, low), Band(40, 69, mid), Band(70, 100, high)))
    ranking = rank(cal, min_sample=10)
    assert [b.label for b in ranking.bands] == ["0–39", "40–69", "70–100"]
    assert ranking.bands[0].acceptance_change is None
    assert ranking.bands[1].acceptance_change.verdict is Verdict.PREDICTS  # 45% vs 20%
    assert ranking.bands[2].acceptance_change.verdict is Verdict.TOO_FEW  # 5 decided
    assert ranking.band_spread is not None and ranking.band_spread.verdict is Verdict.TOO_FEW


def test_the_data_suggests_but_never_changes_the_rubric():
    meetings = make_meetings(copies=4)
    config = load_config()
    rubric = config.rubric
    advice = suggest(rank(calibration(meetings, WINDOW), 10), rubric)
    hints = {(a.hint, a.criterion) for a in advice}
    # Account fit and pain are must-meet gates that predict nothing here.
    assert (Hint.GATE_NOT_PREDICTIVE, "account_fit") in hints
    assert (Hint.GATE_NOT_PREDICTIVE, "pain") in hints
    # Next steps (10 of 100 points) predicts strongly; it is also a gate, which comes first.
    assert (Hint.GATE_NOT_PREDICTIVE, "next_steps") not in hints
    light = replace(rubric, must_meet=("account_fit", "pain"))
    hints = {(a.hint, a.criterion) for a in suggest(rank(calibration(meetings, WINDOW), 10), light)}
    assert (Hint.LIGHT_BUT_STRONG, "next_steps") in hints
    assert (Hint.LIGHT_BUT_STRONG, "persona") not in hints  # 20 points: not light
    text = next(a.text for a in advice if a.criterion == "account_fit")
    assert text.startswith("Account fit is a must-meet gate, but meetings that met it")
    assert rubric == config.rubric  # nothing applied


def test_a_bar_that_lets_through_meetings_aes_mostly_reject():
    rubric = load_config().rubric
    cal = Calibration(
        WINDOW,
        13,
        tuple(CriterionCalibration(c, Rates(), Rates()) for c in CRITERIA),
        cleared=Rates(80, 80, 24, 10, 2),
        not_cleared=Rates(40, 40, 10, 5, 1),
    )
    [bar] = suggest(rank(cal, 10), rubric)
    assert bar.hint is Hint.BAR_TOO_LOW
    assert "of 80 decided meetings that cleared it, 56 were rejected" in bar.text
    fine = replace(cal, cleared=Rates(80, 80, 36, 10, 2))  # 45%, but the interval reaches 56%
    assert suggest(rank(fine, 10), rubric) == ()


def test_the_calibration_chart_draws_any_label():
    meetings = make_meetings(copies=1)
    ranking = rank(calibration(meetings, WINDOW), min_sample=10)
    labels = {c: f"Budget over $50k, under $1M {c} " + "x" * 80 for c in CRITERIA}
    assert calibration_chart(ranking, labels).startswith(b"\x89PNG")
    empty = rank(Calibration(WINDOW, 13), min_sample=10)
    assert calibration_chart(empty, {}).startswith(b"\x89PNG")
