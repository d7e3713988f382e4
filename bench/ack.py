"""Benchmark: the ack path, the real app against a Bolt app that only acks (scripts/bench-ack).

    .venv/bin/python bench/ack.py                                # concurrency 16, 300 requests
    .venv/bin/python bench/ack.py --concurrency 1 16 64 --json
    .venv/bin/python bench/ack.py --database postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/ack.py --rss-rows 1000000             # minutes: generates the rows

Two servers with the same gunicorn settings: `handoff serve --no-scheduler` on a fresh
database, and bench/bare_app.py, which only acks. Both get the same signed requests, built by
the project's own payload builders: /handoff, Next on the wizard's first step, Reject and
Accept on briefs walked through the real wizard beforehand (one brief per click). For each
kind, concurrency and server it prints the ack's latency and throughput, then how long the
app took until every request's effects reached the Slack stand-in, the Web API calls of one
lifecycle of each kind, and the web workers' peak RSS. It measures; it does not judge.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ack_kinds import (  # noqa: E402
    AE_CHANNEL,
    Calls,
    Clicks,
    Kind,
    SlashCommands,
    WizardSteps,
    company,
    deciders,
    wait_effects,
)
from bench.ack_lifecycles import lifecycles  # noqa: E402
from bench.ack_load import Run, TimedSender, TimedStandIn, run_load  # noqa: E402
from bench.ack_prepare import RETRIED, open_wizards, prepare_briefs, quiet  # noqa: E402
from bench.ack_profile import Profiler  # noqa: E402
from bench.ack_report import render, summary  # noqa: E402
from bench.ack_rss import measure_rss  # noqa: E402
from bench.ack_servers import Server, fresh_database, start_app, start_bare  # noqa: E402
from bot.ids import Action  # noqa: E402

KINDS = ("/handoff", "wizard step", "Reject", "Accept")
# The stand-in's listen backlog: Slack never refuses a connection, so neither should it.
ThreadingHTTPServer.request_queue_size = 256


def log(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def app_env(standin: TimedStandIn, secret: str, url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-bench-ack",
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.base_url,
        "DATABASE_URL": url,
        "HANDOFF_AE_CHANNEL": AE_CHANNEL,
    }


def ready(server: Server, sender: TimedSender) -> None:
    server.wait_ready(lambda: sender.url_verification("ready").status == 200)


class Level:
    """Every kind at one concurrency: the bare app first (it changes nothing), then the app."""

    def __init__(
        self,
        args: argparse.Namespace,
        standin: TimedStandIn,
        app: TimedSender,
        bare: TimedSender,
        server: Server,
    ) -> None:
        self.args, self.standin, self.app, self.bare = args, standin, app, bare
        self.server = server  # the app's, for --profile
        self.profile: dict[str, Any] = {}

    def run(self, concurrency: int) -> list[dict[str, Any]]:
        n, tag, kinds = self.args.requests, f"C{concurrency}", self.args.kinds
        rows = []
        briefs = []
        if {"Accept", "Reject"} & set(kinds):
            log(f"concurrency {concurrency}: {n} handoffs through the wizard …")
            briefs = prepare_briefs(self.standin, self.app, n, tag)
        commands = SlashCommands(tag)
        wizards: list[tuple[str, str, str]] = []
        if "/handoff" in kinds:
            row, app_run = self.measure(commands, concurrency)
            rows.append(row)
            wizards = commands.opened(app_run, Calls(self.standin))[:n]
        if "wizard step" in kinds:
            more = [(commands.user(i), company(tag, i)) for i in range(n, 2 * n - len(wizards))]
            wizards += open_wizards(self.standin, self.app, more)
            rows.append(self.measure(WizardSteps(self.standin, self.app, wizards), concurrency)[0])
        for action in (Action.REJECT, Action.ACCEPT):
            clicks = Clicks(action, briefs, tag)
            if clicks.name in kinds:
                rows.append(self.measure(clicks, concurrency)[0])
        return rows

    def measure(self, kind: Kind, concurrency: int) -> tuple[dict[str, Any], Run]:
        n = self.args.requests
        log(f"concurrency {concurrency}: {n} × {kind.name} to the bare app …")
        bare = run_load(
            self.bare,
            lambda i: kind.send(self.bare, i),
            n,
            concurrency,
            kind=kind.name,
            server="bare",
        )
        log(f"concurrency {concurrency}: {n} × {kind.name} to the app …")
        profiler = None
        if self.args.profile and kind.name == "Accept" and not self.profile:
            profiler = Profiler(self.server.workers(), self.server.log.parent)
        app = run_load(
            self.app,
            lambda i: kind.send(self.app, i),
            n,
            concurrency,
            kind=kind.name,
            server="app",
        )
        if profiler is not None:
            self.profile = {"concurrency": concurrency, "threads": profiler.stop()}
        kind.after(app)
        effects = wait_effects(kind, app, self.standin, self.args.effects_timeout)
        load = self.standin.load_between(app.started, app.ended + effects["waited_s"])
        quiet(self.standin)  # nothing of this run still going when the next one starts
        b, a = bare.stats(), app.stats()
        row = {
            "kind": kind.name,
            "concurrency": concurrency,
            "bare": b,
            "app": a,
            "ratio": {
                "p99": a["p99_ms"] / b["p99_ms"] if b["p99_ms"] else 0.0,
                "req_per_s": a["req_per_s"] / b["req_per_s"] if b["req_per_s"] else 0.0,
            },
            "effects": summary(effects),
            "standin": load,
            "errors": (bare.errors + app.errors)[:5],
        }
        log(
            f"  p99 bare {b['p99_ms']:.0f} ms, app {a['p99_ms']:.0f} ms; "
            f"effects {effects['delivered']}/{effects['of']}"
        )
        return row, app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[16],
        metavar="C",
        help="requests in flight, one run per value (default 16; e.g. 1 16 64)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=300,
        metavar="N",
        help="requests per kind, concurrency and server (default 300; 0: no runs)",
    )
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="PostgreSQL URL: the app gets a schema of its own there, dropped "
        "after (default: a fresh SQLite file)",
    )
    parser.add_argument(
        "--effects-timeout",
        type=float,
        default=120,
        metavar="S",
        help="how long to wait for a run's effects (default 120 s)",
    )
    parser.add_argument(
        "--rss-rows",
        type=int,
        default=0,
        metavar="ROWS",
        help="also measure the workers' peak RSS with ROWS handoffs stored, "
        "e.g. 1000000 (generating takes minutes)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the app's workers with py-spy during the first Accept run",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the figures as JSON (the table goes to standard error)",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-ack-"))
    log(f"servers' logs and the database in {folder}")
    secret = secrets.token_hex(16)
    report: dict[str, Any] = {
        "setup": {
            "requests": args.requests,
            "workers": args.workers,
            "threads": args.threads,
            "database": "PostgreSQL" if args.database else "SQLite",
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": os.getloadavg(),
        },
        "runs": [],
        "lifecycles": {},
        "rss": {},
        "profile": {},
    }
    with TimedStandIn() as standin, fresh_database(args.database, folder) as url:
        tags = ["L", *(f"C{c}" for c in args.concurrency)]
        standin.add_channel(AE_CHANNEL, "ae-desk", members=deciders(tags, args.requests))
        size = {"workers": args.workers, "threads": args.threads}
        app = start_app(app_env(standin, secret, url), folder, **size)
        bare = start_bare(secret, standin.base_url, folder, **size)
        try:
            app_sender = TimedSender(app.url, secret, standin, timeout=30)
            bare_sender = TimedSender(bare.url, secret, standin, timeout=30)
            ready(app, app_sender)
            ready(bare, bare_sender)
            log("one lifecycle of each kind, alone …")
            alone = time.monotonic()
            report["lifecycles"] = lifecycles(standin, app_sender)
            report["standin_alone"] = standin.load_between(alone, time.monotonic())
            level = Level(args, standin, app_sender, bare_sender, app)
            for concurrency in args.concurrency if args.requests else []:
                report["runs"] += level.run(concurrency)
            report["profile"] = level.profile
            report["rss"]["after the runs (empty database at start)"] = app.peak_rss_mb()
            report["setup"]["app_log_tracebacks"] = app.log_problems()
            report["setup"]["preparation_retries"] = len(RETRIED)
            report["setup"]["preparation_retried"] = RETRIED[:20]
            report["setup"]["problems_found_by_the_standin"] = standin.problems[:10]
        finally:
            app.stop()
            bare.stop()
    if args.rss_rows:
        env = lambda s, u: app_env(s, secret, u)  # noqa: E731
        peaks, report["rss_notes"] = measure_rss(args, env, folder, secret, log)
        report["rss"].update(peaks)
    report["setup"]["load_average_after"] = os.getloadavg()
    table = render(report)
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(report, indent=2, default=str))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
