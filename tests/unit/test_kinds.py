"""The typed kinds: every refusal has its own answer, every chase is a message kind."""

from __future__ import annotations

import pytest

from bot.surfaces.refusals import TEXTS, refusal_text
from handoff.chasing import ChaseKind
from handoff.lifecycle import Refusal, RefusalKind
from handoff.model import MessageKind, Status


def test_every_refusal_kind_has_one_answer():
    assert set(TEXTS) == set(RefusalKind)


@pytest.mark.parametrize("kind", list(RefusalKind))
def test_each_answer_fills_every_placeholder(kind):
    text = refusal_text(Refusal(kind, Status.REJECTED, "U0OTHER"), viewer="U0ME")
    assert "{" not in text and "}" not in text


def test_the_viewer_is_you_and_others_are_mentioned():
    mine = Refusal(RefusalKind.ALREADY_DECIDED, Status.ACCEPTED, "U0ME")
    theirs = Refusal(RefusalKind.ALREADY_DECIDED, Status.ACCEPTED, "U0OTHER")
    assert (
        refusal_text(mine, "U0ME") == "This handoff was already *accepted* by you. Nothing changed."
    )
    assert "by <@U0OTHER>." in refusal_text(theirs, "U0ME")
    withdrawn = Refusal(RefusalKind.WITHDRAWN, Status.WITHDRAWN, "U0ME")
    assert refusal_text(withdrawn, "U0ME").startswith("You withdrew")


def test_a_manager_button_refusal_names_both_manager_actions():
    text = refusal_text(Refusal(RefusalKind.NOT_MANAGER, Status.PENDING), "U0ME")
    assert "reassign" in text and "nudge" in text


def test_every_chase_is_a_ledger_message_kind():
    assert {k.value for k in ChaseKind} <= {k.value for k in MessageKind}
