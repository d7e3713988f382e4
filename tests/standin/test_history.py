"""History, threads and permalinks as Slack serves them, metadata only when asked for."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

META = {"event_type": "handoff_message", "event_payload": {"handoff_id": 1, "kind": "k"}}


def test_history_is_newest_first_without_thread_replies(standin, slack):
    first = slack.chat_postMessage(channel="C1", text="one")
    slack.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])
    slack.chat_postMessage(
        channel="C1", text="loud reply", thread_ts=first["ts"], reply_broadcast=True
    )
    slack.chat_postMessage(channel="C1", text="two")
    history = slack.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["two", "loud reply", "one"]
    assert history["has_more"] is False


def test_history_pages_with_a_cursor(standin, slack):
    for n in range(5):
        slack.chat_postMessage(channel="C1", text=str(n))
    page = slack.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in page["messages"]] == ["4", "3"] and page["has_more"]
    rest = slack.conversations_history(
        channel="C1", limit=10, cursor=page["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["2", "1", "0"]


def test_metadata_is_returned_only_with_include_all_metadata(standin, slack):
    slack.chat_postMessage(channel="U1", text="hi", metadata=META)
    dm = slack.conversations_open(users="U1")["channel"]["id"]
    assert "metadata" not in slack.conversations_history(channel=dm)["messages"][0]
    with_meta = slack.conversations_history(channel=dm, include_all_metadata=True)
    assert with_meta["messages"][0]["metadata"] == META


def test_replies_return_the_parent_then_the_thread(standin, slack):
    parent = slack.chat_postMessage(channel="C1", text="brief")
    slack.chat_postMessage(channel="C1", text="r1", thread_ts=parent["ts"], metadata=META)
    slack.chat_postMessage(channel="C1", text="elsewhere")
    replies = slack.conversations_replies(channel="C1", ts=parent["ts"], include_all_metadata=True)
    assert [m["text"] for m in replies["messages"]] == ["brief", "r1"]
    assert replies["messages"][1]["metadata"] == META
    with pytest.raises(SlackApiError) as missing:
        slack.conversations_replies(channel="C1", ts="1.000001")
    assert missing.value.response["error"] == "thread_not_found"


def test_permalink(standin, slack):
    parent = slack.chat_postMessage(channel="C1", text="brief")
    reply = slack.chat_postMessage(channel="C1", text="r", thread_ts=parent["ts"])
    link = slack.chat_getPermalink(channel="C1", message_ts=parent["ts"])["permalink"]
    assert link == f"https://handoff.slack.com/archives/C1/p{parent['ts'].replace('.', '')}"
    threaded = slack.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]
    assert threaded.endswith(f"?thread_ts={parent['ts']}&cid=C1")
    with pytest.raises(SlackApiError):
        slack.chat_getPermalink(channel="C1", message_ts="9.9")


def test_group_dm_needs_at_most_eight_people(standin, slack):
    group = slack.conversations_open(users="U1,U2")["channel"]["id"]
    assert group.startswith("G")
    with pytest.raises(SlackApiError) as crowd:
        slack.conversations_open(users=",".join(f"U{n}" for n in range(9)))
    assert crowd.value.response["error"] == "too_many_users"
