"""check_blocks / check_view: what slack_sdk catches, and the documented limits it does not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slack_standin import check_blocks, check_view


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": plain(text or value.title()), "value": value}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def text_input(block_id: str, action_id: str, **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(block_id.title()),
        "element": {"type": "plain_text_input", "action_id": action_id, **element},
    }


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "callback_id": "new_handoff",
        "title": plain("New handoff"),
        "submit": plain("Create"),
        "close": plain("Cancel"),
        "blocks": list(blocks),
    }
    view.update(extra)
    return view


VALID_MESSAGE = [
    {"type": "header", "text": plain("Handoff ready")},
    section(
        "<!here> *Acme* booked a meeting",
        block_id="summary",
        accessory={
            "type": "overflow",
            "action_id": "more",
            "options": [option("snooze"), option("reassign")],
        },
    ),
    {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Region*\nEMEA"}]},
    {"type": "divider"},
    {
        "type": "actions",
        "block_id": "decide",
        "elements": [
            {"type": "button", "action_id": "accept", "text": plain("Accept"), "value": "h1"},
            {"type": "button", "action_id": "decline", "text": plain("Decline"), "style": "danger"},
            {
                "type": "static_select",
                "action_id": "owner",
                "placeholder": plain("Owner"),
                "options": [option("ann"), option("bob")],
                "initial_option": option("ann"),
            },
        ],
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Sent by <@U1>"}]},
]


def test_valid_message_blocks_pass() -> None:
    assert check_blocks(VALID_MESSAGE, "message") == []


def test_valid_modal_with_every_input_kind_passes() -> None:
    view = modal(
        text_input("company", "company", max_length=120, min_length=2),
        {
            "type": "input",
            "block_id": "size",
            "label": plain("Size"),
            "element": {
                "type": "radio_buttons",
                "action_id": "size",
                "options": [option(str(n)) for n in range(10)],
            },
        },
        {
            "type": "input",
            "block_id": "tags",
            "optional": True,
            "label": plain("Tags"),
            "element": {
                "type": "checkboxes",
                "action_id": "tags",
                "options": [{"text": {"type": "mrkdwn", "text": "*hot*"}, "value": "hot"}],
            },
        },
        {
            "type": "input",
            "block_id": "when",
            "label": plain("When"),
            "element": {"type": "datetimepicker", "action_id": "when"},
        },
        private_metadata="x" * 3000,
    )
    assert check_view(view) == []


def test_home_view_passes_and_mentions_are_not_problems() -> None:
    home = {"type": "home", "blocks": [section("<!channel> <!everyone> hello")]}
    assert check_view(home) == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param([section("x" * 3001)], "cannot exceed 3000", id="section-3001"),
        pytest.param([{"type": "carousel_of_doom"}], "unknown block type", id="unknown-block"),
        pytest.param(
            [{"type": "actions", "elements": [{"type": "spinner", "action_id": "s"}]}],
            "unknown element type 'spinner'",
            id="unknown-element",
        ),
        pytest.param(
            [
                {
                    "type": "section",
                    "text": plain("Pick"),
                    "accessory": {
                        "type": "radio_buttons",
                        "action_id": "r",
                        "options": [option(str(n)) for n in range(11)],
                    },
                }
            ],
            "11 options (max 10)",
            id="radio-11-options",
        ),
        pytest.param(
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "checkboxes",
                            "action_id": "c",
                            "options": [option(str(n)) for n in range(11)],
                        }
                    ],
                }
            ],
            "11 options (max 10)",
            id="checkboxes-11-options",
        ),
        pytest.param(
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "placeholder": plain("Pick"),
                            "options": [option("long", "y" * 76)],
                        }
                    ],
                }
            ],
            "text attribute cannot exceed 75 characters",
            id="option-text-76",
        ),
        pytest.param(
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "placeholder": plain("Pick"),
                            "options": [option("v" * 151, "ok")],
                        }
                    ],
                }
            ],
            "value attribute cannot exceed 150",
            id="option-value-151",
        ),
        pytest.param(
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "go", "text": plain("Go")},
                        {"type": "button", "action_id": "go", "text": plain("Go again")},
                    ],
                }
            ],
            "action_id 'go' is not unique within its block",
            id="duplicate-action-id",
        ),
        pytest.param(
            [section("a", block_id="same"), section("b", block_id="same")],
            "block_id 'same' already used by blocks[0]",
            id="duplicate-block-id",
        ),
        pytest.param([{"type": "divider"}] * 51, "51 blocks in a message (max 50)", id="51-blocks"),
        pytest.param(
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "fields[0] text is 2001 characters (max 2000)",
            id="field-2001",
        ),
        pytest.param(
            [{"type": "header", "text": {"type": "mrkdwn", "text": "*Hi*"}}],
            "text must be a plain_text text object",
            id="header-mrkdwn",
        ),
        pytest.param(
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "b",
                            "text": {"type": "mrkdwn", "text": "x"},
                        }
                    ],
                }
            ],
            "text must be a plain_text text object",
            id="button-mrkdwn",
        ),
        pytest.param(
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "placeholder": plain("Pick"),
                            "options": [option("a")],
                            "initial_option": option("b"),
                        }
                    ],
                }
            ],
            "does not match any of the element's options",
            id="initial-option-not-an-option",
        ),
        pytest.param(
            [section("x" * 2500) for _ in range(5)],
            "msg_blocks_too_long",
            id="aggregate-text",
        ),
    ],
)
def test_invalid_message_blocks_are_flagged(blocks: list[dict[str, Any]], expected: str) -> None:
    problems = check_blocks(blocks, "message")
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        pytest.param(
            {k: v for k, v in modal(text_input("a", "a")).items() if k != "submit"},
            "needs a submit button",
            id="missing-submit-with-inputs",
        ),
        pytest.param(
            {k: v for k, v in modal(section("x")).items() if k != "title"},
            "a modal needs a title",
            id="missing-title",
        ),
        pytest.param(
            modal(section("x"), title={"type": "mrkdwn", "text": "T"}),
            "title must be a plain_text",
            id="mrkdwn-title",
        ),
        pytest.param(modal(section("x"), title=plain("t" * 25)), "title must be", id="title-25"),
        pytest.param(
            modal(section("x"), private_metadata="m" * 3001),
            "private_metadata is 3001 characters (max 3000)",
            id="metadata-3001",
        ),
        pytest.param(
            modal(text_input("a", "a", max_length=3001)),
            "max_length must be an integer in 1..3000",
            id="max-length-3001",
        ),
        pytest.param(
            modal(text_input("a", "a", min_length=-1)),
            "min_length must be an integer in 0..3000",
            id="min-length-negative",
        ),
        pytest.param(modal(), "blocks must be a non-empty JSON array", id="no-blocks"),
        pytest.param(
            modal(*[section(f"s{n}") for n in range(101)]),
            "101 blocks in a modal (max 100)",
            id="101-blocks",
        ),
        pytest.param(
            modal(*[section("x" * 2900) for _ in range(90)]), "view_too_large", id="too-large"
        ),
        pytest.param({"type": "workflow_step", "blocks": []}, "view type must be", id="type"),
    ],
)
def test_invalid_views_are_flagged(view: dict[str, Any], expected: str) -> None:
    problems = check_view(view)
    assert any(expected in p for p in problems), problems


def test_modal_blocks_may_exceed_the_message_limits() -> None:
    blocks = [section(f"row {n}") for n in range(60)]
    assert check_blocks(blocks, "modal") == []
    assert check_blocks(blocks, "message") == ["60 blocks in a message (max 50)"]


def test_unknown_surface_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown surface"):
        check_blocks([], "email")


def test_non_list_blocks_are_one_problem() -> None:
    assert check_blocks({"type": "divider"}, "message") == [  # type: ignore[arg-type]
        "blocks must be a JSON array, got dict"
    ]


@given(st.integers(min_value=1, max_value=6000))
def test_section_text_limit_is_exactly_3000(length: int) -> None:
    problems = check_blocks([section("x" * length)], "home")
    assert (problems == []) is (length <= 3000)
