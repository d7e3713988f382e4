"""Outgoing webhooks: each event a signed JSON body a receiver can verify, retried with the
outbox's back-off for 24 hours, logged, and replayed by the real `handoff` command."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.delivery.pacing import Pacer, Slack
from bot.delivery.sender import deliver_due
from bot.ids import Action
from storage.models import OutboxRow, WebhookDeliveryRow
from tests.support.cli import run_handoff
from tests.support.db import unit
from tests.support.slack_app import AE, SDR

SECRET = "whsec-test-0123456789abcdef"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "webhook-event.schema.json").read_text()
)


@dataclass
class Receiver:
    """A CRM or BI tool on the other end: checks each signature as docs/crm.md says."""

    answers: deque[int] = field(default_factory=deque)  # statuses to answer, then 204
    got: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, headers: Any, raw: bytes) -> int:
        stamp, _, sig = headers["X-Handoff-Signature"].partition(",")
        t = stamp.removeprefix("t=")
        expected = hmac.new(SECRET.encode(), f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
        with self.lock:
            self.got.append(
                {
                    "verified": hmac.compare_digest(sig.removeprefix("v1="), expected),
                    "event": headers["X-Handoff-Event"],
                    "delivery": headers["X-Handoff-Delivery"],
                    "raw": raw,
                    "body": json.loads(raw),
                }
            )
            return self.answers.popleft() if self.answers else 204


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    r = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            status = r.receive(self.headers, raw)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield r, f"http://127.0.0.1:{server.server_port}/handoff-events"
    server.shutdown()
    server.server_close()


@pytest.fixture
def team_toml(receiver, tmp_path) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(
        f"""
[[webhooks]]
name = "bi"
url = "{receiver[1]}"
events = ["handoff.submitted", "handoff.accepted", "handoff.rejected"]
secret_env = "BI_WEBHOOK_SECRET"
"""
    )
    return path


@pytest.fixture
def harness_env(team_toml):
    return {"HANDOFF_CONFIG": str(team_toml), "BI_WEBHOOK_SECRET": SECRET}


def _settle(harness) -> None:
    assert harness.services.pool.wait_idle(30)


def _sweep(harness, after: timedelta = timedelta(0)):
    _settle(harness)
    if after:
        later = harness.services.now() + after
        harness.services.now = lambda: later
    slack = Slack.for_sweep(harness.services.client, Pacer(sleep=lambda s: None))
    return deliver_due(harness.services, slack)


def _accept(harness) -> None:
    brief = harness.submit_handoff()
    _settle(harness)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    _settle(harness)


def test_each_event_arrives_signed_with_the_documented_body(harness, receiver):
    r, _ = receiver
    _accept(harness)
    assert [g["event"] for g in r.got] == ["handoff.submitted", "handoff.accepted"]
    for got in r.got:
        assert got["verified"]
        jsonschema.validate(got["body"], SCHEMA, format_checker=jsonschema.FormatChecker())
        assert got["body"]["id"] == got["delivery"] and got["body"]["type"] == got["event"]
    submitted, accepted = (g["body"]["data"]["handoff"] for g in r.got)
    # Each body is the handoff as it was at its change.
    assert (submitted["status"], submitted["decided_by"]) == ("submitted", None)
    assert (accepted["status"], accepted["decided_by"], accepted["ae_id"]) == (
        "accepted",
        AE,
        AE,
    )
    assert accepted["company"]["name"] == "Acme Robotics"
    assert accepted["qualification"]["pain"].startswith("Unplanned downtime")
    assert r.got[0]["delivery"] != r.got[1]["delivery"]


def test_a_failing_receiver_is_retried_with_back_off_then_given_up_after_a_day(harness, receiver):
    r, _ = receiver
    r.answers.extend([503, 500, 500])
    _accept(harness)  # submitted: 503; accepted: 500
    # A first failure is tried again at once: one goes through, the other fails again …
    assert len(_sweep(harness).called) == 1
    # … and its next try waits a minute, not less.
    assert _sweep(harness, timedelta(seconds=30)).called == []
    assert [j.kind for j in _sweep(harness, timedelta(seconds=31)).called] == ["webhook"]
    ids = {g["delivery"]: [] for g in r.got}
    for g in r.got:
        ids[g["delivery"]].append(g["raw"])
    # The same body, byte for byte, under the same idempotency id on every try.
    assert sorted(len(v) for v in ids.values()) == [2, 3]
    assert all(len(set(v)) == 1 for v in ids.values())
    with unit(harness.services) as repo:
        rows = repo.session.query(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id).all()
        assert sorted((x.attempts, x.last_status) for x in rows) == [(2, 204), (3, 204)]
        assert all(x.delivered_at is not None for x in rows)


def test_a_receiver_down_for_a_day_is_given_up(harness, receiver):
    r, _ = receiver
    r.answers.extend([500] * 50)
    _accept(harness)
    for minutes in (1, 2, 5, 10, 30, 60 * 12, 60 * 12):
        _sweep(harness, timedelta(minutes=minutes))
    tried = len(r.got)
    _sweep(harness, timedelta(hours=1))
    assert len(r.got) == tried  # past 24 hours: no more tries
    with unit(harness.services) as repo:
        rows = repo.session.query(WebhookDeliveryRow).all()
        assert all(x.gave_up_at is not None and x.delivered_at is None for x in rows)
        pending = repo.session.query(OutboxRow).filter_by(kind="webhook", pending=True).count()
        assert pending == 0


def test_the_log_and_a_replay_through_the_handoff_command(harness, receiver, team_toml, tmp_path):
    r, _ = receiver
    _accept(harness)
    env = {
        "DATABASE_URL": harness.services.settings.database_url,
        "HANDOFF_CONFIG": str(team_toml),
        "BI_WEBHOOK_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": harness.standin.base_url,
    }
    log = run_handoff(["webhooks", "log"], env, tmp_path)
    assert log.returncode == 0, log.stderr
    lines = [line.split("\t") for line in log.stdout.splitlines()]
    assert [(x[3], x[5], x[6], x[7]) for x in lines] == [
        ("handoff.accepted", "1 tries", "204", "delivered"),
        ("handoff.submitted", "1 tries", "204", "delivered"),
    ]
    accepted_id = lines[0][0]
    replay = run_handoff(["webhooks", "replay", accepted_id], env, tmp_path)
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.split("\t")[-1].strip() == "delivered"
    first, again = r.got[1], r.got[2]
    assert again["verified"] and again["raw"] == first["raw"]
    assert again["delivery"] == first["delivery"]
    missing = run_handoff(["webhooks", "replay", "999"], env, tmp_path)
    assert missing.returncode == 1 and "no delivery 999" in missing.stderr
