"""The qualification form is submitted: validate, store, ack, then post the brief."""

from typing import Any

from slack_bolt import Ack, App

from bot.delivery import sync_brief
from bot.ids import Callback
from bot.payloads import answers, metadata_id, team_id, user_id
from bot.services import Services
from handoff.lifecycle import submit
from handoff.model import Field
from handoff.qualification import Invalid, validate
from storage import drafts


def register(app: App, services: Services) -> None:
    @app.view(Callback.QUALIFY)
    def qualification_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        sdr = user_id(body)
        draft_id = metadata_id(view, "draft")
        given = answers(view)
        result = validate(given, services.config, services.now())
        if isinstance(result, Invalid):
            ack(response_action="errors", errors={f.value: m for f, m in result.errors.items()})
            return
        with services.unit() as repo:
            draft = drafts.get(repo.session, draft_id) if draft_id else None
            if draft is None or draft.user_id != sdr:
                expired = "This form has expired. Close it and run /handoff again."
                ack(response_action="errors", errors={Field.COMPANY.value: expired})
                return
            outcome = submit(
                repo,
                team_id=team_id(body),
                sdr_id=sdr,
                qualification=result,
                rubric_version=services.config.rubric_version,
                submission_key=f"draft:{draft_id}",
                now=services.now(),
            )
            stored = {f.value: v for f, v in given.items()}
            drafts.mark_submitted(
                repo.session,
                draft_id,
                handoff_id=outcome.handoff.id,
                answers=stored,
                now=services.now(),
            )
        # Stored and committed: closing the modal now loses nothing.
        ack()
        sync_brief(services, outcome.handoff.id)
