"""The App Home tab: a New handoff button, drafts to resume, and the user's recent handoffs."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.views import home_view
from storage import drafts

log = logging.getLogger(__name__)


def publish_home(services: Services, team_id: str, user_id: str) -> None:
    """Re-render Home from the database; a failure only leaves an older Home on screen."""
    now = services.now()
    with services.unit() as repo:
        recent = repo.recent_for_user(team_id, user_id)
        unfinished = [
            {
                "id": d.id,
                "mode": d.mode,
                "step": d.step,
                "answers": dict(d.answers),
                "updated_at": d.updated_at,
            }
            for d in drafts.open_for(repo.session, team_id, user_id, now)
        ]
    try:
        services.client.views_publish(
            user_id=user_id, view=home_view(recent, unfinished, services.config)
        )
    except SlackApiError:
        log.warning("could not publish Home for %s", user_id, exc_info=True)
