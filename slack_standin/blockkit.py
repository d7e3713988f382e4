"""Block Kit validation for the stand-in, against the limits Slack documents.

Blocks: https://docs.slack.dev/reference/block-kit/blocks (each block's page lists its limits).
Views: https://docs.slack.dev/reference/views/modal-views.
slack_sdk's models catch many limits once a payload is parsed and serialised (``Block.parse`` +
``to_dict()``), but they silently drop unknown types, leave most option dicts unchecked and do not
enforce every documented limit. Each of those gaps is coded explicitly here, so a payload that
passes is one that Slack would accept as far as the documentation tells.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement, Option, OptionGroup
from slack_sdk.models.views import View

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
# Undocumented: Slack answers msg_blocks_too_long at about 13k characters (bolt-js#2509); we stop
# a little earlier so a test fails before production does.
MESSAGE_TEXT_BUDGET = 12_000
SECTION_FIELD_MAX = 2000
CHOICE_OPTIONS_MAX = 10
TEXT_INPUT_LENGTH_MAX = 3000
PRIVATE_METADATA_MAX = 3000
VIEW_BYTES_MAX = 250_000
OPTION_DESCRIPTION_MAX = 75
OPTION_URL_MAX = 3000

# Problems that Slack reports with their own error code start with that code, so the server can
# answer the way Slack does instead of with the generic invalid_blocks / invalid_arguments.
MSG_BLOCKS_TOO_LONG = "msg_blocks_too_long"
VIEW_TOO_LARGE = "view_too_large"

_SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError)
_OPTION_ELEMENTS = {
    "static_select",
    "multi_static_select",
    "external_select",
    "multi_external_select",
    "radio_buttons",
    "checkboxes",
    "overflow",
}
# Only checkboxes and radio buttons may render option text as mrkdwn (BKC option object).
_MRKDWN_OPTION_ELEMENTS = {"checkboxes", "radio_buttons"}
# Elements whose initial option(s) must be one of their own options (BKE select/radio/checkboxes).
_CLOSED_OPTION_ELEMENTS = {"static_select", "multi_static_select", "radio_buttons", "checkboxes"}
_TEXT_OBJECT_TYPES = {"plain_text", "mrkdwn", "text", "markdown"}


def check_blocks(blocks: list[dict[str, Any]], surface: str) -> list[str]:
    """Problems with ``blocks`` on ``surface`` ("message", "modal" or "home"); [] means valid."""
    if surface not in MAX_BLOCKS:
        raise ValueError(f"unknown surface {surface!r}; expected one of {sorted(MAX_BLOCKS)}")
    if not isinstance(blocks, list):
        return [f"blocks must be a JSON array, got {type(blocks).__name__}"]
    problems: list[str] = []
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks in a {surface} (max {limit})")
    first_seen: dict[str, int] = {}
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        problems.extend(_check_block(block, where))
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            if block_id in first_seen:
                problems.append(
                    f"{where}: block_id {block_id!r} already used by blocks[{first_seen[block_id]}]"
                )
            else:
                first_seen[block_id] = index
    if surface == "message":
        total = _text_length(blocks)
        if total > MESSAGE_TEXT_BUDGET:
            problems.append(
                f"{MSG_BLOCKS_TOO_LONG}: blocks carry {total} characters of text "
                f"(budget {MESSAGE_TEXT_BUDGET})"
            )
    return problems


def check_view(view: dict[str, Any]) -> list[str]:
    """Problems with a modal or Home tab view as sent to views.* or in a response_action."""
    if not isinstance(view, dict):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        return [f"view type must be 'modal' or 'home', got {view_type!r}"]
    problems: list[str] = []
    # The SDK's view-level validators only: blocks and private_metadata are checked below with
    # better messages, and validate_json() stops at its first failure.
    top = {k: view[k] for k in ("type", "title", "submit", "close", "callback_id") if k in view}
    try:
        model = View(**top)
        model.blocks = None  # type: ignore[assignment]  # so the SDK skips its own count check
        model.validate_json()
    except _SDK_ERRORS as exc:
        problems.append(f"view: {exc}")
    blocks = view.get("blocks")
    if view_type == "modal":
        if "title" not in view:
            problems.append("view: a modal needs a title")
        for key in ("title", "submit", "close"):
            if key in view:
                problems.extend(_plain_text(view[key], "view", key))
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            problems.append("view: a modal with an input block needs a submit button")
    metadata = view.get("private_metadata")
    if metadata is not None:
        if not isinstance(metadata, str):
            problems.append("view: private_metadata must be a string")
        elif len(metadata) > PRIVATE_METADATA_MAX:
            problems.append(
                f"view: private_metadata is {len(metadata)} characters (max {PRIVATE_METADATA_MAX})"
            )
    if not isinstance(blocks, list) or not blocks:
        problems.append("view: blocks must be a non-empty JSON array")
    else:
        problems.extend(check_blocks(blocks, view_type))
    size = len(json.dumps(view, ensure_ascii=False).encode("utf-8"))
    if size > VIEW_BYTES_MAX:
        problems.append(f"{VIEW_TOO_LARGE}: view JSON is {size} bytes (max {VIEW_BYTES_MAX})")
    return problems


def _check_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"{where}: a block must be a JSON object"]
    block_type = block.get("type")
    where = f"{where} ({block_type})"
    problems = _sdk_block_problems(block, where)
    if block_type == "section":
        fields = block.get("fields")
        for j, field in enumerate(fields if isinstance(fields, list) else []):
            text = field.get("text") if isinstance(field, dict) else None
            if isinstance(text, str) and len(text) > SECTION_FIELD_MAX:
                problems.append(
                    f"{where}: fields[{j}] text is {len(text)} characters (max {SECTION_FIELD_MAX})"
                )
    elif block_type == "header":
        problems.extend(_plain_text(block.get("text"), where, "text"))
    elif block_type == "input":
        problems.extend(_plain_text(block.get("label"), where, "label"))
    action_ids: set[str] = set()
    for path, element in _elements(block, where):
        if not isinstance(element, dict):
            problems.append(f"{path}: an element must be a JSON object")
            continue
        problems.extend(_check_element(element, path))
        action_id = element.get("action_id")
        if isinstance(action_id, str):
            if action_id in action_ids:
                problems.append(f"{path}: action_id {action_id!r} is not unique within its block")
            action_ids.add(action_id)
    return problems


def _sdk_block_problems(block: dict[str, Any], where: str) -> list[str]:
    try:
        parsed = Block.parse(block)
    except _SDK_ERRORS as exc:
        return [f"{where}: cannot be parsed: {exc}"]
    if parsed is None:
        return [f"{where}: unknown block type {block.get('type')!r}"]
    try:
        parsed.to_dict()
    except _SDK_ERRORS as exc:
        return [f"{where}: {exc}"]
    return []


def _elements(block: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    block_type = block.get("type")
    if block_type == "section" and "accessory" in block:
        yield f"{where}.accessory", block["accessory"]
    if block_type == "input" and "element" in block:
        yield f"{where}.element", block["element"]
    if block_type in ("actions", "context", "context_actions"):
        elements = block.get("elements")
        for j, element in enumerate(elements if isinstance(elements, list) else []):
            yield f"{where}.elements[{j}]", element


def _check_element(element: dict[str, Any], where: str) -> list[str]:
    element_type = element.get("type")
    where = f"{where} ({element_type})"
    try:
        known = BlockElement.parse(element) is not None
    except _SDK_ERRORS as exc:
        return [f"{where}: cannot be parsed: {exc}"]
    if not known:
        return [f"{where}: unknown element type {element_type!r}"]
    problems: list[str] = []
    if element_type == "button":
        problems.extend(_plain_text(element.get("text"), where, "text"))
    if element_type in _OPTION_ELEMENTS:
        problems.extend(_check_options(element, where))
    if element_type == "plain_text_input":
        problems.extend(_check_length_bounds(element, where))
    return problems


def _check_options(element: dict[str, Any], where: str) -> list[str]:
    element_type = element.get("type")
    plain_only = element_type not in _MRKDWN_OPTION_ELEMENTS
    problems: list[str] = []
    options = element.get("options")
    options = options if isinstance(options, list) else []
    if element_type in _MRKDWN_OPTION_ELEMENTS and len(options) > CHOICE_OPTIONS_MAX:
        problems.append(f"{where}: {len(options)} options (max {CHOICE_OPTIONS_MAX})")
    every_option: list[Any] = list(options)
    for j, option in enumerate(options):
        problems.extend(_check_option(option, f"{where}.options[{j}]", plain_only))
    groups = element.get("option_groups")
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        group_where = f"{where}.option_groups[{g}]"
        if not isinstance(group, dict):
            problems.append(f"{group_where}: an option group must be a JSON object")
            continue
        problems.extend(_plain_text(group.get("label"), group_where, "label"))
        try:
            # Checks the label and option count; the options get the full check below.
            OptionGroup(label=group.get("label"), options=[]).to_dict()
        except _SDK_ERRORS as exc:
            problems.append(f"{group_where}: {exc}")
        group_options = group.get("options")
        group_options = group_options if isinstance(group_options, list) else []
        if len(group_options) > OptionGroup.options_max_length:
            problems.append(
                f"{group_where}: {len(group_options)} options "
                f"(max {OptionGroup.options_max_length})"
            )
        for j, option in enumerate(group_options):
            problems.extend(_check_option(option, f"{group_where}.options[{j}]", plain_only))
        every_option.extend(group_options)
    initial: list[tuple[str, Any]] = []
    if "initial_option" in element:
        initial.append((f"{where}.initial_option", element["initial_option"]))
    initial_options = element.get("initial_options")
    for j, option in enumerate(initial_options if isinstance(initial_options, list) else []):
        initial.append((f"{where}.initial_options[{j}]", option))
    for path, option in initial:
        option_problems = _check_option(option, path, plain_only)
        problems.extend(option_problems)
        if (
            not option_problems
            and element_type in _CLOSED_OPTION_ELEMENTS
            and not any(_same_option(option, o) for o in every_option)
        ):
            problems.append(f"{path}: does not match any of the element's options")
    return problems


def _check_option(option: Any, where: str, plain_only: bool) -> list[str]:
    if not isinstance(option, dict):
        return [f"{where}: an option must be a JSON object"]
    problems: list[str] = []
    text = option.get("text")
    if not isinstance(text, dict):
        problems.append(f"{where}: text must be a text object")
    elif plain_only and text.get("type") != "plain_text":
        problems.append(f"{where}: text must be plain_text in this element")
    try:
        Option(**option).to_dict()
    except _SDK_ERRORS as exc:
        problems.append(f"{where}: {exc}")
    description = option.get("description")
    if isinstance(description, dict):
        desc_text = description.get("text")
        if isinstance(desc_text, str) and len(desc_text) > OPTION_DESCRIPTION_MAX:
            problems.append(
                f"{where}: description is {len(desc_text)} characters "
                f"(max {OPTION_DESCRIPTION_MAX})"
            )
    url = option.get("url")
    if isinstance(url, str) and len(url) > OPTION_URL_MAX:
        problems.append(f"{where}: url is {len(url)} characters (max {OPTION_URL_MAX})")
    return problems


def _same_option(a: dict[str, Any], b: Any) -> bool:
    return (
        isinstance(b, dict) and a.get("value") == b.get("value") and a.get("text") == b.get("text")
    )


def _check_length_bounds(element: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    bounds = {"min_length": (0, TEXT_INPUT_LENGTH_MAX), "max_length": (1, TEXT_INPUT_LENGTH_MAX)}
    values: dict[str, int] = {}
    for key, (low, high) in bounds.items():
        if key not in element:
            continue
        value = element[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems.append(f"{where}: {key} must be an integer in {low}..{high}, got {value!r}")
        else:
            values[key] = value
    if len(values) == 2 and values["min_length"] > values["max_length"]:
        problems.append(f"{where}: min_length exceeds max_length")
    return problems


def _plain_text(obj: Any, where: str, what: str) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") != "plain_text":
        return [f"{where}: {what} must be a plain_text text object"]
    return []


def _text_length(node: Any) -> int:
    """Characters of text in every text object (and rich text run) below ``node``."""
    if isinstance(node, list):
        return sum(_text_length(item) for item in node)
    if not isinstance(node, dict):
        return 0
    total = 0
    if node.get("type") in _TEXT_OBJECT_TYPES and isinstance(node.get("text"), str):
        total += len(node["text"])
    return total + sum(_text_length(value) for value in node.values())
