"""What every service needs: settings, the database engine and the content bank, with what is
derived from the bank built once when the context opens and held on it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from loopprep.content.loader import ContentBank
from loopprep.settings import Settings

if TYPE_CHECKING:  # the database layer is imported when a context opens: `rounds` needs only the bank
    from sqlalchemy import Engine

    from loopprep.domain import Link, Profile
    from loopprep.engines.clock import PlanRules
    from loopprep.services.estimate import Presets
    from loopprep.services.weights import WeightsView


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    bank: ContentBank

    # Derived from the bank, once per context (a cached_property writes the instance's own
    # __dict__, so the frozen dataclass keeps its fields immutable).
    @cached_property
    def plan_rules(self) -> PlanRules:
        """The Clock's rules: the plan content checked against the bank (``ContentError`` if not)."""
        from loopprep.services.plan_rules import rules_from

        return rules_from(self.bank)

    @cached_property
    def task_titles(self) -> dict[tuple[str, str], tuple[str, Link | None]]:
        """(item kind, item) -> (title, link) for everything a plan task may name."""
        from loopprep.services.plan.views import _titles

        return _titles(self)

    @cached_property
    def _weights(self) -> dict[tuple[str, str, tuple[str, ...]], WeightsView]:
        return {}

    def weights_for(self, profile: Profile) -> WeightsView:
        """The round weights for this profile, computed once per (role, level, company types):
        they depend on nothing else (at most 3 x 3 x 15 entries)."""
        key = (profile.role.value, profile.level.value, tuple(c.value for c in profile.company_types))
        view = self._weights.get(key)
        if view is None:
            from loopprep.services.weights import weights_for

            view = self._weights[key] = weights_for(self.bank, profile)
        return view

    @cached_property
    def shipped_presets(self) -> Presets:
        """The estimation presets as the estimation service uses them (shipped + content dir)."""
        from loopprep.services.estimate import shipped_presets

        return shipped_presets(self.bank)


def load_content(settings: Settings) -> ContentBank:
    """The content bank for these settings: shipped content, the content directory and the
    problems directory, from the cache in the data directory when it is current."""
    from loopprep.content.cache import cached_bank

    return cached_bank(settings.content_dir, problems_dir=settings.problems_dir, cache_dir=settings.data_dir)


def open_context(settings: Settings, *, bank: ContentBank | None = None, index: bool = True) -> AppContext:
    """Load the content (a broken shipped file raises ``ContentError``), open and migrate the
    database (a newer one raises ``DatabaseTooNew``) and refresh the search index if the
    content changed since it was built."""
    bank = bank or load_content(settings)
    from loopprep.store.db import open_store_engine

    engine = open_store_engine(settings.resolved_database_url)
    ctx = AppContext(settings=settings, engine=engine, bank=bank)
    ctx.plan_rules  # noqa: B018 - built now, so a plan file that names an unknown id stops here
    if (settings.data_dir / "models").is_dir():  # model presets kept as files before migration 0006
        from loopprep.services.user_models import import_model_files

        import_model_files(ctx)
    if index:
        from loopprep.services.search import ensure_index

        ensure_index(ctx)
    return ctx
