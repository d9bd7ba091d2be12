"""Shared fixtures: real SQLite and PostgreSQL databases, the shipped content bank, the app.

SQLite: one database is migrated and indexed per session and copied for every test.
PostgreSQL (127.0.0.1:5432, trust auth): one fresh database per session, user tables emptied
after every test.  ``LOOPPREP_TEST_POSTGRES=required`` turns "server unreachable" from a skip
into a failure (CI sets it); ``=off`` skips those tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from loopprep.content.loader import ContentBank, load_bank
from loopprep.services.context import AppContext, open_context
from loopprep.settings import Settings
from loopprep.store.tables import metadata

PG_ADMIN_URL = os.environ.get("LOOPPREP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_MODE = os.environ.get("LOOPPREP_TEST_POSTGRES", "auto").lower()


@pytest.fixture(scope="session")
def bank() -> ContentBank:
    return load_bank()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, bank: ContentBank) -> Path:
    data_dir = tmp_path_factory.mktemp("template")
    ctx = open_context(Settings(data_dir=data_dir), bank=bank)
    ctx.engine.dispose()
    return data_dir / "loopprep.db"


def _pg_unavailable(reason: str) -> None:
    if PG_MODE == "required":
        pytest.fail(f"PostgreSQL is required (LOOPPREP_TEST_POSTGRES=required) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (set LOOPPREP_TEST_POSTGRES=required to fail instead)")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if PG_MODE == "off":
        pytest.skip("PostgreSQL tests skipped: LOOPPREP_TEST_POSTGRES=off")
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"loopprep_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        _pg_unavailable(f"no server answers at {PG_ADMIN_URL} ({str(exc.orig).strip().splitlines()[0]})")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_url: str, bank: ContentBank) -> str:
    ctx = open_context(Settings(database_url=pg_url), bank=bank)
    ctx.engine.dispose()
    return pg_url


def _settings_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    if backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "loopprep.db")
        return Settings(data_dir=data_dir)
    return Settings(data_dir=data_dir, database_url=request.getfixturevalue("pg_migrated"))


def _empty_user_tables(ctx: AppContext) -> None:
    with ctx.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "store_meta":
                conn.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return _settings_for(backend, tmp_path, request)


@pytest.fixture
def ctx(settings: Settings, bank: ContentBank) -> Iterator[AppContext]:
    """An AppContext on a migrated database of each backend (tests run once per backend)."""
    app_ctx = open_context(settings, bank=bank)
    try:
        yield app_ctx
    finally:
        if settings.is_postgres:
            _empty_user_tables(app_ctx)
        app_ctx.engine.dispose()


@pytest.fixture
def sqlite_ctx(tmp_path: Path, bank: ContentBank, request: pytest.FixtureRequest) -> Iterator[AppContext]:
    """An AppContext on SQLite only, for tests that are not about storage."""
    app_ctx = open_context(_settings_for("sqlite", tmp_path, request), bank=bank)
    yield app_ctx
    app_ctx.engine.dispose()
