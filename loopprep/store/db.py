"""Engine, migrations and the refusal to touch a database from a newer loopprep."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text

from loopprep.errors import DatabaseTooNew, LoopprepError

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.  A URL that
    cannot be parsed or a data directory that cannot be created raises ``LoopprepError``."""
    from sqlalchemy.exc import ArgumentError

    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            folder = Path(db_path).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LoopprepError(
                    f"Cannot create the data directory {folder}: {exc.strerror or exc}.",
                    "Set LOOPPREP_DATA_DIR (or --data-dir) to a folder you can write to.",
                ) from None
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise LoopprepError(
            f"'{url}' is not a database URL loopprep can use ({exc}).",
            "Set LOOPPREP_DATABASE_URL (or --database-url) to e.g. "
            "postgresql+psycopg://user@127.0.0.1:5432/loopprep, or leave it empty for SQLite.",
        ) from None


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def _scripts() -> Any:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg)


def known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in _scripts().walk_revisions())


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise LoopprepError("loopprep's migrations are missing.", "Reinstall loopprep.")
    return str(head)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_not_newer(engine: Engine) -> None:
    """Raise ``DatabaseTooNew`` if the database was migrated by a newer loopprep."""
    rev = current_revision(engine)
    if rev is not None and rev not in known_revisions():
        raise DatabaseTooNew(
            f"The database at {engine.url.render_as_string(hide_password=True)} was created by a "
            f"newer version of loopprep (schema revision {rev}); this version knows up to "
            f"{head_revision()}. It was left untouched.",
            "Upgrade loopprep (pip install -U loopprep), or point LOOPPREP_DATABASE_URL / "
            "LOOPPREP_DATA_DIR at another database.",
        )


@lru_cache(maxsize=1)
def _plain_head() -> str | None:
    """The head revision read from the migration files' ``revision = "..."`` lines, without
    importing alembic (a third of a second); None when that reading is not unambiguous."""
    import re

    found = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|"([^"]*)"|\'([^\']*)\')\s*$', re.M)
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = {m.group(1): m.group(3) or m.group(4) for m in found.finditer(path.read_text(encoding="utf-8"))}
        if "revision" not in values or not values["revision"]:
            return None
        revisions.add(values["revision"])
        if values.get("down_revision"):
            parents.add(values["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (all-or-nothing), refusing a newer database."""
    rev = current_revision(engine)
    if rev is not None and rev == _plain_head():  # up to date: the common case, decided without alembic
        return
    from alembic import command

    check_not_newer(engine)
    if current_revision(engine) == head_revision():
        return
    try:
        command.upgrade(_alembic_config(engine), "head")
    except Exception as exc:  # a failed migration must say where and leave the data alone
        raise LoopprepError(
            f"Migrating the database failed: {exc}",
            "Nothing was changed. Report this with the message above.",
        ) from exc


def open_store_engine(url: str, **kwargs: Any) -> Engine:
    """Make the engine and migrate: what every entry point calls before using the store."""
    from sqlalchemy.exc import OperationalError

    engine = make_engine(url, **kwargs)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise LoopprepError(
            f"Cannot open the database at {engine.url.render_as_string(hide_password=True)}: {first}",
            "Check that the server is running and LOOPPREP_DATABASE_URL (or --database-url) is right.",
        ) from None
    except Exception:
        engine.dispose()
        raise
    return engine
