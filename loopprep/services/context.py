"""What every service needs: settings, the database engine and the content bank."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from loopprep.content.loader import ContentBank, load_bank
from loopprep.settings import Settings
from loopprep.store.db import open_store_engine


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    bank: ContentBank


def open_context(settings: Settings, *, bank: ContentBank | None = None, index: bool = True) -> AppContext:
    """Load the content (a broken shipped file raises ``ContentError``), open and migrate the
    database (a newer one raises ``DatabaseTooNew``) and refresh the search index if the
    content changed since it was built."""
    bank = bank or load_bank(settings.content_dir)
    engine = open_store_engine(settings.resolved_database_url)
    ctx = AppContext(settings=settings, engine=engine, bank=bank)
    if (settings.data_dir / "models").is_dir():  # model presets kept as files before migration 0006
        from loopprep.services.user_models import import_model_files

        import_model_files(ctx)
    if index:
        from loopprep.services.search import ensure_index

        ensure_index(ctx)
    return ctx
