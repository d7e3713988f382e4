"""Metric labels stay within small fixed sets whatever a request holds, and recording a
metric never raises into the request or job that records it."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from bot.observability import telemetry
from bot.observability.slack_calls import method_of


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"command": "/handoff", "type": "block_actions"}, "command"),
        ({"type": "view_submission"}, "view_submission"),
        ({"type": "event_callback", "event": {"type": "app_home_opened"}}, "event_callback"),
        ({"type": "U0SOMEONE"}, "other"),
        ({"type": "x" * 500}, "other"),
        ({}, "other"),
        (["not", "an", "object"], "other"),
    ],
)
def test_a_request_kind_is_one_of_a_few(body: object, kind: str) -> None:
    assert telemetry.ack_kind(body) == kind


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("https://slack.com/api/chat.postMessage", "chat.postMessage"),
        ("http://127.0.0.1:5000/api/users.lookupByEmail?email=a@b.example", "users.lookupByEmail"),
        (
            "https://slack.com/api/admin.conversations.restrictAccess.addGroup",
            "admin.conversations.restrictAccess.addGroup",
        ),
        ("https://files.slack.com/upload/v1/ABC123DEF456", "other"),
        ("https://slack.com/api/", "other"),
    ],
)
def test_a_method_label_is_a_web_api_method_or_other(url: str, method: str) -> None:
    assert telemetry.slack_method(method_of(url)) == method


def test_a_metric_that_cannot_be_recorded_is_logged_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = REGISTRY.get_sample_value("handoff_sweeps_total", {"result": "done"}) or 0.0
    telemetry.sweep("done", "not seconds")  # type: ignore[arg-type]
    assert any(r.getMessage() == "could not record metric sweep" for r in caplog.records)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    # What was recorded before the failure stays recorded.
    assert REGISTRY.get_sample_value("handoff_sweeps_total", {"result": "done"}) == before + 1
