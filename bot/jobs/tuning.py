"""Tuning the rubric with data: the ranked calibration of a window, and a proposed rubric
replayed over the stored answers. Read-only: nothing here writes or talks to Slack.

`handoff calibrate` and `handoff rubric try` call these; the digest and the managers' Home
read the same calibration through the metrics reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import Services
from handoff.config import Config
from handoff.digest import Period, Ranking, Suggestion, rank, suggest, week_ending
from handoff.replay import Replay, replay


@dataclass(frozen=True)
class Calibrated:
    ranking: Ranking
    advice: tuple[Suggestion, ...]


def window(config: Config, end: datetime, weeks: int) -> Period:
    """The `weeks` weeks of the team's calendar ending at `end`."""
    return week_ending(end, config.policy.zone, weeks)


def calibrate(services: Services, end: datetime, weeks: int) -> Calibrated:
    config = services.config
    with services.uow(read_only=True) as uow:
        figures = uow.metrics.calibration(config, window(config, end, 1), weeks=weeks)
    ranking = rank(figures, config.digest.calibration_min_sample)
    return Calibrated(ranking, suggest(ranking, config.rubric))


def try_rubric(services: Services, proposed: Config, end: datetime, weeks: int) -> Replay:
    """Every handoff submitted in the window, judged by the current and the proposed rubric."""
    with services.uow(read_only=True) as uow:
        return replay(
            uow.answers.submitted_in(window(services.config, end, weeks)),
            services.config,
            proposed,
        )
