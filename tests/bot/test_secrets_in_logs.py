"""No secret reaches a log, whatever fails: every logger captured at DEBUG, every record read
whole (message, arguments, exception and its traceback), and every record as production
writes it: one JSON object per line, with the fields bound to its request.

The secrets are the bot token, the app-level token, the signing secret and the database
password (on PostgreSQL, which accepts any password here). What people typed (a contact email,
the pain text) must not reach a log through SQL either: engines hide bound parameters. (At
DEBUG, slack_sdk logs the messages it sends, which quote what people typed; that is Slack's
client, not SQL.)
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import make_url, text

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.entrypoints.web import create_wsgi
from bot.ids import COMMAND
from bot.jobs.scheduler import sweep_job
from bot.observability import logs
from slack_standin import SlackSender
from storage.db import make_engine
from storage.uow import Database
from tests.support.postgres import POSTGRES_URL
from tests.support.raw_http import raw_request
from tests.support.slack_app import SDR, SECRET, Harness, wizard_values

BOT_TOKEN = "xoxb-1111-2222-aSecretBotToken"
APP_TOKEN = "xapp-1-A0111-3333-aSecretAppToken"
DB_PASSWORD = "aSecretDbPassword"
SECRETS = (BOT_TOKEN, "aSecretBotToken", APP_TOKEN, "aSecretAppToken", SECRET, DB_PASSWORD)
EMAIL = "dana.private@acme-robotics.example"
PAIN = "Private pain: unplanned downtime costs them 40 hours a month."
TYPED = (EMAIL, PAIN)


def with_password(url: str) -> str:
    if not url.startswith("postgresql"):
        return url  # SQLite has none
    return make_url(url).set(password=DB_PASSWORD).render_as_string(hide_password=False)


@pytest.fixture
def harness_env(database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "DATABASE_URL": with_password(database_url),
    }


@pytest.fixture(autouse=True)
def every_log_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Set before the harness starts, so its start-up is read too."""
    caplog.set_level(logging.DEBUG)
    yield


@pytest.fixture(autouse=True)
def json_log(every_log_at_debug: None) -> Iterator[io.StringIO]:
    """Every record through the JSON formatter, formatted in the thread that logged it (so
    with that thread's bound fields), as `handoff serve` writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.json_formatter())
    logging.getLogger().addHandler(handler)
    yield out
    logging.getLogger().removeHandler(handler)


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record as all the text it carries."""
    formatter = logging.Formatter()
    texts = []
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        parts = [str(record.msg), repr(record.args), record.getMessage()]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        texts.append("\n".join(parts))
    return texts


def json_records(json_log: io.StringIO) -> list[str]:
    """Each JSON line, checked to be one object, as the text it carries."""
    lines = json_log.getvalue().splitlines()
    assert lines, "nothing was logged as JSON: the capture is not working"
    for line in lines:
        assert isinstance(json.loads(line), dict), line
    return lines


def assert_nothing_leaked(
    caplog: pytest.LogCaptureFixture, json_log: io.StringIO, *kept: str
) -> None:
    texts = logged(caplog)
    assert texts, "nothing was logged: the capture is not working"
    texts += json_records(json_log)
    for secret in kept:
        leaks = [t[:300] for t in texts if secret in t]
        assert not leaks, f"{secret!r} reached a log: {leaks[0]}"


def assert_no_sql_values(caplog: pytest.LogCaptureFixture, json_log: io.StringIO) -> None:
    texts = logged(caplog) + json_records(json_log)
    sql = [t for t in texts if "[SQL" in t or "INSERT INTO" in t]
    assert sql, "no SQL was logged: the database error did not happen"
    for value in TYPED:
        leaks = [t[:300] for t in sql if value in t]
        assert not leaks, f"{value!r} reached a log with the SQL: {leaks[0]}"


def refuse_inserts(harness: Harness, table: str) -> None:
    """Every INSERT into `table` fails inside the database, as a broken database would."""
    with harness.services.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
        )
        conn.execute(
            text(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )


def test_settings_never_show_a_secret(harness: Harness) -> None:
    shown = repr(harness.services.settings) + str(harness.services.settings)
    shown += repr(harness.services)
    for secret in SECRETS:
        assert secret not in shown
    assert "xoxb-***" in shown and "xapp-***" in shown


def test_bad_requests(
    harness: Harness, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    url = harness.url + "/slack/events"
    other = SlackSender(url, "another-apps-secret", harness.standin)
    assert other.slash_command(SDR, COMMAND, "Acme").status == 401
    assert harness.slack.send_raw(b'payload={"type":"block_', "application/json").status == 400
    headers = [("Content-Type", "text/plain"), ("Content-Length", "5")]
    assert raw_request(url, headers, b"hello").status == 401
    assert_nothing_leaked(caplog, json_log, *SECRETS)


def test_slack_api_errors(
    harness: Harness, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    harness.standin.fail_next("views.open", status=200, error="invalid_auth")
    harness.slack.slash_command(SDR, COMMAND, "Acme")
    harness.standin.wait_for("views.open")
    harness.standin.fail_next("chat.postMessage", status=500, error="internal_error")
    harness.send(harness.open_form(), wizard_values(contact_email=EMAIL, pain=PAIN))
    harness.wait_until(lambda: len(harness.standin.calls("chat.postMessage")) == 1)
    harness.wait_until(lambda: any("not sent (internal_error)" in t for t in logged(caplog)))
    assert_nothing_leaked(caplog, json_log, *SECRETS)


def test_a_database_error_inside_a_listener(
    harness: Harness, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    """The submission's INSERT fails: the listener crashes with the SQL in its error."""
    view = harness.open_form()
    refuse_inserts(harness, "handoffs")
    with pytest.raises(AssertionError, match="HTTP 500"):
        harness.send(view, wizard_values(contact_email=EMAIL, pain=PAIN))
    texts = logged(caplog)
    assert any("refused" in t and "INSERT INTO handoffs" in t for t in texts)
    assert any("parameters hidden" in t for t in texts)
    assert_nothing_leaked(caplog, json_log, *SECRETS)
    assert_no_sql_values(caplog, json_log)


def test_a_crash_inside_a_listener(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
    json_log: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the client broke")

    monkeypatch.setattr(harness.services.client, "views_open", broken)
    harness.slack.slash_command(SDR, COMMAND, "Acme")
    harness.wait_until(lambda: any("the client broke" in t for t in logged(caplog)))
    assert_nothing_leaked(caplog, json_log, *SECRETS)


def test_a_failing_job(
    harness: Harness, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    """A sweep whose database is gone, password and all: the job logs why it failed."""
    engine = make_engine(_gone_postgres())
    services = replace(harness.services, db=Database(engine), pool=None)
    sweep_job(services)
    engine.dispose()
    assert any("job sweep failed" in t and "Connection refused" in t for t in logged(caplog))
    assert_nothing_leaked(caplog, json_log, *SECRETS)


def test_a_database_that_does_not_answer(
    harness: Harness, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    """The health check against a PostgreSQL that is not there, password and all."""
    engine = make_engine(_gone_postgres())
    app = build_app(harness.services, verify_token=False)
    with LocalServer(create_wsgi(app, engine)) as server:
        assert raw_request(server.url + "/healthz", [], method="GET").status == 503
    engine.dispose()
    assert any("database does not answer" in t for t in logged(caplog))
    assert_nothing_leaked(caplog, json_log, *SECRETS)


def _gone_postgres() -> str:
    """A PostgreSQL URL with the password in it, on a port where nothing listens."""
    gone = make_url(POSTGRES_URL).set(password=DB_PASSWORD, port=1)
    return gone.render_as_string(hide_password=False)


def test_json_lines_mask_a_token_and_drop_unknown_fields(json_log: io.StringIO) -> None:
    """Belt and braces, should a library ever log one: a token-shaped text is masked,
    and what a caller passes as `extra` beyond the known fields (a payload) is left out."""
    logs.start(request_id="r-1", user=SDR)
    logging.getLogger("slack_sdk.web").warning(
        "sending with %s", BOT_TOKEN, extra={"body": PAIN, "team": "T0TEAM"}
    )
    logs.start()
    [record] = [json.loads(line) for line in json_records(json_log)]
    assert record["message"] == "sending with xoxb-***"
    assert (record["request_id"], record["user"], record["team"]) == ("r-1", SDR, "T0TEAM")
    assert "body" not in record and PAIN not in json_log.getvalue()
    assert "aSecretBotToken" not in json_log.getvalue()
