"""The servers the ack benchmark loads, and the database the real app runs on.

The app is the real ``handoff serve`` command; the bare app is ``bench/bare_app.py`` under
gunicorn with the same settings. Each logs to a file in the benchmark's folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Settings the servers take from the benchmark only, never from the caller's shell.
OWN = ("SLACK_", "HANDOFF_", "DATABASE_URL", "PORT", "GUNICORN_CMD_ARGS")


@contextmanager
def fresh_database(url: str | None, folder: Path) -> Iterator[str]:
    """A migrated database of the benchmark's own: a SQLite file in ``folder``, or a new
    schema in the PostgreSQL database ``url``, dropped afterwards (the database may be shared).
    """
    from storage.migrate import upgrade

    if not url:
        url = f"sqlite:///{folder / 'bench-ack.db'}"
        upgrade(url)
        yield url
        return
    import psycopg

    schema = "bench_ack_" + uuid.uuid4().hex[:8]
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        scoped = url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
        upgrade(scoped)
        yield scoped
    finally:
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def libpq(url: str) -> str:
    """The URL as libpq reads it: SQLAlchemy's ``+driver`` taken out."""
    scheme, rest = url.split("://", 1)
    return scheme.split("+", 1)[0] + "://" + rest


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def wait_ready(self, ready: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log}")
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer in {timeout:.0f}s; see {self.log}")

    def workers(self) -> list[int]:
        """The gunicorn workers: the children of the master (the process started)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: the fields follow it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (the peak resident set) of each worker, in MB."""
        peaks = {}
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1]) / 1024
        return peaks

    def log_problems(self) -> int:
        """Tracebacks in the server's log so far."""
        return self.log.read_text(errors="replace").count("Traceback")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_app(
    env: dict[str, str], folder: Path, *, workers: int, threads: int, name: str = "app"
) -> Server:
    """``handoff serve --no-scheduler`` on a free port, run from ``folder`` (no .env there)."""
    port = free_port()
    handoff = Path(sys.executable).with_name("handoff")
    command = [str(handoff), "serve", "--workers", str(workers), "--threads", str(threads)]
    return _start(name, [*command, "--no-scheduler"], {**env, "PORT": str(port)}, folder, port)


def start_bare(secret: str, api_url: str, folder: Path, *, workers: int, threads: int) -> Server:
    """``bench/bare_app.py`` under gunicorn, with ``handoff serve``'s settings."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.bare_app:wsgi",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--graceful-timeout",
        "20",
        "--timeout",
        "30",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--name",
        "handoff-bare",
    ]
    return _start(
        "bare", command, {"SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api_url}, folder, port
    )


def _start(name: str, command: list[str], env: dict[str, str], folder: Path, port: int) -> Server:
    log = folder / f"{name}.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OWN)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=folder, env={**clean, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    return Server(name, proc, port, log)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
