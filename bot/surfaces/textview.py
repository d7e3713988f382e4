"""Block Kit shown as terminal text, roughly as a person sees it in Slack (used by the demo)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_BOLD = re.compile(r"\*([^*\n]+)\*")


def mrkdwn_to_text(text: str, names: Mapping[str, str]) -> str:
    """What Slack would display for mrkdwn: mentions named, dates formatted, entities decoded."""
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + names.get(m.group(1), m.group(1)), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BOLD.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_to_text(blocks: list[dict[str, Any]], names: Mapping[str, str]) -> str:
    out: list[str] = []

    def show(obj: Mapping[str, Any] | None) -> str:
        if not obj:
            return ""
        text = str(obj.get("text", ""))
        return mrkdwn_to_text(text, names) if obj.get("type") == "mrkdwn" else text

    renderers: dict[str, Callable[[dict[str, Any]], None]] = {
        "header": lambda b: out.append(f"## {show(b['text'])}"),
        "divider": lambda b: out.append("─" * 40),
        "context": lambda b: out.append("  " + "  ".join(show(e) for e in b["elements"])),
        "actions": lambda b: out.append("  ".join(_control(e, show) for e in b["elements"])),
    }
    for block in blocks:
        kind = block["type"]
        if kind in renderers:
            renderers[kind](block)
        elif kind == "section":
            if block.get("text"):
                accessory = block.get("accessory")
                extra = f"  {_control(accessory, show)}" if accessory else ""
                out.append(show(block["text"]) + extra)
            for f in block.get("fields") or []:
                out.append(show(f).replace("\n", " | "))
        elif kind == "input":
            element = block["element"]
            optional = " (optional)" if block.get("optional") else ""
            shown = _input_value(element)
            out.append(f"{show(block['label'])}{optional}: {shown}")
        else:
            out.append(f"<{kind} block>")
    return "\n".join(out)


def _control(element: Mapping[str, Any], show: Callable[[Any], str]) -> str:
    if element.get("type") == "overflow":
        return "[ ⋯ " + " / ".join(o["text"]["text"] for o in element["options"]) + " ]"
    return f"[ {show(element.get('text'))} ]"


def _input_value(element: Mapping[str, Any]) -> str:
    if element.get("initial_value"):
        return f"[{element['initial_value']}]"
    if element.get("initial_option"):
        return f"[{element['initial_option']['text']['text']} ▾]"
    if element.get("initial_options"):
        return "[" + ", ".join(o["text"]["text"] for o in element["initial_options"]) + " ☑]"
    if element.get("options"):
        labels = [o["text"]["text"] for o in element["options"]]
        more = f", … {len(labels) - 3} more" if len(labels) > 3 else ""
        kind = "pick one" if element["type"] != "checkboxes" else "tick any"
        return f"({kind}: {', '.join(labels[:3])}{more})"
    return "[ ]"
