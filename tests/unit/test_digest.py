"""The digest's rules (periods, rates, flags, config) and its message within Slack's limits."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.surfaces.chart import trend_chart
from bot.surfaces.digest_message import MESSAGE_BUDGET, digest_message, duration, table, text_length
from bot.surfaces.textview import blocks_to_text
from handoff.config import ConfigError, load_config
from handoff.digest import (
    AeDecisions,
    Band,
    Calibration,
    CriterionCalibration,
    Digest,
    Disputes,
    Funnel,
    Group,
    Headline,
    Outcomes,
    Period,
    Rates,
    SdrRejections,
    SlaBreaches,
    StaleBrief,
    Timing,
    coaching_signals,
    latest_due,
    pct,
    rubber_stamps,
    trend,
    week_ending,
)
from handoff.policy import DigestPolicy
from slack_standin.blockkit import check_blocks

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


# -- when and which period -------------------------------------------------------------------


def test_the_latest_due_time_is_monday_nine_in_the_team_zone():
    policy = DigestPolicy()
    monday = ny(2026, 11, 23, 9, 0)
    assert latest_due(monday, NY, policy) == monday
    assert latest_due(monday - timedelta(seconds=1), NY, policy) == ny(2026, 11, 16, 9, 0)
    assert latest_due(ny(2026, 11, 22, 23, 0), NY, policy) == ny(2026, 11, 16, 9, 0)
    assert latest_due(ny(2026, 11, 27, 12, 0), NY, policy) == monday
    friday = DigestPolicy(day=4, at=datetime.strptime("16:30", "%H:%M").time())
    assert latest_due(ny(2026, 11, 23, 9, 0), NY, friday) == ny(2026, 11, 20, 16, 30)


def test_a_period_is_a_week_of_the_team_calendar_across_daylight_saving():
    # US clocks go back on Sunday 1 November 2026: that week has 169 hours.
    period = week_ending(ny(2026, 11, 2, 9, 0), NY)
    assert period == Period(ny(2026, 10, 26, 9, 0), ny(2026, 11, 2, 9, 0))
    assert period.end - period.start == timedelta(hours=169)
    weeks = trend(ny(2026, 11, 23, 9, 0), NY)
    assert len(weeks) == 8 and weeks[-1].end == ny(2026, 11, 23, 9, 0)
    assert weeks[0].start == ny(2026, 9, 28, 9, 0)
    assert all(a.end == b.start for a, b in itertools.pairwise(weeks))
    assert all(p.start.astimezone(NY).hour == 9 for p in weeks)
    assert week_ending(ny(2026, 11, 23, 9, 0), NY, 13).start == ny(2026, 8, 24, 9, 0)


def test_whole_percentages_round_half_up():
    assert pct(1, 8) == 13  # 12.5
    assert pct(1, 3) == 33 and pct(2, 3) == 67 and pct(7, 7) == 100 and pct(0, 5) == 0
    assert pct(0, 0) is None
    assert Funnel(10, 3, 1, 0, 6).acceptance_rate == 75
    assert Outcomes(9, 2, 1, 1, 3, 2).opportunity_rate == 50


# -- flags ------------------------------------------------------------------------------------


def test_rubber_stamps_need_a_meaningful_sample():
    policy = DigestPolicy()
    rows = [
        AeDecisions("U0ALL", 8, 8),  # 100% on 8: flagged
        AeDecisions("U0SMALL", 7, 7),  # 100% on 7: too few
        AeDecisions("U0HIGH", 10, 9),  # 90%, team is 60%: 30 points above, flagged
        AeDecisions("U0LOW", 30, 12),
    ]
    team = pct(36, 55)
    assert team == 65
    flagged = rubber_stamps(rows, policy)
    assert [f.ae_id for f in flagged] == ["U0ALL", "U0HIGH"]
    assert flagged[1].team_rate == 65 and flagged[1].rate == 90
    assert rubber_stamps(rows, DigestPolicy(rubber_stamp_points=30)) == flagged[:1]
    assert rubber_stamps([], policy) == ()


def test_coaching_signal_is_one_reason_for_most_rejections():
    policy = DigestPolicy()
    rows = [
        SdrRejections("U0A", 5, "wrong_persona", 3),  # 60% of 5: flagged
        SdrRejections("U0B", 4, "wrong_persona", 4),  # too few rejections
        SdrRejections("U0C", 10, "bad_fit", 5),  # 50%
    ]
    assert [r.sdr_id for r in coaching_signals(rows, policy)] == ["U0A"]
    assert coaching_signals(rows, DigestPolicy(coaching_min_rejections=4)) == (rows[1], rows[0])


# -- configuration ----------------------------------------------------------------------------


def test_digest_defaults_and_a_team_override(tmp_path):
    assert load_config().digest == DigestPolicy()
    path = tmp_path / "team.toml"
    path.write_text('[digest]\nday = "friday"\ntime = "16:30"\nscore_bands = [50, 70, 90]\n')
    digest = load_config(path).digest
    assert (digest.day, digest.at.hour, digest.at.minute) == (4, 16, 30)
    assert digest.score_bands == (50, 70, 90) and digest.top == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('day = "funday"', "digest.day"),
        ('time = "9am"', "digest.time"),
        ("dm_managers = 1", "digest.dm_managers"),
        ("top = 0", "digest.top must be a whole number 1–15"),
        ("top = 40", "digest.top"),
        ("score_bands = [70, 40]", "digest.score_bands"),
        ("score_bands = [0]", "digest.score_bands"),
        ("coaching_share = 50", "digest.coaching_share"),
        ("calibration_weeks = true", "digest.calibration_weeks"),
        ("channel = 'C1'", "digest.channel is not a known setting"),
    ],
)
def test_a_broken_digest_table_names_the_key(tmp_path, text, expected):
    path = tmp_path / "team.toml"
    path.write_text(f"[digest]\n{text}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and expected in str(info.value)


# -- the message ------------------------------------------------------------------------------

END = ny(2026, 11, 23, 9, 0)
HOSTILE = "<!channel> *Big* & <https://evil.example|click> `x` " + "y" * 200


def huge_digest(sdrs: int = 300, sources: int = 200) -> Digest:
    period = week_ending(END, NY)
    rates = Rates(40, 30, 20, 10, 5)
    groups = tuple(Group(f"{HOSTILE}{i}", 300 - i, 100, 50, 3600.0) for i in range(sources))
    head = Headline(
        period,
        Funnel(1000, 600, 300, 50, 50),
        Funnel(900, 500, 300, 50, 50),
        Timing(900, 7260.5, 86400 * 3),
        tuple(
            StaleBrief(i, HOSTILE, f"U0SDR{i:04d}", END - timedelta(days=90 - i), "C0AE", "1.2")
            for i in range(10)
        ),
        500,
    )
    return Digest(
        headline=head,
        sdrs=tuple(Group(f"U0SDR{i:04d}", 300 - i, 10, 5, 5000.0) for i in range(sdrs)),
        sources=groups,
        industries=groups,
        regions=groups,
        reasons=tuple((f"{HOSTILE}{i}", 100 - i) for i in range(100)),
        sla=SlaBreaches(70, 12),
        outcomes=Outcomes(600, 100, 200, 50, 100, 150),
        calibration=Calibration(
            week_ending(END, NY, 13),
            13,
            tuple(CriterionCalibration(f"{HOSTILE}{i}", rates, rates) for i in range(60)),
            tuple(Band(i * 20, i * 20 + 19, rates) for i in range(6)),
            tuple((f"{HOSTILE}{i}", rates) for i in range(40)),
        ),
        disputes=Disputes(20, 5, 6, 9),
        ae_decisions=(),
        rubber_stamps=tuple(
            rubber_stamps([AeDecisions(f"U0AE{i}", 20, 20) for i in range(50)], DigestPolicy())
        ),
        coaching=tuple(SdrRejections(f"U0SDR{i}", 9, HOSTILE, 9) for i in range(50)),
        trend=tuple((p, Funnel(1000, 600, 300, 50, 50)) for p in trend(END, NY)),
    )


@pytest.mark.parametrize("chart_failed", [False, True])
def test_any_number_of_sdrs_and_sources_fits_slack_limits(chart_failed):
    message = digest_message(huge_digest(), load_config(), chart_failed=chart_failed)
    blocks = message["blocks"]
    assert check_blocks(blocks, "message") == []
    assert len(blocks) <= 50 and text_length(blocks) <= MESSAGE_BUDGET
    text = blocks_to_text(blocks, {})
    assert "+292 more SDRs" in text or "more SDRs" in text
    assert "<!channel>" not in str(blocks) and "<https://evil" not in str(blocks)
    assert ("the chart could not be uploaded" in text) is chart_failed
    assert len(message["text"]) < 300


def test_the_top_setting_caps_every_table():
    config = load_config()
    message = digest_message(huge_digest(sdrs=20, sources=20), config)
    text = blocks_to_text(message["blocks"], {})
    assert text.count("• @U0SDR0") == 8
    assert "+12 more SDRs: " in text and "+192 more reasons" not in text
    assert "+92 more reasons: " in text


def test_tables_and_durations():
    assert table(["Source", "Sent"], [["Outbound", 12], ["Event", 3]]) == (
        "Source    Sent\nOutbound    12\nEvent        3"
    )
    assert [duration(s) for s in (None, 59, 60 * 42, 3600 * 3 + 60 * 5, 86400 * 2 + 3600 * 5)] == [
        "–",
        "0m",
        "42m",
        "3h 05m",
        "2d 5h",
    ]


def test_the_chart_is_a_png():
    png = trend_chart(huge_digest().trend, NY)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    empty = tuple((p, Funnel()) for p in trend(END, NY))
    assert trend_chart(empty, NY).startswith(b"\x89PNG")


def test_a_digest_time_skipped_by_daylight_saving_lands_after_the_gap():
    policy = DigestPolicy(day=6, at=datetime.strptime("02:30", "%H:%M").time())
    # Sunday 8 March 2026: New York clocks jump from 02:00 to 03:00.
    due = latest_due(ny(2026, 3, 8, 12, 0), NY, policy)
    assert due == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
