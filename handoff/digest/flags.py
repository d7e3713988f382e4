"""The digest's flags: possible rubber stamps, coaching signals, and the score bands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from handoff.digest.figures import AeDecisions, RubberStamp, SdrRejections, pct
from handoff.policy import DigestPolicy


def team_rate(rows: Iterable[AeDecisions]) -> int | None:
    rows = list(rows)
    return pct(sum(r.accepted for r in rows), sum(r.decisions for r in rows))


def rubber_stamps(rows: Sequence[AeDecisions], policy: DigestPolicy) -> tuple[RubberStamp, ...]:
    """AEs who accept everything on a meaningful sample, or far more than the team does."""
    team = team_rate(rows)
    if team is None:
        return ()
    flagged = []
    for row in rows:
        rate = row.acceptance_rate
        if rate is None or row.decisions < policy.rubber_stamp_min_decisions:
            continue
        if rate == 100 or rate - team >= policy.rubber_stamp_points:
            flagged.append(RubberStamp(row.ae_id, row.decisions, row.accepted, rate, team))
    return tuple(sorted(flagged, key=lambda f: (-f.rate, -f.decisions, f.ae_id)))


def coaching_signals(
    rows: Sequence[SdrRejections], policy: DigestPolicy
) -> tuple[SdrRejections, ...]:
    """SDRs whose rejections mostly share one reason."""
    flagged = [
        r
        for r in rows
        if r.rejections >= policy.coaching_min_rejections
        and 100 * r.count >= policy.coaching_share * r.rejections
    ]
    return tuple(sorted(flagged, key=lambda r: (-r.count, r.sdr_id)))


def band_edges(policy: DigestPolicy) -> list[tuple[int, int]]:
    """[(low, high inclusive)] covering 0–100."""
    lows = [0, *policy.score_bands]
    highs = [b - 1 for b in policy.score_bands] + [100]
    return list(zip(lows, highs, strict=True))
