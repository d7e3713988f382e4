"""What an operator watches, from the real processes: `handoff serve` (gunicorn, two
workers) and `handoff worker` (the sweeps), scraped over HTTP while the loop runs against
the Slack stand-in, their JSON log lines read from their output."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.demo.wizard_driver import WizardDriver
from bot.ids import COMMAND, Action
from bot.services import make_services
from bot.settings import load_settings
from slack_standin import SlackSender, SlackStandIn
from tests.support.booking_payloads import (
    GENERIC_SECRET,
    SDR_EMAIL,
    calendly_signature,
    generic_booking,
    raw,
)
from tests.support.cli import HANDOFF, cli_env, run_handoff
from tests.support.db import unit
from tests.support.digest_mix import insert, make_mix
from tests.support.slack_app import (
    AE,
    AE_CHANNEL,
    DIGEST_CHANNEL,
    SDR,
    SECRET,
    app_env,
    wizard_values,
)

TOKEN = "metrics-token-4f1c9a"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_for(url: str, proc: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited: {out.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers (a 401 is an answer)
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer: {out.read_text()}")


def _wait_until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def scrape(url: str) -> Samples:
    status, text = _get(url + "/metrics", TOKEN)
    assert status == 200, text
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name` over every series carrying these labels (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def json_lines(out: Path) -> list[dict[str, Any]]:
    """Every line the process wrote, each one JSON object (any other line fails here)."""
    lines = [line for line in out.read_text().splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]


def _start(args: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, Path]:
    command = next(a for a in args if not a.startswith("-"))
    out = cwd / f"{command}.log"
    proc = subprocess.Popen(
        [*HANDOFF, *args],
        env=cli_env(env),
        cwd=cwd,
        stdout=out.open("w"),
        stderr=subprocess.STDOUT,
    )
    return proc, out


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def standin():
    with SlackStandIn() as slack:
        slack.add_channel(AE_CHANNEL, "ae-desk", members=(AE,))
        slack.add_channel(DIGEST_CHANNEL, "sales-managers")
        slack.add_user(SDR, name="ann", email=SDR_EMAIL)
        slack.add_user(AE, name="bob")
        yield slack


def _prepared(
    standin: SlackStandIn, database_url: str, tmp_path: Path, *, history: bool = False
) -> dict[str, str]:
    """A migrated database; with `history`, 15 weeks of handoffs, so a weekly digest is due."""
    env = {
        **app_env(standin, database_url),
        "HANDOFF_DIGEST_CHANNEL": DIGEST_CHANNEL,
        "HANDOFF_METRICS_TOKEN": TOKEN,
        "HANDOFF_BOOKING_WEBHOOK_SECRET": GENERIC_SECRET,
    }
    upgraded = run_handoff(["db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    if not history:
        return env
    services = make_services(load_settings(env, dotenv=False))
    with unit(services) as repo:
        insert(repo.session, make_mix())
    services.engine.dispose()
    return env


def test_serve_reports_the_loop_in_metrics_and_json_logs(database_url, tmp_path, standin):
    env = _prepared(standin, database_url, tmp_path)
    port = _free_port()
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_999999.db").write_bytes(b"left by an earlier run")
    env.update(PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(shared))
    proc, out = _start(
        ["serve", "--workers", "2", "--threads", "4", "--no-scheduler"], env, tmp_path
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/healthz", proc, out)
        assert not (shared / "counter_999999.db").exists()  # wiped at start

        status, body = _get(url + "/readyz")
        ready = json.loads(body)
        assert status == 200 and ready["ok"] and ready["failed"] == [], ready
        assert ready["checks"]["migrations"]["database"] == ready["checks"]["migrations"]["code"]
        assert _get(url + "/metrics")[0] == 401
        assert _get(url + "/metrics", "not-" + TOKEN)[0] == 401

        # The loop: the brief's post is rate-limited once (Retry-After: 1) and retried; the
        # brief's update after Accept is refused once by Slack, and logged.
        sender = SlackSender(url + "/slack/events", SECRET, standin)
        assert sender.slash_command(SDR, COMMAND, "Acme Robotics").status == 200
        view = standin.wait_for("views.open")[0].response["view"]
        standin.fail_next("chat.postMessage", status=429, retry_after=1)
        sent = WizardDriver(standin, sender, SDR).send(view, wizard_values())
        assert sent.action == "close", sent
        _wait_until(lambda: standin.messages(AE_CHANNEL))
        brief = standin.messages(AE_CHANNEL)[0]
        time.sleep(0.5)  # a person reads before clicking
        button = next(
            e
            for b in brief["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == Action.ACCEPT
        )
        standin.fail_next("chat.update", status=200, error="cant_update_message")
        sender.block_action_in_message(
            AE, AE_CHANNEL, brief["ts"], Action.ACCEPT.value, "brief_actions", button["value"]
        )
        standin.wait_for("chat.update")

        # A booking tool delivers one meeting, then a forged one.
        data = raw(generic_booking())
        signed = {"X-Handoff-Signature": calendly_signature(data, GENERIC_SECRET)}
        forged = {"X-Handoff-Signature": calendly_signature(data, "not-the-secret")}
        hook = url + "/webhooks/meeting-booked"
        assert _post(hook, data, {**signed, "Content-Type": "application/json"}) == 200
        assert _post(hook, data, {**forged, "Content-Type": "application/json"}) == 401
        _wait_until(lambda: value(scrape(url), "handoff_messages_failed_total") >= 1)
        samples = scrape(url)
    finally:
        _stop(proc)

    assert shared.is_dir()  # the operator's folder is kept (only its old files went)

    # Acks, across both workers, by kind.
    assert value(samples, "handoff_ack_seconds_count", kind="command") == 1
    assert value(samples, "handoff_ack_seconds_count", kind="view_submission") >= 5
    assert value(samples, "handoff_ack_seconds_count", kind="block_actions") >= 1
    acked = value(samples, "handoff_ack_seconds_sum")
    assert 0 < acked < 3 * value(samples, "handoff_ack_seconds_count")
    assert value(samples, "handoff_ack_seconds_bucket", kind="command", le="3.0") == 1
    # Slack's answers: the 429 and its Retry-After, the refusal, and the rest ok.
    calls = "handoff_slack_api_calls_total"
    assert value(samples, calls, method="chat.postMessage", result="ratelimited") == 1
    assert value(samples, calls, method="chat.postMessage", result="ok") >= 2
    assert value(samples, calls, method="chat.update", result="error") == 1
    assert value(samples, calls, method="views.open", result="ok") == 1
    assert value(samples, "handoff_slack_retry_after_seconds_count") == 1
    assert value(samples, "handoff_slack_retry_after_seconds_sum") == 1.0
    # Deliveries: the brief went out right after the commit; the refused update failed.
    sent = "handoff_messages_sent_total"
    assert value(samples, sent, via="request", kind="brief") >= 1
    assert value(samples, sent, via="request", kind="decision_dm") == 1
    assert value(samples, "handoff_messages_failed_total", via="request", kind="brief") == 1
    # The booking tool's deliveries.
    hooks = "handoff_booking_webhooks_total"
    assert value(samples, hooks, tool="generic", result="stored") == 1
    assert value(samples, hooks, tool="generic", result="bad_signature") == 1
    # Read from the database at scrape time.
    assert value(samples, "handoff_scrape_database_ok") == 1
    assert value(samples, "handoff_handoffs", status="accepted") == 1
    assert value(samples, "handoff_handoffs", status="pending") == 0  # every status shown
    assert value(samples, "handoff_outbox_pending") >= 1  # the refused update, backing off
    assert value(samples, "handoff_outbox_failing") >= 1
    assert 0 <= value(samples, "handoff_outbox_oldest_pending_age_seconds") < 120

    # The logs: every line one JSON object; the fields of each request bound to its lines.
    lines = json_lines(out)
    command = next(
        r for r in lines if r.get("logger") == "gunicorn.access" and r.get("kind") == "command"
    )
    assert command["message"] == "POST /slack/events 200" and command["status"] == 200
    assert command["user"] == SDR and command["team"] and len(command["request_id"]) == 16
    assert command["level"] == "info" and command["timestamp"].endswith("Z")
    refused = next(r for r in lines if r.get("slack_error") == "cant_update_message")
    assert refused["level"] == "warning" and refused["logger"] == "bot.delivery.sender"
    assert refused["slack_method"] == "chat.update" and refused["outbox_kind"] == "brief"
    assert refused["handoff_id"] == int(button["value"])
    assert refused["user"] == AE and refused["kind"] == "block_actions"
    # The delivery that failed logged as part of the click that wrote it.
    [click] = [
        r
        for r in lines
        if r.get("logger") == "gunicorn.access" and r["request_id"] == refused["request_id"]
    ]
    assert click["message"] == "POST /slack/events 200" and click["user"] == AE
    assert any(r["message"].startswith("Booting worker") for r in lines)
    written = out.read_text()
    for secret in ("xoxb-test-token", SECRET, TOKEN, GENERIC_SECRET):
        assert secret not in written
    assert standin.problems == []


def test_worker_serves_its_own_metrics(database_url, tmp_path, standin):
    env = _prepared(standin, database_url, tmp_path, history=True)
    port = _free_port()
    env["HANDOFF_METRICS_PORT"] = str(port)
    proc, out = _start(["-v", "worker"], env, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/metrics", proc, out)
        assert _get(url + "/metrics")[0] == 401
        _wait_until(lambda: value(scrape(url), "handoff_digest_runs_total") >= 1)
        samples = scrape(url)
    finally:
        _stop(proc)
    # The first sweep ran at start: it sent the week's digest.
    assert value(samples, "handoff_sweeps_total", result="done") == 1
    assert value(samples, "handoff_sweep_duration_seconds_count") == 1
    assert 0 < value(samples, "handoff_sweep_duration_seconds_sum") < 60
    assert value(samples, "handoff_sweep_last_success_timestamp_seconds") > time.time() - 120
    assert value(samples, "handoff_digest_runs_total", result="sent") == 1
    assert len(standin.messages(DIGEST_CHANNEL)) == 3  # the digest and its two charts
    assert value(samples, "handoff_messages_failed_total") == 0
    assert value(samples, "handoff_slack_api_calls_total", method="chat.postMessage") >= 1
    # The only refusals concern the stored history's briefs, which were never posted: links
    # to them, and, in business hours, when its reminders left mid-try go out, the look in
    # their threads for a reminder an earlier sender may have posted.
    errors = value(samples, "handoff_slack_api_calls_total", result="error")
    assert errors == sum(
        value(samples, "handoff_slack_api_calls_total", method=method, result="error")
        for method in ("chat.getPermalink", "conversations.replies")
    )
    mix = make_mix()
    for status in ("accepted", "rejected", "withdrawn"):
        stored = sum(1 for h in mix if h["status"] == status)
        assert value(samples, "handoff_handoffs", status=status) == stored
    assert value(samples, "handoff_scrape_database_ok") == 1
    lines = json_lines(out)
    assert any(r.get("job") == "sweep" and "job sweep:" in r["message"] for r in lines)
