"""Scheduled sweeps: APScheduler jobs with fixed ids; each run is idempotent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.delivery.pacing import Slack
from bot.delivery.sender import deliver_due
from bot.jobs.sweep import SweepReport, run_sweep
from bot.jobs.weekly_digest import send_due_digest
from bot.services import Services, make_services
from bot.settings import Settings
from storage.leader import leadership

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
SWEEP_LOCK = "sweep"


def job(name: str) -> Callable[[Callable[[Services], Any]], Callable[[Services], None]]:
    """Log and time every run; a failed run is logged with its traceback and retried next time."""

    def wrap(fn: Callable[[Services], Any]) -> Callable[[Services], None]:
        def run(services: Services) -> None:
            started = time.monotonic()
            try:
                result = fn(services)
            except Exception:
                log.exception("job %s failed", name)
                return
            log.info("job %s: %s in %.2fs", name, result, time.monotonic() - started)

        run.__name__ = name
        return run

    return wrap


@job("deliver_pending")
def deliver_pending_job(services: Services) -> int:
    outcome = deliver_due(services, Slack.for_sweep(services.client))
    return len(outcome.sent) + len(outcome.updated) + len(outcome.published)


def sweep_once(
    services: Services, *, digest: bool = False, slack: Slack | None = None
) -> SweepReport:
    """One sweep if no other process is running one (the database decides).

    With `digest`, the same sweep then sends the weekly digest if one is due: behind the
    same lock, and coalesced (after downtime only the latest period's digest goes out).
    """
    with leadership(services.engine, SWEEP_LOCK) as leader:
        if not leader:
            return SweepReport(skipped="another process holds the sweep lock")
        now = services.now()
        report = run_sweep(services, now=now, slack=slack)
        if digest:
            try:
                report.digest = send_due_digest(services, now=now, slack=slack)
            except Exception:  # never let the digest stop the chases of the next sweep
                log.exception("digest check failed; the next sweep tries again")
        return report


@job("sweep")
def sweep_job(services: Services) -> str:
    report = sweep_once(services, digest=True)
    if report.skipped:
        return report.skipped
    summary = f"{len(report.sent)} messages, {len(report.briefs)} briefs"
    if report.digest is not None:
        sent = len(report.digest.deliveries)
        summary += f", digest: {report.digest.skipped or report.digest.error or f'{sent} sent'}"
    return summary


JOBS: dict[str, Callable[[Services], None]] = {
    "deliver_pending": deliver_pending_job,
    "sweep": sweep_job,
}


def _add_jobs(scheduler: BaseScheduler, services: Services) -> None:
    # One sweep job, not one job per handoff: due times live in the database. After
    # downtime the missed runs coalesce into one, which catches up on everything.
    scheduler.add_job(
        sweep_job,
        "interval",
        seconds=SWEEP_SECONDS,
        args=[services],
        id="sweep",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=SWEEP_SECONDS * 5,
    )


def start_background(settings: Settings) -> BackgroundScheduler:
    services = make_services(settings)
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_jobs(scheduler, services)
    scheduler.start()
    log.info("scheduler started in this process")
    return scheduler


def run_blocking(settings: Settings) -> None:
    services = make_services(settings)
    scheduler = BlockingScheduler(timezone="UTC")
    _add_jobs(scheduler, services)
    log.info("worker: scheduler running; Ctrl-C stops it")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("worker stopped")
