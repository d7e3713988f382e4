"""Every figure of the digest, from SQL, against the same figure computed in Python.

The mix (tests/support/digest_mix.py) has several SDRs and AEs, sources, industries, regions,
reasons, outcomes, disputes, reminders, a manager's assignment and two rubric versions;
`Expected` recomputes each figure from the fixture's dicts, never through the SQL.
"""

from __future__ import annotations

import pytest

from handoff.config import load_config
from handoff.digest import Period, assemble
from storage import metrics
from storage.db import make_engine, make_session_factory, session_scope
from tests.support.digest_mix import COACH, END, STAMP, START, Expected, insert, make_mix, percent


@pytest.fixture
def mix(database_url):
    data = make_mix()
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        insert(session, data)
    yield data, sessions
    engine.dispose()


@pytest.fixture
def digest(mix):
    _data, sessions = mix
    with session_scope(sessions) as session:
        config = load_config()
        return assemble(metrics.collect(session, config, Period(START, END)), config.digest)


def test_the_headline_and_its_changes(mix, digest):
    expected = Expected(mix[0])
    now, before = expected.funnel(expected.cohort()), expected.funnel(expected.previous())
    f, p = digest.headline.funnel, digest.headline.previous
    assert vars(f) == now and vars(p) == before
    assert now["submitted"] == sum(v for k, v in now.items() if k != "submitted")
    expected_rate = percent(now["accepted"], now["accepted"] + now["rejected"])
    assert f.acceptance_rate == expected_rate
    before_rate = percent(before["accepted"], before["accepted"] + before["rejected"])
    assert digest.headline.changes == {
        "submitted": now["submitted"] - before["submitted"],
        "accepted": now["accepted"] - before["accepted"],
        "rejected": now["rejected"] - before["rejected"],
        "withdrawn": now["withdrawn"] - before["withdrawn"],
        "pending": now["pending"] - before["pending"],
        "canceled": now["canceled"] - before["canceled"],
        "acceptance_rate": expected_rate - before_rate,
    }
    # The mix is rich enough for every number to mean something.
    assert all(now[k] > 0 for k in now) and now != before


def test_eight_weeks_of_trend(mix, digest):
    expected = Expected(mix[0]).trend()
    assert [vars(f) for _, f in digest.trend] == expected
    assert digest.trend[-1][0] == Period(START, END)
    assert all(a[0].end == b[0].start for a, b in zip(digest.trend, digest.trend[1:], strict=False))


def test_time_to_decision_median_and_p90(mix, digest):
    n, median, p90 = Expected(mix[0]).timing()
    t = digest.headline.timing
    assert (t.decided, t.median_seconds, t.p90_seconds) == (n, median, p90)
    assert n > 10


def test_a_row_per_sdr_and_breakdowns(mix, digest):
    expected = Expected(mix[0])
    medians = expected.sdr_medians()
    assert [(g.key, g.submitted, g.accepted, g.rejected) for g in digest.sdrs] == expected.groups(
        "sdr_id"
    )
    assert {g.key: g.median_seconds for g in digest.sdrs} == medians
    for name, key in (("sources", "source"), ("industries", "industry"), ("regions", "region")):
        rows = getattr(digest, name)
        assert [(g.key, g.submitted, g.accepted, g.rejected) for g in rows] == expected.groups(key)
    assert {g.key for g in digest.sdrs} >= {COACH, "U0SDRANN"}


def test_rejection_reasons_sla_and_outcomes(mix, digest):
    expected = Expected(mix[0])
    assert list(digest.reasons) == expected.reasons()
    assert (digest.sla.total, digest.sla.still_undecided) == expected.sla()
    assert digest.sla.total > digest.sla.still_undecided > 0
    out = expected.outcomes()
    assert vars(digest.outcomes) == out
    final = out["held_opportunity"] + out["held_no_fit"] + out["no_show"]

    assert digest.outcomes.opportunity_rate == percent(out["held_opportunity"], final)


def test_stale_briefs_oldest_first(mix, digest):
    ids, total = Expected(mix[0]).stale(5)
    assert [b.id for b in digest.headline.stale] == ids
    assert digest.headline.undecided == total > 5


def test_disputes_and_flags(mix, digest):
    expected = Expected(mix[0])
    assert vars(digest.disputes) == expected.disputes()
    assert {a.ae_id: (a.decisions, a.accepted) for a in digest.ae_decisions} == (
        expected.ae_decisions()
    )
    assert [f.ae_id for f in digest.rubber_stamps] == sorted(
        expected.rubber_stamps(), key=lambda ae: [f.ae_id for f in digest.rubber_stamps].index(ae)
    )
    assert set(f.ae_id for f in digest.rubber_stamps) == set(expected.rubber_stamps())
    assert STAMP in {f.ae_id for f in digest.rubber_stamps}
    assert sorted((c.sdr_id, c.reason, c.count, c.rejections) for c in digest.coaching) == (
        expected.coaching()
    )
    assert (COACH, "wrong_persona", 4, 6) in expected.coaching()


def test_calibration_by_criterion_band_and_version(mix, digest):
    expected = Expected(mix[0])
    cal = digest.calibration
    assert cal.weeks == 13 and cal.window.end == END
    got = {c.criterion: {True: astuple(c.met), False: astuple(c.not_met)} for c in cal.criteria}
    assert got == expected.criteria()
    assert [c.criterion for c in cal.criteria][:3] == ["account_fit", "persona", "pain"]
    assert [astuple(b.rates) for b in cal.bands] == expected.bands()
    assert [b.label for b in cal.bands] == ["0–39", "40–69", "70–100"]
    assert {v: astuple(r) for v, r in cal.versions} == expected.versions()
    assert [v for v, _ in cal.versions] == ["2026.1", "2026.2"]


def astuple(rates):
    return (rates.submitted, rates.decided, rates.accepted, rates.with_outcome, rates.opportunities)


def test_headline_for_home_is_the_last_scheduled_period(mix):
    data, sessions = mix
    from datetime import timedelta

    with session_scope(sessions) as session:
        head = metrics.headline(session, load_config(), END + timedelta(days=2))
    assert head.period == Period(START, END)
    expected = Expected(data)
    assert vars(head.funnel) == expected.funnel(expected.cohort())
    assert [b.id for b in head.stale] == expected.stale(5)[0]
