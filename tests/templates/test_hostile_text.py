"""Hostile user text through every template, rendered by the real view functions.

Whatever an SDR or AE types must come out as valid Block Kit, within the limits Slack documents
(https://docs.slack.dev/reference/block-kit/blocks), including those slack_sdk does not enforce,
and must never become live mrkdwn syntax
(https://docs.slack.dev/messaging/formatting-message-text#escaping-text): no mention, no link,
no half-cut entity. plain_text fields show the text as typed, only clipped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.payloads import WizardState
from bot.surfaces.brief import brief_message, decision_dm
from bot.surfaces.dispute_messages import dispute_message, dispute_result
from bot.surfaces.home import HOME_MAX_BLOCKS, MANAGER_BLOCKS, AeHome, home_view
from bot.surfaces.modals import dispute_view, overturn_view, reject_view, withdraw_view
from bot.surfaces.notices import notice, too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from bot.surfaces.render import escape_mrkdwn
from bot.surfaces.wizard import person_view, review_model, wizard_view
from handoff.config import Config
from handoff.lifecycle import Refusal, RefusalKind
from handoff.model import Handoff, Stakeholder, Status
from handoff.qualification import steps
from slack_standin import check_view
from tests.support.hostile_text import (
    AE,
    CHANNEL,
    HOSTILE,
    SDR,
    make_handoff,
    wizard_answers,
)
from tests.support.inert_text import (
    USER_TEXT,
    assert_safe_mrkdwn,
    assert_valid_message,
    message_mrkdwn,
    text_objects,
    unescape,
)
from tests.support.qualifications import NOW

# Short enough that no field clips it, so it must come back exactly.
SHORT_HOSTILE = {k: v for k, v in HOSTILE.items() if len(escape_mrkdwn(v)) <= 140}

BRIEF_CASES = [
    pytest.param(Status.SUBMITTED, None, id="submitted"),
    pytest.param(Status.PENDING, None, id="pending"),
    pytest.param(Status.ACCEPTED, None, id="accepted"),
    pytest.param(Status.REJECTED, None, id="rejected-no-comment"),
    pytest.param(Status.REJECTED, "comment", id="rejected-with-comment"),
    pytest.param(Status.WITHDRAWN, None, id="withdrawn"),
    pytest.param(Status.CANCELED, None, id="canceled"),
    pytest.param(Status.REJECTED, "open", id="rejected-disputed"),
    pytest.param(Status.REJECTED, "upheld", id="rejected-upheld"),
    pytest.param(Status.ACCEPTED, "overturned", id="overturned"),
]
DM_CASES = [
    pytest.param(Status.ACCEPTED, None, id="accepted"),
    pytest.param(Status.REJECTED, None, id="rejected-no-comment"),
    pytest.param(Status.REJECTED, "comment", id="rejected-with-comment"),
    pytest.param(Status.REJECTED, "open", id="rejected-disputed"),
    pytest.param(Status.REJECTED, "upheld", id="rejected-upheld"),
    pytest.param(Status.ACCEPTED, "overturned", id="overturned"),
]
DISPUTES = ("open", "upheld", "overturned")


# --- reading rendered output ------------------------------------------------------------------


def sections(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def section_starting(blocks: list[dict[str, Any]], prefix: str) -> str:
    found = [t for t in sections(blocks) if t.startswith(prefix)]
    assert len(found) == 1, f"expected one section starting {prefix!r}, got {len(found)}"
    return found[0]


def unquote(text: str) -> str:
    """The text of a mrkdwn block quote; every line must be inside the quote."""
    lines = text.split("\n")
    for line in lines:
        assert line.startswith("&gt;"), f"user text escaped the block quote: {line[:60]!r}"
    return unescape("\n".join(line[5:] if line.startswith("&gt; ") else line[4:] for line in lines))


# --- the assertions every rendering must pass -------------------------------------------------


def assert_clipped(shown: str, original: str, limit: int) -> None:
    """plain_text: the user's text as typed, only clipped (never HTML-escaped)."""
    assert len(shown) <= limit
    if len(original) <= limit:
        assert shown == original
    else:
        assert shown.endswith("…")
        assert original.startswith(shown[:-1])


def assert_brief(message: dict[str, Any], h: Handoff) -> None:
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))
    header = message["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"].startswith("🤝 ")
    assert_clipped(header["text"]["text"][2:], h.qualification.company, 140)


# --- brief -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "comment"), BRIEF_CASES)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_brief_is_valid_and_inert(
    config: Config, text: str, status: Status, comment: str | None
) -> None:
    h = _case(text, status, comment)
    message = brief_message(h, config)
    assert_brief(message, h)
    buttons = [b for b in message["blocks"] if b["type"] == "actions"]
    assert bool(buttons) == (status in (Status.SUBMITTED, Status.PENDING))
    shown = "\n".join(sections(message["blocks"]))
    if comment in DISPUTES:
        expected = {
            "open": "⚖️ *Disputed* by",
            "upheld": "⚖️ *Rejection upheld* by",
            "overturned": "⚖️ *Rejection overturned* by",
        }
        assert expected[comment] in shown


def _case(text: str, status: Status, comment: str | None) -> Handoff:
    """A case of BRIEF_CASES or DM_CASES: `comment` is "comment", a dispute state or None."""
    dispute = comment if comment in DISPUTES else None
    return make_handoff(text, status, comment=text if comment else None, dispute=dispute)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_brief_with_ten_long_stakeholders_is_inert(config: Config, text: str) -> None:
    """Ten long, hostile stakeholders: nothing user-typed turns live."""
    long_text = (text * 150)[:150]
    h = make_handoff(text, Status.PENDING, stakeholders=10)
    h = replace(
        h,
        qualification=replace(
            h.qualification,
            stakeholders=tuple(Stakeholder(long_text, long_text, "champion") for _ in range(10)),
        ),
    )
    message = brief_message(h, config)
    assert_safe_mrkdwn(message_mrkdwn(message))
    bullets = sum(
        t.startswith("• ")
        for b in message["blocks"]
        if b["type"] == "section"
        for t in b.get("text", {}).get("text", "").split("\n")
    )
    assert bullets == 11


def test_brief_with_ten_long_stakeholders_is_valid(config: Config) -> None:
    h = make_handoff("ok", Status.PENDING)
    people = tuple(Stakeholder("N" * 150, "T" * 150, "champion") for _ in range(10))
    h = replace(h, qualification=replace(h.qualification, stakeholders=people))
    assert_valid_message(brief_message(h, config))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("pain", "- a\n" * 750, id="pain-bullets"),
        pytest.param("next_steps", "a\n" * 1500, id="next-steps-short-lines"),
        pytest.param("notes", "a\n\n" * 1000, id="notes-paragraphs"),
    ],
)
def test_brief_quote_with_many_lines_is_valid(config: Config, field: str, value: str) -> None:
    h = make_handoff("ok", Status.PENDING, **{field: value})
    assert_valid_message(brief_message(h, config))


def test_brief_rejection_comment_with_many_lines_is_valid(config: Config) -> None:
    """Quote prefixes count toward the clip, so even all-empty lines stay inside 3000."""
    comment = "a" + "\n" * 998 + "a"
    h = make_handoff("ok", Status.REJECTED, comment=comment)
    message = brief_message(h, config)
    assert_valid_message(message)
    why = section_starting(message["blocks"], "❌ *Rejected* by")
    shown = unquote(why.split("\n", 2)[2])
    assert shown.endswith("…") and comment.startswith(shown[:-1].rstrip("\n"))


# --- decision DM -----------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "comment"), DM_CASES)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_decision_dm_is_valid_and_inert(
    config: Config, text: str, status: Status, comment: str | None
) -> None:
    h = _case(text, status, comment)
    for can_dispute in (False, True):
        message = decision_dm(h, config, can_dispute=can_dispute)
        assert_valid_message(message)
        assert_safe_mrkdwn(message_mrkdwn(message))
        offered = "handoff_dispute_open" in str(message["blocks"])
        assert offered == (can_dispute and status is Status.REJECTED and comment not in DISPUTES)
    first = "⚖️ " if comment == "overturned" else "✅ " if status is Status.ACCEPTED else "❌ "
    assert message["text"].startswith(first)


def test_decision_dm_comment_with_many_lines_is_valid(config: Config) -> None:
    h = make_handoff("ok", Status.REJECTED, comment="a\n" * 500)
    assert_valid_message(decision_dm(h, config))


# --- modals and home -------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_wizard_steps_prefilled_are_valid_and_shown_as_typed(config: Config, text: str) -> None:
    initial = wizard_answers(text)
    for index, step in enumerate(steps(config)[:-1]):
        view = wizard_view(config, draft_id=7, mode="new", step_index=index, answers=initial)
        assert check_view(view) == [], step.key
        assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        for element in inputs.values():
            if element["type"] in ("plain_text_input", "email_text_input"):
                # email_text_input has no max_length; the bot clips to the address limit.
                limit = element.get("max_length", 254)
                assert_clipped(element["initial_value"], text, limit)
        if step.key == "people":
            assert sum(b.get("block_id", "").startswith("person_") for b in view["blocks"]) == 3


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_review_step_is_valid_and_inert(config: Config, text: str) -> None:
    h = make_handoff(text)
    assert h.score is not None
    review = review_model(config, h.qualification, h.score)
    view = wizard_view(
        config, draft_id=7, mode="edit", step_index=4, answers={}, review=review, banner=text
    )
    assert check_view(view) == []
    assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))
    assert view["submit"]["text"] == "Save changes"


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_reject_view_is_valid_and_inert(config: Config, text: str) -> None:
    view = reject_view(make_handoff(text), config)
    assert check_view(view) == []
    assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))
    first = view["blocks"][0]["text"]["text"]
    assert first.startswith("Why is *")
    if len(escape_mrkdwn(text)) <= 150:
        company = first[len("Why is *") : first.rindex("* not a qualified meeting?")]
        assert unescape(company) == text


def test_home_view_with_hostile_handoffs_is_valid_and_inert(config: Config) -> None:
    statuses = list(Status)
    handoffs = [
        make_handoff(text, statuses[i % len(statuses)], comment=text, handoff_id=i + 1)
        for i, text in enumerate(HOSTILE.values())
    ]
    drafts = [
        {"id": i, "mode": "new", "step": 2, "answers": {"company": t}, "updated_at": NOW}
        for i, t in enumerate(list(HOSTILE.values())[:10])
    ]
    view = home_view(handoffs, drafts, config, handoffs_total=len(handoffs))
    assert check_view(view) == []
    texts = list(text_objects(view["blocks"], "mrkdwn"))
    assert_safe_mrkdwn(texts)
    assert sum(t.startswith("*") and "  ·  <!date^" in t for t in texts) == 10
    assert f"+{len(handoffs) - 10} older handoffs not shown." in texts
    assert "+5 older drafts; resume or discard these first." in texts


def _ae_home(texts: list[str], n: int) -> AeHome:
    """An AE with `n` of everything, each carrying hostile text."""

    def some(status: Status, dispute: str | None = None) -> list[Handoff]:
        return [
            make_handoff(texts[i % len(texts)], status, handoff_id=i + 1, dispute=dispute)
            for i in range(n)
        ]

    overturned = some(Status.ACCEPTED, "overturned")
    return AeHome(
        pending=some(Status.PENDING),
        pending_total=n + 40,
        due=overturned,
        due_total=n + 3,
        upcoming=some(Status.ACCEPTED),
        upcoming_total=n + 7,
        channel=CHANNEL,
    )


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_home_view_for_an_ae_is_valid_and_inert(config: Config, text: str) -> None:
    view = home_view(
        [make_handoff(text, Status.REJECTED, dispute="open")],
        [],
        config,
        ae=_ae_home([text], 2),
        viewer=AE,
        notice=escape_mrkdwn(text[:500]),
    )
    assert check_view(view) == []
    assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))
    ids_ = [b.get("block_id", "") for b in view["blocks"]]
    assert ids_.count("home_pending_1") == ids_.count("home_outcome_2") == 1


def test_the_fullest_home_stays_inside_slacks_block_limit(config: Config) -> None:
    """Everything at once, every list longer than shown, and a managers' section that
    tries to take more than its share: still one valid view of at most 100 blocks."""
    texts = list(HOSTILE.values())
    handoffs = [make_handoff(t, Status.PENDING, handoff_id=100 + i) for i, t in enumerate(texts)]
    drafts = [
        {"id": i, "mode": "edit", "step": 9, "answers": {"company": t}, "updated_at": NOW}
        for i, t in enumerate(texts[:10])
    ]
    greedy = [{"type": "section", "text": {"type": "mrkdwn", "text": f"m{i}"}} for i in range(80)]
    view = home_view(
        handoffs,
        drafts,
        config,
        handoffs_total=500,
        ae=_ae_home(texts, 30),
        viewer=AE,
        notice="You clicked something stale.",
        manager=greedy,
    )
    assert check_view(view) == []
    assert len(view["blocks"]) <= HOME_MAX_BLOCKS
    managers = [b for b in view["blocks"] if b.get("text", {}).get("text", "").startswith("m")]
    assert len(managers) == MANAGER_BLOCKS
    # Nothing was cut by the safety net: the last block is the "older handoffs" count.
    assert view["blocks"][-1]["elements"][0]["text"] == "+490 older handoffs not shown."


def test_home_view_with_no_handoffs_is_valid(config: Config) -> None:
    assert check_view(home_view([], [], config)) == []


@pytest.mark.parametrize("kind", list(RefusalKind))
@pytest.mark.parametrize(
    "by", [AE, SDR, *SHORT_HOSTILE.values()], ids=["ae", "sdr", *SHORT_HOSTILE]
)
def test_notice_and_too_late_view_are_valid_and_inert(kind: RefusalKind, by: str) -> None:
    """`by` is a Slack user id in production; anything else must still be shown inert."""
    text = refusal_text(Refusal(kind, Status.ACCEPTED, by), viewer=AE)
    message = notice(text)
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))
    view = too_late_view(text)
    assert check_view(view) == []
    assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_notice_of_escaped_user_text_is_inert(text: str) -> None:
    message = notice(escape_mrkdwn(text[:500]))
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))
    assert unescape(message["text"]) == text[:500]


def test_too_late_view_for_missing_handoff_is_valid() -> None:
    assert check_view(too_late_view(GONE)) == []


# --- round trip: ordinary text comes back exactly --------------------------------------------


@pytest.mark.parametrize("text", SHORT_HOSTILE.values(), ids=SHORT_HOSTILE.keys())
def test_brief_round_trips_every_field(config: Config, text: str) -> None:
    """Unescaping &lt; &gt; &amp; gives back exactly what was typed: nothing else is encoded."""
    h = make_handoff(text, Status.REJECTED, comment=text)
    message = brief_message(h, config)
    blocks = message["blocks"]
    assert blocks[0]["text"]["text"] == "🤝 " + text
    top = message["text"]
    assert unescape(top[len("Handoff: ") : top.rindex(", meeting <!date^")]) == text
    people = unescape(section_starting(blocks, "*People*\n"))
    assert people == (
        f"*People*\n• *{text}*, {text} (Economic buyer)  ·  {text}\n• {text}, {text} (Champion)"
        f"\n• {text}, {text}\n• {text}, {text} (Influencer)"
    )
    for heading in ("*Pain or initiative*\n", "*Notes*\n"):
        body = section_starting(blocks, heading)[len(heading) :]
        assert unquote(body) == text
    steps_text = section_starting(blocks, "*Next steps:* Both sides agreed on a next step\n")
    assert unquote(steps_text.split("\n", 1)[1]) == text
    why = section_starting(blocks, "❌ *Rejected* by")
    assert why.split("\n")[1] == "*Reason:* Bad account fit"
    assert unquote(why.split("\n", 2)[2]) == text


@pytest.mark.parametrize("text", SHORT_HOSTILE.values(), ids=SHORT_HOSTILE.keys())
def test_decision_dm_round_trips_company_and_comment(config: Config, text: str) -> None:
    h = make_handoff(text, Status.REJECTED, comment=text)
    line = decision_dm(h, config)["blocks"][0]["text"]["text"]
    head = f"❌ <@{AE}> rejected your handoff for *"
    assert line.startswith(head)
    company, quoted = line[len(head) :].split("*.\n*Reason:* Bad account fit\n", 1)
    assert unescape(company) == text
    assert unquote(quoted) == text


def test_jinja_syntax_in_user_text_is_not_evaluated(config: Config) -> None:
    h = make_handoff("{{ 7 * 7 }}{% if true %}yes{% endif %}", Status.PENDING)
    message = brief_message(h, config)
    assert message["blocks"][0]["text"]["text"] == "🤝 {{ 7 * 7 }}{% if true %}yes{% endif %}"
    assert message["text"].startswith("Handoff: {{ 7 * 7 }}{% if true %}yes{% endif %}, ")
    pain = section_starting(message["blocks"], "*Pain or initiative*\n")
    assert pain.endswith("&gt; {{ 7 * 7 }}{% if true %}yes{% endif %}")


@pytest.mark.parametrize("char", ["<", "&", ">"])
@pytest.mark.parametrize("limit_field", ["company", "pain"])
def test_clipping_never_cuts_an_entity(config: Config, char: str, limit_field: str) -> None:
    """Every length around the clip point: the cut lands before an entity, never inside one."""
    for n in range(140, 160) if limit_field == "company" else range(370, 380):
        h = make_handoff("ok", Status.PENDING, **{limit_field: "x" + char * n})
        message = brief_message(h, config)
        assert_safe_mrkdwn(message_mrkdwn(message))
        assert_valid_message(message)


# --- properties ------------------------------------------------------------------------------

# How many examples: the Hypothesis profile (tests/conftest.py). Config is a frozen dataclass
# that nobody mutates, so sharing the fixture across examples is safe.
PROPERTY_SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(text=USER_TEXT, case=st.sampled_from([p.values for p in BRIEF_CASES]))
@example(text="<" * 3000, case=(Status.REJECTED, "comment"))
@example(text="&" * 3000, case=(Status.PENDING, None))
def test_brief_property(config: Config, text: str, case: tuple[Status, str | None]) -> None:
    status, comment = case
    dispute = comment if comment in DISPUTES else None
    h = make_handoff(
        text, status, comment=text if comment else None, stakeholders=2, dispute=dispute
    )
    message = brief_message(h, config)
    assert isinstance(message, dict)
    assert_safe_mrkdwn(message_mrkdwn(message))
    assert_clipped(message["blocks"][0]["text"]["text"][2:], text, 140)
    assert_valid_message(message)


@PROPERTY_SETTINGS
@given(text=USER_TEXT, case=st.sampled_from([p.values for p in DM_CASES]))
@example(text="<" * 3000, case=(Status.REJECTED, "comment"))
def test_decision_dm_property(config: Config, text: str, case: tuple[Status, str | None]) -> None:
    status, comment = case
    h = _case(text, status, comment)
    message = decision_dm(h, config, can_dispute=True)
    assert isinstance(message, dict)
    assert_safe_mrkdwn(message_mrkdwn(message))
    assert_valid_message(message)


@PROPERTY_SETTINGS
@given(text=USER_TEXT)
def test_brief_round_trip_property(config: Config, text: str) -> None:
    """Text short enough not to be clipped comes back exactly after unescaping."""
    assume(0 < len(escape_mrkdwn(text)) <= 140)
    h = make_handoff(text, Status.PENDING, pain=text, stakeholders=1)
    message = brief_message(h, config)
    assert message["blocks"][0]["text"]["text"] == "🤝 " + text
    top = message["text"]
    assert unescape(top[len("Handoff: ") : top.rindex(", meeting <!date^")]) == text
    body = section_starting(message["blocks"], "*Pain or initiative*\n")
    assert unquote(body[len("*Pain or initiative*\n") :]) == text


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_withdraw_and_person_views_are_valid_and_inert(config: Config, text: str) -> None:
    for view in (withdraw_view(make_handoff(text)), person_view(WizardState(7, 2, 0), config)):
        assert check_view(view) == []
        assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))


# --- disputes --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_dispute_messages_and_modals_are_valid_and_inert(config: Config, text: str) -> None:
    disputed = make_handoff(text, Status.REJECTED, comment=text, dispute="open")
    link = "https://x.slack.com/archives/C/p1"
    for done in ("", "⚖️ *Upheld* by <@U0MGR>"):
        message = dispute_message(disputed, config, link=link, done=done)
        assert_valid_message(message)
        assert f"<{link}|Open the brief>" in str(message["blocks"])
        assert_safe_mrkdwn(message_mrkdwn(dispute_message(disputed, config, done=done)))
        assert ("handoff_dispute_uphold" in str(message["blocks"])) == (not done)
    bad_link = dispute_message(disputed, config, link="https://x|<!channel>")
    assert "<!channel>" not in str(bad_link)
    for status, state in ((Status.REJECTED, "upheld"), (Status.ACCEPTED, "overturned")):
        result = dispute_result(make_handoff(text, status, comment=text, dispute=state), config)
        assert_valid_message(result)
        assert_safe_mrkdwn(message_mrkdwn(result))
    for view in (
        dispute_view(make_handoff(text, Status.REJECTED), config),
        overturn_view(disputed),
    ):
        assert check_view(view) == []
        assert_safe_mrkdwn(list(text_objects(view["blocks"], "mrkdwn")))


def test_the_case_stays_between_the_sdr_and_the_managers(config: Config) -> None:
    h = replace(make_handoff("Acme", Status.REJECTED, dispute="open"), dispute_case="MY-CASE")
    assert "MY-CASE" not in str(brief_message(h, config))
    assert "MY-CASE" in str(dispute_message(h, config))


def test_the_managers_see_the_whole_case(config: Config) -> None:
    case = "x" * 998 + "<>"
    h = make_handoff("Acme", Status.REJECTED, dispute="open")
    h = replace(h, dispute_case=case)
    shown = section_starting(dispute_message(h, config)["blocks"], f"*<@{SDR}>'s case*")
    assert unquote(shown.split("\n", 1)[1]) == case
