"""The content bank's cache in the data directory: served while current, rebuilt after any
content edit, and a corrupt or foreign cache file is rebuilt without a word."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path

import pytest

from loopprep.content.cache import CACHE_NAME, cached_bank, content_digest
from loopprep.content.loader import load_bank

FRAMEWORK = """kind: frameworks
entries:
  - id: {id}
    title: My framework
    category: in-the-room
    summary: A short list I run through.
    groups:
      - id: steps
        title: Steps
        items:
          - id: one
            title: One
            detail: The first step.
    sources: [seed-day-of-interview]
"""


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    user, data = tmp_path / "mine", tmp_path / "data"
    user.mkdir()
    data.mkdir()
    (user / "mine.yaml").write_text(FRAMEWORK.format(id="first-framework"))
    return user, data


def test_the_cache_is_served_while_the_content_is_unchanged(dirs: tuple[Path, Path]) -> None:
    user, data = dirs
    bank = cached_bank(user, cache_dir=data)
    assert (data / CACHE_NAME).is_file() and "first-framework" in bank.frameworks
    # a cache with the current key is what the next start reads (marked here to tell it apart)
    marked = dataclasses.replace(bank, user_problems=("served from the cache",))  # type: ignore[arg-type]
    (data / CACHE_NAME).write_bytes(pickle.dumps((content_digest(user), marked)))
    assert cached_bank(user, cache_dir=data).user_problems == ("served from the cache",)


def test_a_content_edit_rebuilds_the_bank(dirs: tuple[Path, Path]) -> None:
    user, data = dirs
    assert "first-framework" in cached_bank(user, cache_dir=data).frameworks
    before = (data / CACHE_NAME).read_bytes()
    (user / "mine.yaml").write_text(FRAMEWORK.format(id="second-framework"))
    bank = cached_bank(user, cache_dir=data)
    assert "second-framework" in bank.frameworks and "first-framework" not in bank.frameworks
    assert (data / CACHE_NAME).read_bytes() != before
    # a new problem in the problems directory counts too
    problems = user.parent / "problems"
    problems.mkdir()
    shipped = load_bank().coding.problems["log-loss"]
    src = (Path(__file__).parents[2] / "loopprep/content/data/problems/log-loss.yaml").read_text()
    (problems / "my-log-loss.yaml").write_text(src.replace(f"id: {shipped.id}", "id: my-log-loss", 1))
    assert "my-log-loss" in cached_bank(user, problems_dir=problems, cache_dir=data).coding.problems


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a pickle at all", pickle.dumps(("an old key", "not a bank")), pickle.dumps({"x": 1})[:-3]],
    ids=["empty", "text", "stale-key", "truncated"],
)
def test_a_corrupt_cache_is_rebuilt_silently(dirs: tuple[Path, Path], garbage: bytes) -> None:
    user, data = dirs
    (data / CACHE_NAME).write_bytes(garbage)
    bank = cached_bank(user, cache_dir=data)
    assert "first-framework" in bank.frameworks
    key, stored = pickle.loads((data / CACHE_NAME).read_bytes())
    assert key == content_digest(user) and "first-framework" in stored.frameworks


def test_a_cache_with_the_right_key_but_not_a_bank_is_not_trusted(dirs: tuple[Path, Path]) -> None:
    user, data = dirs
    (data / CACHE_NAME).write_bytes(pickle.dumps((content_digest(user), {"frameworks": {}})))
    assert "first-framework" in cached_bank(user, cache_dir=data).frameworks


def test_a_data_directory_that_is_a_file_means_no_cache(dirs: tuple[Path, Path]) -> None:
    user, data = dirs
    not_a_dir = data / "file"
    not_a_dir.write_text("x")
    assert "first-framework" in cached_bank(user, cache_dir=not_a_dir).frameworks


def test_the_key_covers_the_schema_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install whose schema changed must not serve a bank validated by the old one."""
    from loopprep.content import cache

    schema = tmp_path / "schema"
    shutil.copytree(cache.SCHEMA_DIR, schema)
    monkeypatch.setattr(cache, "SCHEMA_DIR", schema)
    before = content_digest()
    (schema / "knowledge.py").write_text((schema / "knowledge.py").read_text() + "\n# a schema edit\n")
    assert content_digest() != before


def test_the_key_covers_the_engine_models_the_bank_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A coding problem is an engine model (engines/judge/problem.py): a change there must rebuild
    the bank too, or the pickle would hand back objects missing the new fields."""
    from loopprep.content import cache

    problem_py = next(p for p in cache._MODEL_SOURCES if p.name == "problem.py")
    copy = tmp_path / "problem.py"
    copy.write_text(problem_py.read_text() + "\n# a model edit\n")
    before = content_digest()
    monkeypatch.setattr(cache, "_MODEL_SOURCES", tuple(copy if p == problem_py else p for p in cache._MODEL_SOURCES))
    assert content_digest() != before
