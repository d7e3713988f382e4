"""The ack benchmark's figures as plain-text tables. It prints them; it does not judge them,
except to say when the Slack side (stand-in and load generator) may have held the app back."""

from __future__ import annotations

from typing import Any

from bench.ack_load import percentile
from bench.ack_profile import render as render_profile

# Past these the Slack side, not the app, may be what the figures show.
STANDIN_BUSY = 0.7  # share of a run the stand-in (one call at a time) was serving
BENCH_CPU = 0.8  # share of one core the load generator and stand-in process used


def summary(effects: dict[str, Any]) -> dict[str, Any]:
    """The effects of one run without the per-request list."""
    delays = effects["from_send_ms"]
    brief = {k: v for k, v in effects.items() if k != "from_send_ms"}
    brief["from_send_p50_ms"] = percentile(delays, 50)
    brief["from_send_p99_ms"] = percentile(delays, 99)
    return brief


def render(report: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    setup = report["setup"]
    add(
        f"ack path: {setup['requests']} requests per row, gunicorn gthread "
        f"{setup['workers']} workers x {setup['threads']} threads, database {setup['database']}"
    )
    if setup.get("preparation_retries"):
        add(
            f"While preparing, {setup['preparation_retries']} wizards were walked again, e.g. "
            + "; ".join(setup["preparation_retried"][:2])
        )
    add("")
    add("The ack: time to the HTTP answer, as Slack waits for it")
    head = (
        f"{'kind':<12} {'conc':>4}  {'server':<9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'req/s':>8} {'>3s':>5} {'!200':>5}"
    )
    add(head)
    add("-" * len(head))
    for row in report["runs"]:
        for server in ("bare", "app"):
            s = row[server]
            add(
                f"{row['kind']:<12} {row['concurrency']:>4}  {server:<9} {s['p50_ms']:>8.1f} "
                f"{s['p95_ms']:>8.1f} {s['p99_ms']:>8.1f} {s['max_ms']:>8.1f} "
                f"{s['req_per_s']:>8.1f} {s['over_3s']:>5} {s['not_200']:>5}"
            )
        ratio = row["ratio"]
        add(
            f"{'':<12} {'':>4}  {'app/bare':<9} {'':>8} {'':>8} {ratio['p99']:>7.2f}x "
            f"{'':>8} {ratio['req_per_s']:>7.2f}x"
        )
    add("")
    add("Every request's effects reaching Slack (the app's runs)")
    head = (
        f"{'kind':<12} {'conc':>4}  {'delivered':>9}  {'last after last ack':>19}  "
        f"{'from send p50':>13} {'p99':>9}  never"
    )
    add(head)
    add("-" * len(head))
    for row in report["runs"]:
        e = row["effects"]
        last = "-" if e["last_after_ack_s"] is None else f"{e['last_after_ack_s']:.2f} s"
        if e["missing"]:
            last += f" (gave up after {e['waited_s']:.0f} s)"
        lost = ", ".join(f"{n} {why}" for why, n in e["lost"].items()) or "-"
        add(
            f"{row['kind']:<12} {row['concurrency']:>4}  {e['delivered']:>4}/{e['of']:<4}  "
            f"{last:>19}  {e['from_send_p50_ms']:>10.0f} ms {e['from_send_p99_ms']:>6.0f} ms  "
            f"{lost}"
        )
    add("")
    add("The Slack side: the stand-in during the app's runs (it serves one call at a time),")
    add("and the CPU this process (load generator and stand-in) used, in share of one core")
    head = (
        f"{'kind':<12} {'conc':>4}  {'calls':>6} {'held p50':>9} {'held p99':>9} "
        f"{'waited p99':>11} {'busy':>6}  {'CPU bare':>8} {'CPU app':>8}"
    )
    add(head)
    add("-" * len(head))
    worst_busy = worst_cpu = 0.0
    for row in report["runs"]:
        st, bare, app = row["standin"], row["bare"]["bench_cpu"], row["app"]["bench_cpu"]
        worst_busy, worst_cpu = max(worst_busy, st["busy"]), max(worst_cpu, bare, app)
        add(
            f"{row['kind']:<12} {row['concurrency']:>4}  {st['calls']:>6} "
            f"{st['held_p50_ms']:>6.1f} ms {st['held_p99_ms']:>6.1f} ms "
            f"{st['waited_p99_ms']:>8.1f} ms {st['busy']:>6.0%}  {bare:>8.0%} {app:>8.0%}"
        )
    alone = report["standin_alone"]
    add(
        f"Alone (the lifecycles below), a call held the stand-in {alone['held_p50_ms']:.1f} ms "
        f"at the median, {alone['held_p99_ms']:.1f} ms at p99."
    )
    if worst_busy > STANDIN_BUSY or worst_cpu > BENCH_CPU:
        add(
            f"WARNING: the Slack side may be the bottleneck (stand-in busy up to "
            f"{worst_busy:.0%} of a run, this process up to {worst_cpu:.0%} of a core)"
        )
    else:
        add(
            f"The stand-in was busy at most {worst_busy:.0%} of a run and this process used at "
            f"most {worst_cpu:.0%} of a core: the Slack side was not the bottleneck."
        )
    add("")
    add("Web API calls per lifecycle (each played alone)")
    for name, counted in report["lifecycles"].items():
        calls = counted["calls"]
        listed = ", ".join(f"{m} {n}" for m, n in calls.items())
        add(f"  {name}: {sum(calls.values())} calls in {counted['seconds']:.2f} s: {listed}")
    add("")
    add("Peak RSS (VmHWM) of the app's web workers")
    for label, peaks in report["rss"].items():
        shown = ", ".join(f"{mb:.0f} MB" for mb in peaks.values()) or "-"
        add(f"  {label}: {shown}")
    for note in report.get("rss_notes", []):
        add(f"  ({note})")
    if report["profile"]:
        add("")
        conc = report["profile"]["concurrency"]
        add(f"Where the app's web workers spent the Accept run at concurrency {conc} (py-spy)")
        lines += render_profile(report["profile"]["threads"])
    return "\n".join(lines)
