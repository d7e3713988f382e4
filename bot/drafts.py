"""Opening the qualification form: a draft row first, then the modal that points at it."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from bot.views import qualify_view
from handoff.model import Field
from handoff.qualification import LONG_TEXT_MAX, SHORT_TEXT_MAX
from storage import drafts


def open_form(
    services: Services, *, trigger_id: str, team_id: str, user_id: str, initial: dict[Field, str]
) -> None:
    """Create a draft holding the prefill and open the modal within the trigger's 3 seconds."""
    prefill: dict[str, Any] = {}
    for field, value in initial.items():
        limit = SHORT_TEXT_MAX if field == Field.COMPANY else LONG_TEXT_MAX
        value = value.strip()[:limit]
        if value:
            prefill[field.value] = value
    with services.unit() as repo:
        draft_id = drafts.create(
            repo.session, team_id=team_id, user_id=user_id, answers=prefill, now=services.now()
        )
    view = qualify_view(services.config, draft_id=draft_id, initial=prefill)
    reply = services.client.views_open(trigger_id=trigger_id, view=view)
    with services.unit() as repo:
        drafts.set_view(repo.session, draft_id, str(reply["view"]["id"]))
