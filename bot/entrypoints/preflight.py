"""Before a command uses the database: can DATABASE_URL be read, is the database there, does it
answer, is it migrated? Each "no" is one line naming the fix (a SettingsError).

A SQLite file is created only by the commands meant to create one (`handoff db upgrade`,
`handoff start`); anywhere else a missing file is a mistyped path, not a new database.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, ProgrammingError, SQLAlchemyError

from bot.settings import SettingsError, mask_url
from storage.db import make_engine
from storage.migrate import head, known

UPGRADE = "run `handoff db upgrade`"
CONNECT_TIMEOUT_SECONDS = 10


class Need(Enum):
    CREATE = "create"  # may create the SQLite file: db upgrade, start
    EXISTING = "existing"  # must exist and answer: db current
    MIGRATED = "migrated"  # and be at this version's head: everything else


def check_database(url: str, need: Need) -> None:
    shown = mask_url(url)
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None:
        _check_sqlite_file(sqlite_file, need)
    try:
        engine = _engine(url)
    except NoSuchModuleError:
        raise _unusable(shown, "an unknown database kind or driver") from None
    except (ArgumentError, ValueError):
        raise _unusable(shown, "it cannot be parsed") from None
    except ImportError as exc:
        raise SettingsError(
            f"DATABASE_URL needs a driver that is not installed ({exc.name}): "
            "install handoff-bot[postgres]"
        ) from None
    try:
        revision = _revision(engine)
    except ProgrammingError as exc:  # the server's driver refused the URL's options
        raise _unusable(shown, _first_line(exc)) from None
    except SQLAlchemyError as exc:
        raise SettingsError(
            f"DATABASE_URL: cannot connect to the database at {shown} ({_first_line(exc)}): "
            "check that it is running and that the URL is right"
        ) from None
    finally:
        engine.dispose()
    if need is Need.MIGRATED:
        _check_revision(revision, shown)


def _unusable(shown: str, why: str) -> SettingsError:
    return SettingsError(
        f"DATABASE_URL {shown} cannot be used ({why}): write it as "
        "postgresql://user:password@host:5432/name or sqlite:///path/to/handoff.db"
    )


def _sqlite_file(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).absolute()


def _check_sqlite_file(path: Path, need: Need) -> None:
    if path.is_file():
        return
    if path.exists():
        raise SettingsError(f"DATABASE_URL: {path} is not a file: point it at a SQLite file")
    if need is not Need.CREATE:
        raise SettingsError(
            f"DATABASE_URL: there is no SQLite database at {path}: check the path, "
            f"or create one there ({UPGRADE})"
        )
    if not path.parent.is_dir():
        raise SettingsError(
            f"DATABASE_URL: cannot create {path}: the folder {path.parent} does not exist"
        )


def _engine(url: str) -> Engine:
    engine_url = make_url(url)  # raises on what cannot be parsed, before any driver loads
    if engine_url.get_backend_name() == "sqlite":
        return make_engine(url)
    # A server that never answers would otherwise hold the command for minutes.
    return make_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


def _revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _check_revision(revision: str | None, shown: str) -> None:
    newest = head()
    if revision == newest:
        return
    if revision is None:
        raise SettingsError(f"the database at {shown} is not migrated yet: {UPGRADE}")
    if known(revision):
        raise SettingsError(
            f"the database at {shown} is at revision {revision}, behind this version's "
            f"{newest}: {UPGRADE}"
        )
    raise SettingsError(
        f"the database at {shown} is at revision {revision}, newer than this version of "
        f"handoff knows ({newest}): upgrade handoff, or check DATABASE_URL"
    )


def _first_line(exc: BaseException) -> str:
    """The driver's own words, without SQLAlchemy's wrapping: one line."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__
