"""The app manifest: valid against Slack's published JSON Schema, committed copy in sync."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from bot.entrypoints import cli
from bot.entrypoints.manifest import BOT_SCOPES, build_manifest
from bot.entrypoints.web import EVENTS_PATH
from bot.ids import COMMAND, Callback

REPO = Path(__file__).resolve().parents[2]
SHARED_SLACK = REPO.parent / "shared" / "slack"
ROOT_SCHEMA = "manifest.schema.json"
VERSIONED_SCHEMAS = ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json")


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    """Slack's root schema, its public $ids for the versioned files resolved to local copies."""
    if not SHARED_SLACK.is_dir():
        message = f"Slack's manifest schema is not at {SHARED_SLACK} (clone next to shared/)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI=true requires it")
        pytest.skip(message)
    root = json.loads((SHARED_SLACK / ROOT_SCHEMA).read_text("utf-8"))
    resources = [(root["$id"], Resource.from_contents(root, default_specification=DRAFT7))]
    remote = {ref for ref in _refs(root) if ref.startswith("https://")}
    for name in VERSIONED_SCHEMAS:
        uris = {ref for ref in remote if ref.rsplit("/", 1)[-1] == name}
        assert len(uris) == 1, f"the root schema should reference {name} once by URL: {uris}"
        contents = json.loads((SHARED_SLACK / name).read_text("utf-8"))
        resources.append(
            (uris.pop(), Resource.from_contents(contents, default_specification=DRAFT7))
        )
    resolved = {uri for uri, _ in resources}
    assert remote <= resolved, f"unresolved schema references: {remote - resolved}"
    Draft7Validator.check_schema(root)
    return Draft7Validator(root, registry=Registry().with_resources(resources))


def _errors(validator: Draft7Validator, manifest: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]


def _urls(manifest: dict[str, Any]) -> list[str]:
    settings = manifest["settings"]
    return [
        *(c["url"] for c in manifest["features"]["slash_commands"] if "url" in c),
        *(
            settings[k]["request_url"]
            for k in ("event_subscriptions", "interactivity")
            if "request_url" in settings[k]
        ),
    ]


@pytest.mark.parametrize(
    "manifest",
    [
        pytest.param(build_manifest(), id="default"),
        pytest.param(build_manifest("https://bot.example.org/"), id="url"),
        pytest.param(build_manifest(socket_mode=True), id="socket-mode"),
    ],
)
def test_manifest_matches_slack_schema(validator: Draft7Validator, manifest: dict) -> None:
    assert _errors(validator, manifest) == []


def test_committed_manifest_matches_slack_schema(validator: Draft7Validator) -> None:
    committed = json.loads((REPO / "manifest.json").read_text("utf-8"))
    assert _errors(validator, committed) == []


def test_validator_rejects_a_shortcut_name_over_24_characters(
    validator: Draft7Validator,
) -> None:
    manifest = copy.deepcopy(build_manifest())
    manifest["features"]["shortcuts"][0]["name"] = "N" * 25
    errors = list(validator.iter_errors(manifest))
    assert errors, "a 25-character shortcut name must fail Slack's schema"
    with pytest.raises(ValidationError):
        validator.validate(manifest)


def test_validator_rejects_an_unknown_top_level_key(validator: Draft7Validator) -> None:
    manifest = {**build_manifest(), "not_a_manifest_key": True}
    assert _errors(validator, manifest) != []


def test_committed_manifest_is_build_manifest() -> None:
    """`handoff manifest > manifest.json` after every change; this catches a forgotten run."""
    committed = json.loads((REPO / "manifest.json").read_text("utf-8"))
    assert committed == build_manifest()


def test_manifest_content() -> None:
    manifest = json.loads((REPO / "manifest.json").read_text("utf-8"))
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND] == ["/handoff"]
    shortcuts = features["shortcuts"]
    assert sorted(s["type"] for s in shortcuts) == ["global", "message"]
    callback_ids = {c.value for c in Callback}
    for shortcut in shortcuts:
        assert shortcut["callback_id"] in callback_ids
    assert {s["type"]: s["callback_id"] for s in shortcuts} == {
        "global": Callback.NEW_SHORTCUT.value,
        "message": Callback.MESSAGE_SHORTCUT.value,
    }
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert settings["socket_mode_enabled"] is False
    urls = _urls(manifest)
    assert len(urls) == 3
    assert all(u.endswith("/slack/events") for u in urls)
    assert EVENTS_PATH == "/slack/events"
    assert manifest["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
    assert BOT_SCOPES[:2] == ["commands", "chat:write"]
    # Recovery after a crash reads history where the bot posts: channels, DMs, group DMs.
    assert {"im:write", "mpim:write", "channels:history", "im:history"} <= set(BOT_SCOPES)
    # The weekly digest's chart goes up with files_upload_v2.
    assert "files:write" in BOT_SCOPES
    # Without HANDOFF_AES the AEs are the AE channel's members (conversations.members).
    assert {"channels:read", "groups:read"} <= set(BOT_SCOPES)


def test_manifest_base_url_is_used_without_a_double_slash() -> None:
    manifest = build_manifest("https://bot.example.org/")
    assert _urls(manifest) == ["https://bot.example.org/slack/events"] * 3


def test_socket_mode_manifest_has_no_urls() -> None:
    manifest = build_manifest(socket_mode=True)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert _urls(manifest) == []
    assert "https://" not in json.dumps(manifest)
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}


def test_cli_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["manifest", "--url", "https://x.example"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == build_manifest("https://x.example")
    urls = _urls(printed)
    assert len(urls) == 3
    assert all(u.startswith("https://x.example/") for u in urls)


def test_cli_prints_the_socket_mode_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["manifest", "--socket-mode"]) == 0
    assert json.loads(capsys.readouterr().out) == build_manifest(socket_mode=True)
