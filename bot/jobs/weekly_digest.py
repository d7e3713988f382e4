"""The weekly digest: build it from the database and post it once per period, chart included.

Who calls what:
- the scheduler's sweep job, under the sweep lock, calls `send_due_digest` every minute:
  it sends the digest of the period that ended at the last scheduled time, once;
- `handoff digest` calls `send_digest` (or `dry_run`) for the 7 days ending at --now.

Exactly once: the period is claimed in the digests ledger before anything is sent, so a
restart, a second worker or a second `handoff digest` finds the claim and sends nothing.
Each destination (the digest channel, each manager's DM) gets one message carrying the
period in its metadata; a sender that takes over a crashed or failed attempt first looks
for that message and skips the destinations that already have it. The chart is uploaded
after the message with files_upload_v2; when that fails the message is updated to carry
the chart's figures as a table instead. The calibration chart (which criteria predict
acceptance) follows the same way; its figures are in the message already, so a failed
upload changes nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.delivery.pacing import Slack
from bot.observability import telemetry
from bot.services import Services
from bot.settings import Settings
from bot.surfaces.calibration_chart import calibration_chart
from bot.surfaces.chart import trend_chart
from bot.surfaces.digest_message import digest_message, period_text
from handoff.config import Config
from handoff.digest import (
    Digest,
    Period,
    assemble,
    due_period,
    rank,
    scheduled_period,
    week_ending,
)
from storage import digest_ledger

log = logging.getLogger(__name__)

EVENT_TYPE = "handoff_digest"
CHART_COMMENT = "📈 The last 8 weeks: handoffs submitted and accepted, and the acceptance rate"
CALIBRATION_COMMENT = (
    "🎯 Which criteria predict acceptance: met minus not met, in points, with 95% intervals"
)


@dataclass
class Delivery:
    destination: str  # the channel or manager it was meant for
    channel: str
    ts: str
    chart: bool  # False: the chart failed and the message carries its figures instead
    recovered: bool = False  # found already posted by an earlier attempt
    calibration_chart: bool = False  # the message carries the same figures either way


@dataclass
class DigestReport:
    period: Period
    deliveries: list[Delivery] = field(default_factory=list)
    skipped: str | None = None  # why nothing was sent
    error: str | None = None  # why it stopped part-way (the next sweep retries)

    def lines(self, config: Config) -> list[str]:
        when = period_text(self.period, config.policy.zone)
        out = []
        for d in self.deliveries:
            how = (
                "found already posted"
                if d.recovered
                else ("chart uploaded" if d.chart else "chart failed, figures as text")
            )
            if d.calibration_chart:
                how += ", calibration chart uploaded"
            out.append(f"digest {when} → {d.channel} ts {d.ts} ({how})")
        return out


def destinations(settings: Settings, config: Config) -> list[str]:
    """The digest channel, then each manager (a DM each) when [digest].dm_managers is on."""
    out = [settings.digest_channel] if settings.digest_channel else []
    if config.digest.dm_managers:
        out += list(settings.managers)
    return out


def period_ending(config: Config, at: datetime) -> Period:
    """The 7 days (of the team's calendar) ending at `at`."""
    return week_ending(at, config.policy.zone)


def last_period(config: Config, now: datetime) -> Period:
    """The period that ended at the last scheduled digest time at or before `now`."""
    return scheduled_period(now, config.policy.zone, config.digest)


def build(services: Services, period: Period) -> Digest:
    with services.uow(read_only=True) as uow:
        figures = uow.metrics.collect(services.config, period)
    return assemble(figures, services.config.digest)


def metadata(period: Period) -> dict[str, Any]:
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
        },
    }


def send_due_digest(
    services: Services, *, now: datetime, slack: Slack | None = None
) -> DigestReport | None:
    """Send the latest period's digest if it is due and not sent (called every sweep).

    Runs missed while the bot was down coalesce: only the latest period is sent, late.
    """
    config = services.config
    if not destinations(services.settings, config):
        return None
    with services.uow(read_only=True) as uow:
        entry = uow.digests.entry(last_period(config, now).start)
        first = uow.metrics.first_submitted()
    period = due_period(
        now,
        config.policy.zone,
        config.digest,
        first_submitted=first,
        claim=digest_ledger.claim_state(entry, now),
    )
    if period is None:
        return None  # sent, given up, being sent, or the bot was not in use yet
    return send_digest(services, period, now=now, slack=slack)


def send_digest(
    services: Services,
    period: Period,
    *,
    now: datetime | None = None,
    slack: Slack | None = None,
) -> DigestReport:
    report = _send_digest(services, period, now=now, slack=slack)
    telemetry.digest_run("failed" if report.error else "skipped" if report.skipped else "sent")
    return report


def _send_digest(
    services: Services, period: Period, *, now: datetime | None, slack: Slack | None
) -> DigestReport:
    now = now or services.now()
    report = DigestReport(period)
    targets = destinations(services.settings, services.config)
    if not targets:
        report.skipped = (
            "no destination: set HANDOFF_DIGEST_CHANNEL, or HANDOFF_MANAGERS with "
            "[digest] dm_managers = true"
        )
        return report
    with services.uow() as uow:
        claim = uow.digests.claim(start=period.start, end=period.end, now=now)
        entry = uow.digests.entry(period.start) if claim is None else None
    if claim is None:
        report.skipped = _why_not(entry)
        return report
    slack = slack or Slack.for_sweep(services.client)
    try:
        _deliver(services, slack, period, claim, targets, report)
    except Exception as exc:  # release the claim whatever broke; the next sweep retries
        error = _error_text(exc)
        log.exception("digest %s: stopped (%s); the next sweep retries", period.start, error)
        report.error = error
        with services.uow() as uow:
            uow.digests.release(claim.id, error=error, now=now)
        return report
    first = report.deliveries[0] if report.deliveries else None
    with services.uow() as uow:
        uow.digests.mark_sent(
            claim.id,
            channel=first.channel if first else None,
            ts=first.ts if first else None,
            now=services.now(),
        )
    return report


def _deliver(
    services: Services,
    slack: Slack,
    period: Period,
    claim: digest_ledger.DigestClaim,
    targets: list[str],
    report: DigestReport,
) -> None:
    config = services.config
    digest = build(services, period)
    links = _permalinks(slack, digest)
    message = digest_message(digest, config, links=links)
    fallback = digest_message(digest, config, links=links, chart_failed=True)
    meta = metadata(period)
    chart = _Chart(digest, config)
    for target in targets:
        channel = target if target[0] in "CGD" else slack.dm_channel([target])
        if claim.attempts > 1:
            found = slack.find(channel, meta)
            if found is not None:
                report.deliveries.append(Delivery(target, channel, found, True, recovered=True))
                continue
        channel, ts = slack.post(channel, message, metadata=meta)
        png = chart.png()
        uploaded = png is not None and _upload(slack, channel, _trend_file(png, period, config))
        if not uploaded:
            slack.update(channel, ts, fallback)
        calibration = chart.calibration_png()
        calibrated = calibration is not None and _upload(
            slack, channel, _calibration_file(calibration, period, config)
        )
        report.deliveries.append(Delivery(target, channel, ts, uploaded, False, calibrated))


class _Chart:
    """The PNGs, drawn once for all destinations; None when drawing failed (or, for the
    calibration, when no criterion has decided handoffs on both sides)."""

    def __init__(self, digest: Digest, config: Config) -> None:
        self.digest, self.config = digest, config
        self._png: bytes | None = None
        self._broken = False
        self._calibration: bytes | None = None
        self._calibration_done = False

    def calibration_png(self) -> bytes | None:
        if not self._calibration_done:
            self._calibration_done = True
            try:
                self._calibration = calibration_png(self.digest, self.config)
            except Exception:
                log.exception("digest: could not draw the calibration chart; the text has it")
        return self._calibration

    def png(self) -> bytes | None:
        if self._png is None and not self._broken:
            try:
                self._png = trend_chart(self.digest.trend, self.config.policy.zone)
            except Exception:
                log.exception("digest: could not draw the chart; sending figures as text")
                self._broken = True
        return self._png


def calibration_png(digest: Digest, config: Config) -> bytes | None:
    ranking = rank(digest.calibration, config.digest.calibration_min_sample)
    if not any(c.acceptance.difference is not None for c in ranking.criteria):
        return None
    return calibration_chart(ranking, config.rubric.labels)


def _day(period: Period, config: Config) -> str:
    return period.end.astimezone(config.policy.zone).date().isoformat()


def _trend_file(png: bytes, period: Period, config: Config) -> dict[str, Any]:
    day = _day(period, config)
    return {
        "file": png,
        "filename": f"handoff-digest-{day}.png",
        "title": f"Handoffs, the 8 weeks to {day}",
        "alt_txt": "Bar chart of handoffs submitted and accepted per week for the last 8 "
        "weeks, with the acceptance rate as a line",
        "initial_comment": CHART_COMMENT,
    }


def _calibration_file(png: bytes, period: Period, config: Config) -> dict[str, Any]:
    day = _day(period, config)
    return {
        "file": png,
        "filename": f"handoff-calibration-{day}.png",
        "title": f"Which criteria predict acceptance, the {config.digest.calibration_weeks} "
        f"weeks to {day}",
        "alt_txt": "Horizontal bars: for each rubric criterion, the acceptance rate when met "
        "minus when not met, in points, with its 95% interval; criteria without enough data "
        "in grey",
        "initial_comment": CALIBRATION_COMMENT,
    }


def _upload(slack: Slack, channel: str, upload: dict[str, Any]) -> bool:
    try:
        # Not retried blindly (an upload is not safe to repeat): a failure falls back to text.
        slack.pacer.call(
            lambda: slack.posts.files_upload_v2(channel=channel, **upload),
            channel=channel,
        )
    except (SlackClientError, OSError) as exc:
        log.warning(
            "digest: %s upload to %s failed (%s); the message carries its figures as text",
            upload["filename"],
            channel,
            _error_text(exc),
        )
        return False
    return True


def _permalinks(slack: Slack, digest: Digest) -> dict[int, str]:
    return {
        brief.id: slack.permalink(brief.channel, brief.ts)
        for brief in digest.headline.stale
        if brief.channel and brief.ts
    }


def _why_not(entry: digest_ledger.LedgerEntry | None) -> str:
    if entry is None:
        return "another process is sending it"
    if entry.sent_at is not None:
        where = f" to {entry.channel} (ts {entry.ts})" if entry.channel else ""
        return f"already sent at {entry.sent_at.isoformat(timespec='seconds')}{where}"
    if entry.attempts >= digest_ledger.MAX_ATTEMPTS:
        return f"given up after {entry.attempts} attempts (last error: {entry.last_error})"
    return "another process is sending it"


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"[:200]


def dry_run(services: Services, period: Period) -> tuple[dict[str, Any], bytes, Digest]:
    """The message and chart that would be sent, without Slack or the ledger."""
    digest = build(services, period)
    message = digest_message(digest, services.config)
    return message, trend_chart(digest.trend, services.config.policy.zone), digest
