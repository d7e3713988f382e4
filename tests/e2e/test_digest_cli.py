"""`handoff digest` as cron or an operator runs it, against a local Slack stand-in."""

from __future__ import annotations

from bot.services import make_services
from bot.settings import load_settings
from slack_standin import SlackStandIn
from tests.support.cli import run_handoff
from tests.support.db import unit
from tests.support.digest_mix import Expected, insert, make_mix
from tests.support.slack_app import AE_CHANNEL, DIGEST_CHANNEL

PERIOD_END = "2026-11-23T09:00:00-05:00"  # Monday 09:00 in New York


def test_dry_run_prints_then_posting_happens_once(database_url, tmp_path):
    with SlackStandIn() as slack:
        slack.add_channel(AE_CHANNEL, "ae-desk")
        env = {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_API_URL": slack.base_url,
            "DATABASE_URL": database_url,
            "HANDOFF_AE_CHANNEL": AE_CHANNEL,
            "HANDOFF_DIGEST_CHANNEL": DIGEST_CHANNEL,
        }
        assert run_handoff(["db", "upgrade"], env, tmp_path).returncode == 0
        services = make_services(load_settings(env, dotenv=False))
        mix = make_mix()
        with unit(services) as repo:
            insert(repo.session, mix)
        services.engine.dispose()
        funnel = Expected(mix).funnel(Expected(mix).cohort())

        chart = tmp_path / "chart.png"
        dry = run_handoff(
            ["digest", "--now", PERIOD_END, "--dry-run", "--chart", str(chart)], env, tmp_path
        )
        assert dry.returncode == 0, dry.stderr
        assert "## 📊 Weekly handoff digest" in dry.stdout
        assert "Mon Nov 16, 09:00 – Mon Nov 23 2026, 09:00 (America/New_York)" in dry.stdout
        assert f"Submitted | {funnel['submitted']} " in dry.stdout
        assert f"Accepted | {funnel['accepted']} " in dry.stdout
        assert "dry run, nothing posted" in dry.stderr
        assert chart.read_bytes().startswith(b"\x89PNG")
        assert slack.calls() == []

        first = run_handoff(["digest", "--now", PERIOD_END], env, tmp_path)
        assert first.returncode == 0, first.stderr
        [line] = first.stdout.splitlines()
        assert line.startswith("digest Mon Nov 16") and f"→ {DIGEST_CHANNEL} ts " in line
        assert line.endswith("(chart uploaded, calibration chart uploaded)")
        assert len(slack.messages(DIGEST_CHANNEL)) == 3  # the digest and its two charts

        second = run_handoff(["digest", "--now", PERIOD_END], env, tmp_path)
        assert second.returncode == 0, second.stderr
        assert second.stdout == ""
        assert "nothing posted: already sent at" in second.stderr
        assert len(slack.messages(DIGEST_CHANNEL)) == 3
        assert slack.problems == []


def test_digest_refuses_a_time_without_a_zone_and_a_missing_destination(tmp_path):
    result = run_handoff(["digest", "--now", "2026-11-23T09:00:00", "--dry-run"], {}, tmp_path)
    assert result.returncode == 2 and "give a zone" in result.stderr
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "secret",
        "HANDOFF_AE_CHANNEL": AE_CHANNEL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    result = run_handoff(["digest"], env, tmp_path)
    assert result.returncode == 2 and "HANDOFF_DIGEST_CHANNEL" in result.stderr
