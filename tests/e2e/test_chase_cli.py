"""`handoff chase --now …` as cron or an operator runs it, against a local Slack stand-in."""

from __future__ import annotations

from bot.services import make_services
from bot.settings import load_settings
from handoff import lifecycle
from handoff.effects import Change, after
from slack_standin import SlackStandIn
from tests.support.chasing import MANAGERS, chasing_env, ny
from tests.support.cli import run_handoff
from tests.support.db import post_brief, unit
from tests.support.qualifications import qualification, scored
from tests.support.slack_app import AE, AE_CHANNEL, SDR

SUBMITTED = ny(2026, 12, 24, 16, 30)


def test_chase_prints_each_message_once_as_it_falls_due(database_url, tmp_path):
    with SlackStandIn() as slack:
        slack.add_channel(AE_CHANNEL, "ae-desk", members=(AE,))
        env = chasing_env(slack, database_url)
        assert run_handoff(["db", "upgrade"], env, tmp_path).returncode == 0
        services = make_services(load_settings(env, dotenv=False))
        services.now = lambda: SUBMITTED
        with unit(services) as repo:
            handoff = lifecycle.submit(
                repo,
                team_id="T1",
                sdr_id=SDR,
                qualification=qualification(meeting_at=ny(2026, 12, 29, 15, 0)),
                score=scored(),
                submission_key="cli",
                now=SUBMITTED,
            ).handoff
        assert post_brief(services, "T1", handoff.id).sent
        brief_ts = slack.messages(AE_CHANNEL)[0]["ts"]

        def chase(at: str) -> list[str]:
            result = run_handoff(["chase", "--now", at], env, tmp_path)
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            return result.stdout.splitlines()

        assert chase("2026-12-28T10:29:00-05:00") == []
        [reminder] = chase("2026-12-28T10:30:00-05:00")
        assert reminder.startswith(f"chase_reminder #{handoff.id} level 1 → {AE_CHANNEL}")
        assert f"thread {brief_ts}" in reminder and "2 business hours" in reminder
        assert chase("2026-12-28T10:45:00-05:00") == []
        assert chase("2026-12-28T16:30:00Z") == []  # 11:30 in New York: not due yet
        [escalation] = chase("2026-12-28T16:30:00-05:00")
        assert escalation.startswith(f"chase_escalation #{handoff.id} level 1 → G")
        assert "1 business day" in escalation
        assert chase("2026-12-28T16:31:00-05:00") == []

        # Accepted while Slack was unreachable: what the click armed waits for the sweep.
        with services.uow() as uow:
            accepted = lifecycle.accept(
                uow.handoffs, handoff.id, actor=AE, is_ae=True, now=ny(2026, 12, 28, 17, 0)
            ).handoff
            uow.outbox.add(after(Change.ACCEPTED, accepted, actor=AE), now=ny(2026, 12, 28, 17, 0))
        [updated, told, outcome] = chase("2026-12-30T09:00:00-05:00")
        assert updated == f"brief #{handoff.id} updated to its current state"  # accepted
        assert told.startswith(f"decision_dm #{handoff.id} level 0 → {slack.dm_channel(SDR)}")
        assert outcome.startswith(f"chase_outcome #{handoff.id} level 1 → {slack.dm_channel(AE)}")
        assert chase("2026-12-30T09:30:00-05:00") == []
        services.engine.dispose()

        thread = [m for m in slack.messages(AE_CHANNEL) if m.get("thread_ts") == brief_ts]
        assert len(thread) == 2  # the brief itself and one reminder
        group = "G" + "".join(sorted(u[1:] for u in MANAGERS))[:20]
        assert len(slack.messages(group)) == 1
        assert len(slack.dms(AE)) == 1
        assert slack.problems == []


def test_chase_refuses_a_time_without_a_zone(tmp_path):
    result = run_handoff(["chase", "--now", "2026-12-28T10:30:00"], {}, tmp_path)
    assert result.returncode == 2 and "give a zone" in result.stderr
