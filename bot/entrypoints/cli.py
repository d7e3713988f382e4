"""The `handoff` command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.observability import logs, multiproc
from bot.settings import Settings, SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logs.configure(logs.TEXT, level=level)
    try:
        settings = load_settings()
        logs.configure(_log_format(args, settings), level=level)
        # Only gunicorn's processes share metrics through files (bot/entrypoints/serve.py);
        # every other command keeps its own, whatever the environment says.
        os.environ.pop(multiproc.ENV, None)
        return int(args.run(args, settings) or 0)
    except SettingsError as exc:
        print(f"handoff: {exc}", file=sys.stderr)
        return 2


def _log_format(args: argparse.Namespace, settings: Settings) -> str:
    """LOG_FORMAT, else JSON for the long-running processes (read by machines in
    production) and text for the commands a person runs (the demo, chase, export…)."""
    if settings.log_format:
        return settings.log_format
    serving = args.run in (_serve, _worker) or (args.run is _start and settings.has_slack)
    return logs.JSON if serving else logs.TEXT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="handoff", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("start", help="serve Slack if credentials are set, else run the demo")
    p.set_defaults(run=_start)

    p = sub.add_parser("serve", help="serve Slack (HTTP on $PORT, or Socket Mode)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per worker")
    p.add_argument(
        "--scheduler",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the sweeps in this process (default: yes on SQLite, no on PostgreSQL)",
    )
    p.set_defaults(run=_serve)

    p = sub.add_parser("worker", help="run only the scheduler (sweeps)")
    p.set_defaults(run=_worker)

    p = sub.add_parser("chase", help="run one sweep now and print each message it sent")
    p.add_argument(
        "--now",
        type=_instant,
        help="sweep as of this ISO 8601 instant with a zone, e.g. 2026-12-28T10:30:00-05:00",
    )
    p.set_defaults(run=_chase)

    p = sub.add_parser(
        "digest", help="build the weekly digest and post it (once per period), or print it"
    )
    p.add_argument(
        "--now",
        type=_instant,
        help="the digest of the 7 days ending at this ISO 8601 instant with a zone (default: "
        "the period that ended at the last scheduled digest time, as the scheduler sends it)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print the digest as text instead of posting it"
    )
    p.add_argument("--chart", metavar="FILE", help="also write the chart (PNG) to FILE")
    p.set_defaults(run=_digest)

    p = sub.add_parser(
        "calibrate",
        help="which rubric criteria predict acceptance and opportunities, with 95%% intervals",
    )
    _window_options(p)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--chart", metavar="FILE", help="also write the calibration chart (PNG)")
    p.set_defaults(run=_calibrate)

    p = sub.add_parser("rubric", help="try a proposed rubric on the stored answers")
    rubricsub = p.add_subparsers(required=True, metavar="ACTION")
    q = rubricsub.add_parser(
        "try",
        help="re-score the window's handoffs with FILE (a config file, read over the team's) "
        "and compare with the current rubric",
    )
    q.add_argument("file", metavar="FILE.toml")
    _window_options(q)
    q.add_argument("--chart", metavar="FILE", help="also draw the comparison (PNG)")
    q.set_defaults(run=_rubric_try)

    p = sub.add_parser(
        "export", help="write every handoff (answers, scores, decision, outcome) as CSV or JSONL"
    )
    p.add_argument(
        "--since",
        type=_since,
        help="handoffs submitted from this date (YYYY-MM-DD, UTC) or ISO 8601 instant",
    )
    p.add_argument(
        "--until",
        type=_until,
        help="…up to and including this date (YYYY-MM-DD, UTC), or before this ISO 8601 instant",
    )
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default: csv")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.add_argument(
        "--raw",
        action="store_true",
        help="CSV: write text as typed, even a cell a spreadsheet would run as a formula "
        "(by default such a cell starts with ')",
    )
    p.set_defaults(run=_export)

    p = sub.add_parser("people", help="who a booking tool's booker email is in Slack")
    peoplesub = p.add_subparsers(required=True, metavar="ACTION")
    q = peoplesub.add_parser("map", help="map EMAIL to a Slack user (overrides the lookup)")
    q.add_argument("email", type=_email)
    q.add_argument("user", type=_user_id, help="a user ID, e.g. U012AB3CD or @U012AB3CD")
    q.set_defaults(run=_people_map)
    q = peoplesub.add_parser("unmap", help="forget EMAIL's mapping (the lookup applies again)")
    q.add_argument("email", type=_email)
    q.set_defaults(run=_people_unmap)
    peoplesub.add_parser("list", help="every mapping, by hand or looked up").set_defaults(
        run=_people_list
    )

    p = sub.add_parser("webhooks", help="the outgoing webhooks' delivery log, and replays")
    hooksub = p.add_subparsers(required=True, metavar="ACTION")
    q = hooksub.add_parser("log", help="the latest deliveries: event, tries, last answer, state")
    q.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    q.set_defaults(run=_webhooks_log)
    q = hooksub.add_parser(
        "replay", help="send delivery ID again now: the same body and idempotency id"
    )
    q.add_argument("id", type=int, metavar="ID")
    q.set_defaults(run=_webhooks_replay)

    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(required=True, metavar="ACTION")
    dbsub.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)
    dbsub.add_parser("current", help="show the applied revision").set_defaults(run=_db_current)

    p = sub.add_parser("manifest", help="print the Slack app manifest as JSON")
    p.add_argument("--url", help="public base URL, e.g. https://handoff.example.com")
    p.add_argument("--socket-mode", action="store_true", help="manifest for Socket Mode")
    p.set_defaults(run=_manifest)

    p = sub.add_parser("demo", help="run the whole loop offline and show what people see")
    p.add_argument("--database", help="SQLite file (default: a temporary one)")
    p.set_defaults(run=_demo)
    return parser


def _start(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.has_slack:
        print("No SLACK_BOT_TOKEN set: running the offline demo. See README.md to connect Slack.\n")
        return _demo(args, settings)
    _db_upgrade(args, settings)
    return _serve(args, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.entrypoints.serve import serve_http, serve_socket_mode

    settings.require_slack()
    _database(settings, "migrated")
    scheduler = getattr(args, "scheduler", None)
    if scheduler is None:
        scheduler = settings.database_url.startswith("sqlite")
    if settings.app_token:
        serve_socket_mode(settings, scheduler=scheduler)
    else:
        serve_http(
            settings,
            workers=getattr(args, "workers", 2),
            threads=getattr(args, "threads", 8),
            scheduler=scheduler,
            json_logs=_log_format(args, settings) == logs.JSON,
        )
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.scheduler import run_blocking

    settings.require_slack()
    _database(settings, "migrated")
    run_blocking(settings, metrics_port=settings.metrics_port)
    return 0


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a zone, e.g. {text}Z or {text}-05:00")
    return at.astimezone(UTC)


def _date_or_instant(text: str, *, end_of_day: bool) -> datetime:
    """A bare date is a whole UTC day: its start, or (for --until) the start of the next."""
    from datetime import date, timedelta

    try:
        day = date.fromisoformat(text)
    except ValueError:
        return _instant(text)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1) if end_of_day else start


def _since(text: str) -> datetime:
    return _date_or_instant(text, end_of_day=False)


def _until(text: str) -> datetime:
    return _date_or_instant(text, end_of_day=True)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from storage.export import export_handoffs

    if args.since and args.until and args.since >= args.until:
        print("handoff export: --since must be before --until", file=sys.stderr)
        return 2
    to_file = bool(args.output) and args.output != "-"
    if to_file:
        _check_writable(args.output, "--output")
        _check_writable(args.output + ".part", "--output")
    _database(settings, "migrated")
    options = {"fmt": args.format, "since": args.since, "until": args.until, "raw": args.raw}
    if not to_file:
        count = export_handoffs(settings.database_url, sys.stdout, **options)
        sys.stdout.flush()
        where = "standard output"
    else:
        # Written aside and renamed at the end: a failed export leaves no half file behind.
        partial = args.output + ".part"
        try:
            with open(partial, "w", encoding="utf-8", newline="") as out:
                count = export_handoffs(settings.database_url, out, **options)
            os.replace(partial, args.output)
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise
        where = args.output
    print(f"handoff export: {count} handoffs as {args.format} to {where}", file=sys.stderr)
    return 0


def _chase(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from bot.jobs.scheduler import sweep_once
    from bot.services import make_services

    settings.require_slack()
    _database(settings, "migrated")
    services = make_services(settings)
    if args.now is not None:
        services = replace(services, now=lambda: args.now)
    try:
        report = sweep_once(services)
    finally:
        services.engine.dispose()
    for line in report.lines():
        print(line)
    summary = report.skipped or f"{len(report.lines())} sent"
    print(f"handoff chase: {summary}", file=sys.stderr)
    return 0


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    import time
    from pathlib import Path

    from bot.jobs import weekly_digest as weekly
    from bot.services import make_services
    from bot.surfaces.textview import blocks_to_text

    if args.chart:
        _check_writable(args.chart, "--chart")
    if not args.dry_run:
        settings.require_slack()
        if not weekly.destinations(settings, settings.config):
            raise SettingsError(
                "the digest has nowhere to go: set HANDOFF_DIGEST_CHANNEL (a channel ID), or "
                "HANDOFF_MANAGERS with [digest] dm_managers = true"
            )
    _database(settings, "migrated")
    services = make_services(settings)
    now = args.now or services.now()
    services.now = lambda: now
    period = (
        weekly.period_ending(settings.config, args.now)
        if args.now is not None
        else weekly.last_period(settings.config, now)
    )
    started = time.monotonic()
    try:
        if args.dry_run:
            message, png, _ = weekly.dry_run(services, period)
            print(blocks_to_text(message["blocks"], {}))
            where = ""
            if args.chart:
                Path(args.chart).write_bytes(png)
                where = f", written to {args.chart}"
            print(f"\n[chart: PNG of {len(png):,} bytes{where}]")
            took = time.monotonic() - started
            print(f"handoff digest: dry run, nothing posted ({took:.2f}s)", file=sys.stderr)
            return 0
        report = weekly.send_digest(services, period, now=now)
    finally:
        services.engine.dispose()
    for line in report.lines(settings.config):
        print(line)
    if report.error:
        print(f"handoff digest: stopped: {report.error}; run it again to finish", file=sys.stderr)
        return 1
    if report.skipped:
        print(f"handoff digest: nothing posted: {report.skipped}", file=sys.stderr)
        return 0
    print(f"handoff digest: {len(report.deliveries)} sent", file=sys.stderr)
    return 0


def _weeks(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= 104:
        raise argparse.ArgumentTypeError(f"give a whole number of weeks from 1 to 104: {text!r}")
    return weeks


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--weeks",
        type=_weeks,
        help="how many weeks back (default: [digest] calibration_weeks, 13 unless set)",
    )
    p.add_argument(
        "--now",
        type=_instant,
        help="the window ends at this ISO 8601 instant with a zone (default: now)",
    )


def _tuning_services(args: argparse.Namespace, settings: Settings) -> tuple[Any, datetime, int]:
    from bot.services import make_services

    if args.chart:
        _check_writable(args.chart, "--chart")
    _database(settings, "migrated")
    services = make_services(settings)
    now = args.now or services.now()
    return services, now, args.weeks or settings.config.digest.calibration_weeks


def _calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.jobs.tuning import calibrate
    from bot.surfaces import calibration_report as report
    from bot.surfaces.calibration_chart import calibration_chart

    services, now, weeks = _tuning_services(args, settings)
    try:
        found = calibrate(services, now, weeks)
    finally:
        services.close()
    config = settings.config
    if args.format == "json":
        print(report.calibrate_json(found.ranking, found.advice, config))
    elif args.format == "csv":
        sys.stdout.write(report.calibrate_csv(found.ranking, config))
    else:
        print(report.calibrate_text(found.ranking, found.advice, config))
    if args.chart:
        Path(args.chart).write_bytes(calibration_chart(found.ranking, config.rubric.labels))
        print(f"handoff calibrate: chart written to {args.chart}", file=sys.stderr)
    return 0


def _rubric_try(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.jobs.tuning import try_rubric, window
    from bot.surfaces.calibration_chart import replay_chart
    from bot.surfaces.calibration_report import replay_text, window_text
    from handoff.config import ConfigError, load_config

    try:
        proposed = load_config(settings.config_path, args.file)
    except ConfigError as exc:
        print(f"handoff rubric try: {exc}", file=sys.stderr)
        return 2
    services, now, weeks = _tuning_services(args, settings)
    try:
        result = try_rubric(services, proposed, now, weeks)
    finally:
        services.close()
    config = settings.config
    print(replay_text(result, window_text(window(config, now, weeks), weeks, config.policy.zone)))
    if args.chart:
        Path(args.chart).write_bytes(replay_chart(result))
        print(f"handoff rubric try: chart written to {args.chart}", file=sys.stderr)
    return 0


def _email(text: str) -> str:
    text = text.strip().lower()
    if "@" not in text.strip("@") or " " in text:
        raise argparse.ArgumentTypeError(f"not an email address: {text!r}")
    return text


def _user_id(text: str) -> str:
    import re

    found = re.fullmatch(r"<?@?([UW][A-Z0-9]{2,31})(\|[^>]*)?>?", text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(
            f"give the Slack user ID (profile → ⋯ → Copy member ID), e.g. U012AB3CD; got {text!r}"
        )
    return found.group(1)


def _people_services(settings: Settings) -> Any:
    from bot.services import make_services

    if not settings.bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is not set: the workspace is read from it")
    _database(settings, "migrated")
    return make_services(settings)


def _people_map(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.booking_intake import asks
    from storage.bookings import MANUAL

    services = _people_services(settings)
    try:
        team, now = services.installed_team(), services.now()
        with services.uow() as uow:
            uow.people.remember(team, args.email, args.user, how=MANUAL, now=now)
            given = uow.bookings.assign(team, args.email, args.user, now=now)
            for booking in given:
                uow.outbox.add(asks(booking), now=now)
    finally:
        services.db.close()
    print(f"{args.email} → {args.user}")
    if given:
        print(
            f"handoff people: {len(given)} booking(s) waiting for this booker assigned; "
            "the DMs go out with the next sweep",
            file=sys.stderr,
        )
    return 0


def _people_unmap(args: argparse.Namespace, settings: Settings) -> int:
    services = _people_services(settings)
    try:
        team = services.installed_team()  # asked of Slack before the transaction opens
        with services.uow() as uow:
            forgotten = uow.people.forget(team, args.email)
    finally:
        services.db.close()
    if not forgotten:
        print(f"handoff people: {args.email} was not mapped", file=sys.stderr)
        return 1
    print(f"{args.email} unmapped")
    return 0


def _people_list(args: argparse.Namespace, settings: Settings) -> int:
    services = _people_services(settings)
    try:
        team = services.installed_team()
        with services.uow(read_only=True) as uow:
            people = uow.people.all(team)
    finally:
        services.db.close()
    for person in people:
        print(f"{person.email}\t{person.user_id}\t{person.how}")
    print(f"handoff people: {len(people)} mapped", file=sys.stderr)
    return 0


def _webhooks_log(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import make_services

    _database(settings, "migrated")
    services = make_services(settings)
    try:
        with services.uow(read_only=True) as uow:
            deliveries = uow.webhooks.latest(max(args.limit, 1))
    finally:
        services.db.close()
    for d in deliveries:
        answer = d.last_status if d.last_status is not None else (d.last_error or "-")
        print(
            f"{d.id}\t{d.created_at.isoformat()}\t{d.webhook}\t{d.event}\t"
            f"handoff #{d.handoff_id}\t{d.attempts} tries\t{answer}\t{d.state}"
        )
    print(f"handoff webhooks: {len(deliveries)} shown", file=sys.stderr)
    return 0


def _webhooks_replay(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.pacing import Slack
    from bot.delivery.sender import deliver
    from bot.services import make_services
    from handoff.effects import Effect
    from handoff.model import MessageKind

    _database(settings, "migrated")
    services = make_services(settings)
    try:
        now = services.now()
        with services.uow() as uow:
            delivery = uow.webhooks.rearm(args.id, now=now)
            if delivery is not None:
                kind = MessageKind.WEBHOOK
                effect = Effect(kind, delivery.team_id, delivery.handoff_id, level=delivery.id)
                uow.outbox.add([effect], now=now)
            written = list(uow.outbox.written)
        if delivery is None:
            print(f"handoff webhooks: no delivery {args.id}", file=sys.stderr)
            return 1
        deliver(services, written, Slack.immediate(services.client))
        with services.uow(read_only=True) as uow:
            after = uow.webhooks.get(args.id)
    finally:
        services.db.close()
    assert after is not None
    answer = after.last_status if after.last_status is not None else after.last_error
    print(f"{after.id}\t{after.webhook}\t{after.event}\t{answer}\t{after.state}")
    return 0 if after.state == "delivered" else 1


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current, upgrade

    _database(settings, "create")
    upgrade(settings.database_url)
    print(f"database at revision {current(settings.database_url)}")
    return 0


def _db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current

    _database(settings, "existing")
    print(current(settings.database_url) or "empty (run `handoff db upgrade`)")
    return 0


def _check_writable(path: str, option: str) -> None:
    """Fail now, in one line, rather than after the work when the file cannot be written."""
    import os

    existed = os.path.lexists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise SettingsError(
            f"{option} {path}: cannot write there ({exc.strerror}); give a writable file path"
        ) from None
    if not existed:
        os.remove(path)


def _database(settings: Settings, need: str) -> None:
    """What the command needs of the database, checked before it starts (one line if not)."""
    from bot.entrypoints.preflight import Need, check_database

    check_database(settings.database_url, Need(need))


def _manifest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.entrypoints.manifest import build_manifest

    print(json.dumps(build_manifest(args.url, socket_mode=args.socket_mode), indent=2))
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.walkthrough import run_demo

    return run_demo(settings, database=getattr(args, "database", None))


if __name__ == "__main__":
    sys.exit(main())
