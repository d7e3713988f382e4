"""The operator's endpoints over HTTP: /readyz names the check that failed, /metrics asks for
its token and answers even when the database does not, and a request's log lines carry its
fields as JSON."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.entrypoints.health import Operations
from bot.entrypoints.web import create_wsgi
from bot.ids import Action
from bot.observability import logs, telemetry
from bot.observability.exposition import serve_metrics
from storage.db import make_engine
from storage.migrate import downgrade_to, head
from storage.uow import Database
from tests.support.raw_http import RawReply, raw_request
from tests.support.slack_app import AE, SDR, Harness, wizard_values

TOKEN = "scrape-token-7d2e"
ROOT = Path(__file__).resolve().parents[2]
METRIC = re.compile(r"\bhandoff_[a-z_]+")


@pytest.fixture
def harness_env() -> dict[str, str]:
    return {"HANDOFF_METRICS_TOKEN": TOKEN}


def get(url: str, token: str | None = TOKEN, scheme: str = "Bearer") -> RawReply:
    headers = [("Authorization", f"{scheme} {token}")] if token else []
    return raw_request(url, headers, method="GET")


def served(harness: Harness, ops: Operations) -> LocalServer:
    """The same app, its operator's endpoints reading through `ops`."""
    app = build_app(harness.services, verify_token=False)
    return LocalServer(create_wsgi(app, ops.db.engine, ops=ops))


def samples(reply: RawReply) -> dict[str, float]:
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("text/plain; version=")
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(reply.body.decode()):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            found[f"{s.name}{{{labels}}}"] = s.value
    return found


def test_ready_when_migrated_and_the_outbox_keeps_up(harness: Harness) -> None:
    reply = get(harness.url + "/readyz", token=None)
    body = json.loads(reply.body)
    assert reply.status == 200 and body["ok"] is True and body["failed"] == []
    assert body["checks"]["migrations"] == {"ok": True, "database": head(), "code": head()}
    assert body["checks"]["outbox"]["ok"] and body["checks"]["outbox"]["limit_seconds"] == 600


def test_not_ready_when_a_due_message_waits_past_the_limit(harness: Harness) -> None:
    """Slack refuses the brief: its row waits, due. Ten minutes and a second on, /readyz
    says the outbox is behind (and only that)."""
    harness.standin.fail_next("chat.postMessage", status=200, error="channel_not_found")
    harness.send(harness.open_form(), wizard_values())
    harness.wait_until(lambda: bool(harness.standin.calls("chat.postMessage")))
    harness.services.pool.wait_idle()  # type: ignore[union-attr]
    ops = Operations.of(harness.services)
    now = harness.services.now()
    assert json.loads(get(harness.url + "/readyz").body)["ok"] is True
    late = replace(ops, now=lambda: now + timedelta(minutes=10, seconds=1))
    with served(harness, late) as server:
        reply = get(server.url + "/readyz", token=None)
        scraped = samples(get(server.url + "/metrics"))
    body = json.loads(reply.body)
    assert reply.status == 503 and body["failed"] == ["outbox"], body
    assert body["checks"]["outbox"]["pending"] >= 1
    assert body["checks"]["outbox"]["oldest_due_seconds"] >= 601
    assert scraped["handoff_outbox_oldest_pending_age_seconds{}"] >= 601
    assert scraped["handoff_outbox_failing{}"] >= 1


def test_not_ready_when_the_database_is_behind_this_version(
    harness: Harness, database_url: str
) -> None:
    downgrade_to(database_url, "0008")
    reply = get(harness.url + "/readyz", token=None)
    body = json.loads(reply.body)
    assert reply.status == 503 and body["failed"] == ["migrations"], body
    assert body["checks"]["migrations"]["database"] == "0008"
    assert "handoff db upgrade" in body["checks"]["migrations"]["detail"]
    assert get(harness.url + "/healthz", token=None).status == 200  # alive, not ready


def test_without_a_database_not_ready_and_the_scrape_still_answers(
    harness: Harness, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken collector is logged and the scrape carries on: 200, with the values
    recorded and handoff_scrape_database_ok at 0."""
    folder = tmp_path / "a-folder-not-a-database"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder}")
    gone = replace(Operations.of(harness.services), db=Database(engine))
    telemetry.ack("command", 0.01)
    with served(harness, gone) as server:
        ready = get(server.url + "/readyz", token=None)
        scraped = samples(get(server.url + "/metrics"))
    engine.dispose()
    assert ready.status == 503 and json.loads(ready.body)["failed"] == ["database"]
    assert scraped["handoff_scrape_database_ok{}"] == 0
    assert scraped["handoff_ack_seconds_count{kind=command}"] >= 1
    assert "handoff_handoffs{status=accepted}" not in scraped
    assert any(r.getMessage() == "metrics: could not read the database" for r in caplog.records)


@pytest.mark.parametrize(
    ("token", "scheme"),
    [(None, "Bearer"), ("not-" + TOKEN, "Bearer"), (TOKEN[:-1], "Bearer"), (TOKEN, "Basic")],
)
def test_metrics_need_the_token(harness: Harness, token: str | None, scheme: str) -> None:
    reply = get(harness.url + "/metrics", token, scheme)
    assert reply.status == 401 and json.loads(reply.body) == {"error": "unauthorized"}
    assert reply.headers["www-authenticate"].startswith("Bearer")


def test_metrics_count_what_the_loop_did(harness: Harness) -> None:
    before = samples(get(harness.url + "/metrics"))
    brief = harness.submit_handoff()
    submitted = samples(get(harness.url + "/metrics"))
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: bool(harness.standin.dms(SDR)))
    harness.services.pool.wait_idle()  # type: ignore[union-attr]
    after = samples(get(harness.url + "/metrics"))

    def more(name: str, since: dict[str, float] = before) -> float:
        return after.get(name, 0.0) - since.get(name, 0.0)

    assert more("handoff_ack_seconds_count{kind=command}") == 1
    assert more("handoff_ack_seconds_count{kind=block_actions}", submitted) == 1
    assert more("handoff_ack_seconds_count{kind=view_submission}", submitted) == 0
    ok = "handoff_slack_api_calls_total{method=chat.postMessage,result=ok}"
    assert more(ok) == len(harness.standin.calls("chat.postMessage"))
    assert more("handoff_messages_sent_total{kind=brief,via=request}") >= 1
    assert more("handoff_messages_sent_total{kind=decision_dm,via=request}") == 1
    assert submitted["handoff_handoffs{status=pending}"] == 1
    assert after["handoff_handoffs{status=accepted}"] == 1
    assert after["handoff_handoffs{status=pending}"] == 0
    assert after["handoff_outbox_pending{}"] == 0
    assert after["handoff_scrape_database_ok{}"] == 1


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every record as the JSON formatter writes it, in the thread that logs it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.json_formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_click_logs_its_fields_as_json(harness: Harness, json_lines: io.StringIO) -> None:
    brief = harness.submit_handoff()
    harness.standin.fail_next("chat.update", status=200, error="cant_update_message")
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: "cant_update_message" in json_lines.getvalue())
    records = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    [refused] = [r for r in records if r.get("slack_error") == "cant_update_message"]
    handoff_id = int(
        next(
            e["value"]
            for b in brief["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == Action.ACCEPT
        )
    )
    assert refused["handoff_id"] == handoff_id and refused["outbox_kind"] == "brief"
    assert refused["slack_method"] == "chat.update"
    assert refused["user"] == AE and refused["team"] and refused["kind"] == "block_actions"
    assert refused["path"] == "/slack/events" and len(refused["request_id"]) == 16
    assert refused["message"].startswith(f"brief:{handoff_id}:0: not sent (cant_update_message)")


def test_a_request_id_given_by_a_proxy_is_kept(harness: Harness, json_lines: io.StringIO) -> None:
    headers = [("X-Request-Id", "lb-7f3a9c"), ("Content-Length", "3")]
    assert raw_request(harness.url + "/slack/events", headers, b"abc").status == 401
    [refusal] = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert refusal["request_id"] == "lb-7f3a9c" and refusal["level"] == "info"
    assert refusal["message"] == "refused 401 Unauthorized: X-Slack-Signature is missing"


def test_the_worker_endpoint_serves_or_steps_aside(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """On a free port GET /metrics answers (and only it); on a taken one the process carries
    on without it, and says so."""
    services = harness.services
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve_metrics(services.db, services.now, TOKEN, port) is None
    assert any("cannot serve /metrics on port" in r.getMessage() for r in caplog.records)
    assert serve_metrics(services.db, services.now, TOKEN, 0) is None  # off
    server = serve_metrics(services.db, services.now, TOKEN, _free_port())
    assert server is not None
    try:
        assert samples(get(server.url + "/metrics"))["handoff_scrape_database_ok{}"] == 1
        assert get(server.url + "/metrics", token=None).status == 401
        assert get(server.url + "/healthz").status == 404
    finally:
        server.__exit__(None, None, None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_grafana_dashboard_reads_metrics_the_bot_serves(shared_harness: Harness) -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {re.sub(r"_(total|bucket|sum|count)$", "", n) for e in exprs for n in METRIC.findall(e)}
    reply = get(shared_harness.url + "/metrics", token=None)
    served = {f.name for f in text_string_to_metric_families(reply.body.decode())}
    assert len(exprs) >= 20 and used, exprs
    assert used <= served, used - served
    assert {n for n in served if n.startswith("handoff_")} <= used  # every metric on a panel
