"""`handoff people map / unmap / list`: who a booking tool's booker email is in Slack, set by
hand; a booking kept without an SDR is given to them when their email is mapped."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import make_services
from bot.settings import load_settings
from handoff.booking import Tool, parse
from slack_standin import SlackStandIn
from storage.bookings import LOOKUP
from tests.support.booking_payloads import calendly_invitee
from tests.support.cli import run_handoff
from tests.support.slack_app import SDR, app_env

NEW = "new.sdr@ourco.example"


def test_map_list_unmap_and_a_waiting_booking_is_assigned(database_url, tmp_path):
    with SlackStandIn() as slack:
        env = app_env(slack, database_url)
        services = make_services(load_settings(env, dotenv=False))
        team = services.installed_team()
        body = calendly_invitee()
        body["payload"]["scheduled_event"]["event_memberships"][0]["user_email"] = NEW
        event = parse(Tool.CALENDLY, body)
        assert event is not None
        now = datetime.now(UTC)
        with services.uow() as uow:  # booked before anyone knew who NEW is in Slack
            booking = uow.bookings.apply(team, event, sdr_id=None, now=now)
            uow.people.remember(team, "looked@ourco.example", "U0LOOKED", how=LOOKUP, now=now)
        assert booking is not None

        mapped = run_handoff(["people", "map", NEW.upper(), f"<@{SDR}>"], env, tmp_path)
        assert mapped.returncode == 0, mapped.stderr
        assert mapped.stdout.strip() == f"{NEW} → {SDR}"
        assert "1 booking(s) waiting for this booker assigned" in mapped.stderr
        with services.uow(read_only=True) as uow:
            assigned = uow.bookings.get(booking.id)
            assert assigned is not None and assigned.sdr_id == SDR
            assert uow.outbox.due(now=datetime.now(UTC))  # the DM waits for the sweep

        listed = run_handoff(["people", "list"], env, tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.splitlines() == [
            f"looked@ourco.example\tU0LOOKED\t{LOOKUP}",
            f"{NEW}\t{SDR}\tmanual",
        ]

        assert run_handoff(["people", "unmap", NEW], env, tmp_path).returncode == 0
        again = run_handoff(["people", "unmap", NEW], env, tmp_path)
        assert again.returncode == 1 and "was not mapped" in again.stderr
        bad = run_handoff(["people", "map", NEW, "ann"], env, tmp_path)
        assert bad.returncode == 2 and "Slack user ID" in bad.stderr
        services.close()
