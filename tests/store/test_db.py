"""Migrations and the refusal to touch a database written by a newer loopprep."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from loopprep.errors import DatabaseTooNew
from loopprep.services.context import open_context
from loopprep.settings import Settings
from loopprep.store.db import current_revision, head_revision, make_engine, migrate


def test_first_start_creates_and_migrates_the_database(tmp_path: Path, bank) -> None:  # noqa: ANN001
    data_dir = tmp_path / "fresh" / "nested"
    ctx = open_context(Settings(data_dir=data_dir), bank=bank)
    try:
        assert (data_dir / "loopprep.db").exists()
        assert current_revision(ctx.engine) == head_revision()
        with ctx.engine.connect() as conn:
            assert {"profile", "store_meta", "alembic_version"} <= set(inspect(conn).get_table_names())
            assert conn.execute(text("SELECT count(*) FROM search_index")).scalar() > 20
    finally:
        ctx.engine.dispose()


def test_migrate_is_idempotent(ctx) -> None:  # noqa: ANN001
    migrate(ctx.engine)
    migrate(ctx.engine)
    assert current_revision(ctx.engine) == head_revision()


def _mark_newer(engine) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))


def test_newer_sqlite_database_is_refused_untouched(tmp_path: Path, bank) -> None:  # noqa: ANN001
    settings = Settings(data_dir=tmp_path)
    ctx = open_context(settings, bank=bank)
    _mark_newer(ctx.engine)
    with ctx.engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    ctx.engine.dispose()
    db = tmp_path / "loopprep.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(DatabaseTooNew) as info:
        open_context(settings, bank=bank)
    assert "newer version of loopprep" in info.value.message
    assert "9999_from_the_future" in info.value.message
    assert "Upgrade loopprep" in info.value.hint
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.postgres
def test_newer_postgres_database_is_refused(pg_migrated: str, bank) -> None:  # noqa: ANN001
    engine = make_engine(pg_migrated)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        with pytest.raises(DatabaseTooNew):
            open_context(Settings(database_url=pg_migrated), bank=bank)
        assert current_revision(engine) == "9999_from_the_future"
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})
        engine.dispose()


def test_an_up_to_date_database_opens_without_alembic(tmp_path: Path) -> None:
    """Every command opens the store; when the schema is current that costs no alembic import."""
    import subprocess
    import sys

    from loopprep.store.db import _plain_head

    assert _plain_head() == head_revision()  # the files' own reading agrees with alembic's
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    code = (
        "import sys; from loopprep.store.db import open_store_engine; "
        f"open_store_engine({url!r}).dispose(); print('alembic' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "True"  # a new database is migrated by alembic
    assert again.stdout.strip() == "False"
