"""Short answers to a person: an ephemeral notice, a thread note, the "Nothing changed" modal."""

from __future__ import annotations

from typing import Any

from bot.surfaces.render import render


def notice(text: str) -> dict[str, Any]:
    """`text` must already be mrkdwn-safe (ours, or escaped)."""
    return render("messages/notice.json.j2", text=text)


def note(text: str, footer: str = "") -> dict[str, Any]:
    """`text` and `footer` must already be mrkdwn-safe."""
    return render("messages/note.json.j2", text=text, footer=footer)


def too_late_view(text: str) -> dict[str, Any]:
    """Replaces a submitted modal when the decision was taken by someone else meanwhile."""
    return render("modals/too_late.json.j2", text=text)
