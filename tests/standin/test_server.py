"""SlackStandIn driven by the real slack_sdk WebClient, as the app will drive it."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from slack_standin import SlackStandIn

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* is ready"}}


def modal(title: str = "New handoff", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "new_handoff",
        "title": {"type": "plain_text", "text": title},
        "blocks": [SECTION],
        **extra,
    }


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def test_auth_test_returns_the_configured_identity() -> None:
    with SlackStandIn(team_id="T1", bot_user_id="UBOT", bot_id="B1") as custom:
        answer = custom.client().auth_test()
    assert answer["team_id"] == "T1"
    assert answer["user_id"] == "UBOT"
    assert answer["bot_id"] == "B1"
    assert {"url", "team", "user"} <= set(answer.data)


def test_post_then_update_keeps_one_message_with_the_new_content(
    standin: SlackStandIn, slack: WebClient
) -> None:
    first = slack.chat_postMessage(channel="C1", text="Acme is ready", blocks=[SECTION])
    second = slack.chat_postMessage(channel="C1", text="second")
    assert first["channel"] == "C1"
    assert first["ts"] < second["ts"]
    assert float(first["ts"]) < float(second["ts"])
    assert first["message"]["text"] == "Acme is ready"

    slack.chat_update(channel="C1", ts=first["ts"], text="Accepted", blocks=[])

    messages = standin.messages("C1")
    assert [m["text"] for m in messages] == ["Accepted", "second"]
    assert "blocks" not in messages[0]
    assert standin.message("C1", first["ts"])["edited"]["user"] == "UHANDOFFBOT"
    assert standin.problems == []


def test_update_of_a_missing_message_is_message_not_found(slack: WebClient) -> None:
    error = api_error(lambda: slack.chat_update(channel="C1", ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_needs_a_channel_and_some_content(standin: SlackStandIn, slack: WebClient) -> None:
    assert api_error(lambda: slack.chat_postMessage(channel="C1")).response["error"] == "no_text"
    no_channel = api_error(lambda: slack.chat_postMessage(channel="", text="hi"))
    assert no_channel.response["error"] == "channel_not_found"
    assert standin.messages("C1") == []


def test_posting_to_a_user_id_lands_in_a_stable_dm(standin: SlackStandIn, slack: WebClient) -> None:
    posted = slack.chat_postMessage(channel="U0ANN", text="You have a new handoff")
    opened = slack.conversations_open(users="U0ANN")

    assert posted["channel"].startswith("D")
    assert opened["channel"]["id"] == posted["channel"]
    assert [m["text"] for m in standin.dms("U0ANN")] == ["You have a new handoff"]


def test_thread_replies_keep_thread_ts(standin: SlackStandIn, slack: WebClient) -> None:
    parent = slack.chat_postMessage(channel="C1", text="parent")
    slack.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])
    parent_msg, reply = standin.messages("C1")
    assert reply["thread_ts"] == parent["ts"]
    assert parent_msg["reply_count"] == 1


def test_ephemeral_needs_a_user_and_is_recorded(standin: SlackStandIn, slack: WebClient) -> None:
    answer = slack.chat_postEphemeral(channel="C1", user="U0ANN", text="only you")
    assert answer["message_ts"]
    assert [(e["user"], e["text"]) for e in standin.ephemerals] == [("U0ANN", "only you")]


def test_users_info_has_profile_and_timezone(standin: SlackStandIn, slack: WebClient) -> None:
    standin.add_user("U0ANN", name="ann", real_name="Ann Lee", tz="Europe/Berlin")
    user = slack.users_info(user="U0ANN")["user"]
    assert user["real_name"] == "Ann Lee"
    assert user["tz"] == "Europe/Berlin"
    assert user["tz_offset"] in (3600, 7200)
    missing = api_error(lambda: slack.users_info(user="C1"))
    assert missing.response["error"] == "user_not_found"


@pytest.mark.parametrize("token", ["xoxp-user-token", "nonsense", ""])
def test_tokens_other_than_bot_tokens_are_invalid_auth(standin: SlackStandIn, token: str) -> None:
    client = WebClient(token=token or None, base_url=standin.base_url)
    assert api_error(client.auth_test).response["error"] == "invalid_auth"


def test_unknown_method(slack: WebClient) -> None:
    error = api_error(lambda: slack.api_call("reactions.teleport"))
    assert error.response.status_code == 200
    assert error.response["error"] == "unknown_method"


# -- views ----------------------------------------------------------------------------------------


def test_views_open_returns_the_stored_view(standin: SlackStandIn, slack: WebClient) -> None:
    view = slack.views_open(trigger_id=standin.issue_trigger_id(), view=modal())["view"]

    assert view["id"].startswith("V")
    assert view["state"] == {"values": {}}
    assert view["root_view_id"] == view["id"]
    assert view["previous_view_id"] is None
    assert view["team_id"] == "T0HANDOFF"
    assert (view["app_id"], view["bot_id"]) == ("AHANDOFF", "BHANDOFF")
    assert view["hash"]
    assert view["blocks"][0]["block_id"]  # Slack fills in missing block_ids
    assert standin.view(view["id"])["callback_id"] == "new_handoff"


def test_trigger_ids_are_single_use_and_must_come_from_slack(
    standin: SlackStandIn, slack: WebClient
) -> None:
    trigger = standin.issue_trigger_id()
    assert trigger.count(".") == 2
    slack.views_open(trigger_id=trigger, view=modal())

    reused = api_error(lambda: slack.views_open(trigger_id=trigger, view=modal()))
    made_up = api_error(lambda: slack.views_open(trigger_id="123.456.abc", view=modal()))

    assert reused.response["error"] == "exchanged_trigger_id"
    assert made_up.response["error"] == "invalid_trigger_id"


def test_trigger_ids_expire() -> None:
    with SlackStandIn(trigger_ttl=0.05) as quick:
        trigger = quick.issue_trigger_id()
        time.sleep(0.1)
        error = api_error(lambda: quick.client().views_open(trigger_id=trigger, view=modal()))
    assert error.response["error"] == "expired_trigger_id"


def test_views_push_stops_at_three_views(standin: SlackStandIn, slack: WebClient) -> None:
    root = slack.views_open(trigger_id=standin.issue_trigger_id(), view=modal("Root"))["view"]
    second = slack.views_push(trigger_id=standin.issue_trigger_id(root["id"]), view=modal("Two"))
    third = slack.views_push(
        trigger_id=standin.issue_trigger_id(second["view"]["id"]), view=modal("Three")
    )
    assert second["view"]["previous_view_id"] == root["id"]
    assert third["view"]["root_view_id"] == root["id"]

    fourth = api_error(
        lambda: slack.views_push(trigger_id=standin.issue_trigger_id(root["id"]), view=modal())
    )
    assert fourth.response["error"] == "push_limit_reached"


def test_views_update_with_a_stale_hash_is_a_conflict(
    standin: SlackStandIn, slack: WebClient
) -> None:
    opened = slack.views_open(
        trigger_id=standin.issue_trigger_id(), view=modal(external_id="handoff-42")
    )["view"]
    updated = slack.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Step 2"))[
        "view"
    ]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert updated["title"]["text"] == "Step 2"

    stale = api_error(
        lambda: slack.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Late"))
    )
    assert stale.response["error"] == "hash_conflict"
    by_external = slack.views_update(external_id="handoff-42", view=modal("By external id"))
    assert by_external["view"]["id"] == opened["id"]
    missing = api_error(lambda: slack.views_update(view_id="VNOPE", view=modal()))
    assert missing.response["error"] == "not_found"


def test_views_publish_stores_the_home_tab(standin: SlackStandIn, slack: WebClient) -> None:
    home = {"type": "home", "blocks": [SECTION]}
    first = slack.views_publish(user_id="U0ANN", view=home)["view"]
    second = slack.views_publish(user_id="U0ANN", view=home, hash=first["hash"])["view"]

    assert second["id"] == first["id"]
    assert standin.home("U0ANN")["hash"] == second["hash"]  # type: ignore[index]
    stale = api_error(lambda: slack.views_publish(user_id="U0ANN", view=home, hash=first["hash"]))
    assert stale.response["error"] == "hash_conflict"


def test_invalid_view_is_invalid_arguments_and_a_problem(
    standin: SlackStandIn, slack: WebClient
) -> None:
    bad = modal(title="A title that is far too long")
    error = api_error(lambda: slack.views_open(trigger_id=standin.issue_trigger_id(), view=bad))
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"][0].startswith("[ERROR]")
    assert standin.problems == ["views.open: view: title must be between 1 and 24 characters"]
    assert standin.views == {}


# -- message validation ---------------------------------------------------------------------------


def test_invalid_blocks_are_rejected_like_slack(standin: SlackStandIn, slack: WebClient) -> None:
    bad = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    error = api_error(lambda: slack.chat_postMessage(channel="C1", text="fallback", blocks=bad))
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == standin.problems[0].split(": ", 1)[1:]
    assert standin.messages("C1") == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_blocks_without_fallback_text_work_but_are_a_problem(
    standin: SlackStandIn, slack: WebClient
) -> None:
    slack.chat_postMessage(channel="C1", blocks=[SECTION])
    assert len(standin.messages("C1")) == 1
    assert standin.problems == ["chat.postMessage: blocks sent without a top-level text fallback"]


def test_overlong_text_is_truncated_and_flagged(standin: SlackStandIn, slack: WebClient) -> None:
    slack.chat_postMessage(channel="C1", text="x" * 40_001)
    assert len(standin.messages("C1")[0]["text"]) == 40_000
    assert "Slack truncates it at 40000" in standin.problems[0]


# -- failure injection ----------------------------------------------------------------------------


def test_rate_limit_is_retried_by_the_sdk_handler(standin: SlackStandIn) -> None:
    standin.fail_next("chat.postMessage", retry_after=0)
    client = standin.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])

    answer = client.chat_postMessage(channel="C1", text="eventually")

    assert answer["ok"]
    first, second = standin.calls("chat.postMessage")
    assert (first.status, first.injected_failure, first.ok) == (429, True, False)
    assert first.response == {"ok": False, "error": "ratelimited"}
    assert (second.status, second.ok) == (200, True)
    assert [m["text"] for m in standin.messages("C1")] == ["eventually"]


def test_rate_limit_without_handler_carries_retry_after(
    standin: SlackStandIn, slack: WebClient
) -> None:
    standin.fail_next("chat.postMessage", retry_after=7)
    error = api_error(lambda: slack.chat_postMessage(channel="C1", text="x"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    assert standin.messages("C1") == []


def test_server_errors_and_ok_false_change_no_state(
    standin: SlackStandIn, slack: WebClient
) -> None:
    standin.fail_next("chat.postMessage", status=503, error="service_unavailable")
    standin.fail_next("chat.postMessage", status=200, error="is_archived")
    assert (
        api_error(lambda: slack.chat_postMessage(channel="C1", text="a")).response.status_code
        == 503
    )
    assert (
        api_error(lambda: slack.chat_postMessage(channel="C1", text="b")).response["error"]
        == "is_archived"
    )
    slack.chat_postMessage(channel="C1", text="c")
    assert [m["text"] for m in standin.messages("C1")] == ["c"]
    assert [c.injected_failure for c in standin.calls("chat.postMessage")] == [True, True, False]


# -- files ----------------------------------------------------------------------------------------


def test_files_upload_v2_end_to_end(standin: SlackStandIn, slack: WebClient) -> None:
    answer = slack.files_upload_v2(
        channel="C1",
        content="a,b\n1,2\n",
        filename="handoffs.csv",
        title="Handoffs",
        initial_comment="Weekly export",
    )

    assert answer["file"]["name"] == "handoffs.csv"
    (upload,) = standin.uploads
    assert upload["content"] == b"a,b\n1,2\n"
    assert (upload["channel_id"], upload["initial_comment"]) == ("C1", "Weekly export")
    assert upload["title"] == "Handoffs"
    assert upload["completed"] is True
    assert [c.method for c in standin.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    assert standin.problems == []


def test_a_completed_upload_is_shared_as_a_message_in_its_channel(
    standin: SlackStandIn, slack: WebClient
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    posted = slack.chat_postMessage(channel="C1", text="Digest")
    slack.files_upload_v2(
        channel="C1", file=png, filename="chart.png", initial_comment="The chart", alt_txt="bars"
    )
    slack.files_upload_v2(channel="C1", file=png, filename="reply.png", thread_ts=posted["ts"])

    top, reply = standin.messages("C1")[1:]
    assert (top["text"], top["upload"], top["files"][0]["name"]) == ("The chart", True, "chart.png")
    assert top["files"][0]["mimetype"] == "image/png" and "thread_ts" not in top
    assert reply["thread_ts"] == posted["ts"] and reply["files"][0]["name"] == "reply.png"
    assert standin.uploads[0]["alt_txt"] == "bars"
    assert standin.problems == []


def test_an_upload_named_png_that_is_not_a_png_is_reported(
    standin: SlackStandIn, slack: WebClient
) -> None:
    slack.files_upload_v2(channel="C1", content="not an image", filename="chart.png")
    assert standin.problems and "not a PNG" in standin.problems[0]


# -- response_url ---------------------------------------------------------------------------------


def test_response_url_replace_and_delete_original(standin: SlackStandIn, slack: WebClient) -> None:
    posted = slack.chat_postMessage(channel="C1", text="Pending", blocks=[SECTION])
    url = standin.response_url(channel="C1", ts=posted["ts"], user_id="U0ANN")
    assert url.startswith(standin.root_url + "/hooks/")

    replaced = WebhookClient(url).send(text="Accepted by Ann", replace_original=True)
    assert (replaced.status_code, replaced.body) == (200, "ok")
    assert standin.message("C1", posted["ts"])["text"] == "Accepted by Ann"
    assert "blocks" not in standin.message("C1", posted["ts"])

    deleted = WebhookClient(url).send_dict({"delete_original": True})
    assert deleted.status_code == 200
    assert standin.messages("C1") == []
    assert [c.method for c in standin.calls("response_url")] == ["response_url"] * 2


def test_response_url_ephemeral_by_default_in_channel_on_request(
    standin: SlackStandIn,
) -> None:
    url = standin.response_url(channel="C1", user_id="U0ANN")
    WebhookClient(url).send(text="only Ann sees this")
    WebhookClient(url).send(text="everyone sees this", response_type="in_channel")

    assert [(e["user"], e["text"]) for e in standin.ephemerals] == [("U0ANN", "only Ann sees this")]
    assert [m["text"] for m in standin.messages("C1")] == ["everyone sees this"]


def test_response_url_validates_and_wears_out(standin: SlackStandIn) -> None:
    url = standin.response_url(channel="C1", user_id="U0ANN")
    bad = WebhookClient(url).send(text="x", blocks=[{"type": "nope"}])
    assert (bad.status_code, bad.body) == (400, "invalid_blocks")
    assert standin.problems == ["response_url: blocks[0] (nope): unknown block type 'nope'"]

    statuses = [WebhookClient(url).send(text=f"try {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]


# -- recording, waiting, lifecycle ---------------------------------------------------------------


def test_wait_for_sees_calls_made_from_another_thread(
    standin: SlackStandIn, slack: WebClient
) -> None:
    timer = threading.Timer(0.1, lambda: slack.chat_postMessage(channel="C1", text="late"))
    timer.start()
    try:
        (call,) = standin.wait_for("chat.postMessage", timeout=3)
    finally:
        timer.join()
    assert call.args == {"channel": "C1", "text": "late"}
    assert call.headers["authorization"] == "Bearer xoxb-standin"


def test_wait_for_timeout_lists_what_was_called(standin: SlackStandIn, slack: WebClient) -> None:
    slack.chat_postMessage(channel="C1", text="hello")
    with pytest.raises(AssertionError) as info:
        standin.wait_for("views.open", timeout=0.1)
    message = str(info.value)
    assert "expected 1 call(s) to views.open" in message
    assert "chat.postMessage [ok]" in message


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_reset_forgets_calls_state_and_problems(standin: SlackStandIn, slack: WebClient) -> None:
    slack.chat_postMessage(channel="C1", blocks=[SECTION])
    standin.fail_next("auth.test")
    standin.reset()
    assert (standin.calls(), standin.messages("C1"), standin.problems) == ([], [], [])
    assert slack.auth_test()["ok"]


def test_stop_shuts_the_server_down_cleanly() -> None:
    standin = SlackStandIn().start()
    host, port = standin.root_url.removeprefix("http://").split(":")
    standin.client().auth_test()
    standin.stop()
    standin.stop()  # idempotent
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=0.5):
        pass


def test_random_faults_fail_a_share_of_the_chosen_methods_in_every_kind(standin, slack):
    standin.add_channel("C0RANDOM", "random")
    faults = standin.fail_at_random(["chat.postMessage"], rate=0.5, seed=3, timeout=0.3)
    quick = standin.client(timeout=0.1, retry_handlers=[])  # one try per call
    outcomes: list[str] = []
    for n in range(60):
        try:
            quick.chat_postMessage(channel="C0RANDOM", text=f"note {n}")
            outcomes.append("ok")
        except SlackApiError as exc:
            outcomes.append(str(exc.response.status_code))
        except OSError:  # a closed connection or a read timeout
            outcomes.append("line")
        assert slack.auth_test()["ok"]  # methods not chosen are served
    kinds = {kind for (_, kind) in faults.injected}
    assert kinds == {"429", "500", "503", "timeout", "drop_before", "drop_after"}
    assert outcomes.count("ok") == 60 - sum(faults.injected.values())
    # A post that failed after it was served, or was answered too late, is in the channel.
    landed = faults.injected["chat.postMessage", "drop_after"]
    landed += faults.injected["chat.postMessage", "timeout"]
    assert len(standin.messages("C0RANDOM")) == outcomes.count("ok") + landed
    standin.stop_failing()
    assert quick.chat_postMessage(channel="C0RANDOM", text="again")["ok"]
