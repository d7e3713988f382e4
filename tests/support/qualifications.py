"""The standard meeting: the wizard's answers, the qualification and its score, at NOW."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from handoff.config import Config, load_config
from handoff.model import Field, Qualification, Score, Stakeholder
from handoff.scoring import score

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # a Monday afternoon


def answers(**overrides: Any) -> dict[str, object]:
    """A complete, valid set of wizard answers for a meeting three days after NOW."""
    base: dict[str, object] = {
        Field.COMPANY: "Acme Robotics",
        Field.MEETING_AT: int((NOW + timedelta(days=3)).timestamp()),
        Field.INDUSTRY: "manufacturing",
        Field.COMPANY_SIZE: "200_999",
        Field.REGION: "emea",
        Field.CONTACT_NAME: "Dana Whitfield",
        Field.CONTACT_TITLE: "VP Operations",
        Field.CONTACT_ROLE: "economic_buyer",
        Field.CONTACT_EMAIL: "dana@acme.example",
        Field.STAKEHOLDERS: [
            {"name": "Lee Park", "title": "Plant IT lead", "role": "champion"},
            {"name": "Sam Roy", "title": "Controller", "role": None},
        ],
        Field.PAIN: "Unplanned downtime on two lines costs them about 40 hours a month.",
        Field.CURRENT_SOLUTION: "Spreadsheets and a paper log per shift.",
        Field.TRIGGER: "A new plant opens in March.",
        Field.TIMING: "this_quarter",
        Field.BUDGET_STATUS: "identified",
        Field.NEXT_STEPS_STATUS: "agreed",
        Field.NEXT_STEPS: "Discovery call with Dana and Lee on Thursday; they share line data.",
        Field.INTENT_SIGNALS: ["demo_request"],
        Field.SOURCE: "outbound",
        Field.WEBSITE: "acme.example",
        Field.NOTES: "",
    }
    base.update(overrides)
    return {str(k): v for k, v in base.items()}


def qualification(**overrides: Any) -> Qualification:
    values: dict[str, Any] = {
        "company": "Acme Robotics",
        "meeting_at": NOW + timedelta(days=3),
        "industry": "manufacturing",
        "company_size": "200_999",
        "region": "emea",
        "contact_name": "Dana Whitfield",
        "contact_title": "VP Operations",
        "contact_role": "economic_buyer",
        "pain": "Unplanned downtime on two lines costs them about 40 hours a month.",
        "timing": "this_quarter",
        "budget_status": "identified",
        "next_steps": "Discovery call on Thursday.",
        "source": "outbound",
        "stakeholders": (Stakeholder("Lee Park", "Plant IT lead", "champion"),),
        "notes": "",
        "current_solution": "Spreadsheets.",
        "next_steps_status": "agreed",
    }
    values.update(overrides)
    return Qualification(**values)


def scored(q: Qualification | None = None, config: Config | None = None) -> Score:
    """The default rubric's judgement of `q` (the standard qualification by default)."""
    return score(q or qualification(), config or load_config())
