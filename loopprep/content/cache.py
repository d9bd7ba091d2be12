"""The validated content bank, cached as a pickle in the data directory.

The key is a digest of every content file (shipped and the user's) and of the schema sources,
so an edited file, a changed schema or an upgraded loopprep rebuilds the bank.  The cache is
never trusted blindly: the key stored inside must match, and any error reading it (a truncated
or corrupt file, a pickle from another version) means "rebuild", silently.  The pickle is only
ever one loopprep wrote itself into the user's own data directory.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from loopprep.content.loader import PROBLEMS_FOLDER, ContentBank, load_bank
from loopprep.content.paths import CONTENT_ROOT, DATA_ROOT, SCHEMA_DIR
from loopprep.content.reader import yaml_files

CACHE_NAME = "content-bank.pickle"
_PACKAGE = CONTENT_ROOT.parent
_MODEL_SOURCES = (*_PACKAGE.joinpath("engines").rglob("*.py"), _PACKAGE / "domain.py", _PACKAGE / "errors.py")
_FORMAT = b"loopprep-content-bank-1"


def content_digest(user_dir: Path | None = None, *, problems_dir: Path | None = None) -> str:
    """A digest of every file the bank is built from: shipped data, the schema and loader
    sources, the user's content and problems directories (paths, sizes and bytes)."""
    h = hashlib.sha256(_FORMAT)
    groups: list[tuple[str, list[Path]]] = [
        ("data", yaml_files(DATA_ROOT)),
        # every module whose classes the pickle holds: the schema, the loader, and the engine
        # models and the vocabulary the schema builds on (a Problem is an engine model)
        ("code", sorted([*SCHEMA_DIR.glob("*.py"), *CONTENT_ROOT.glob("*.py"), *_MODEL_SOURCES])),
    ]
    if user_dir is not None and user_dir.is_dir():
        files = yaml_files(user_dir, skip=(PROBLEMS_FOLDER,))
        if (user_dir / PROBLEMS_FOLDER).is_dir():
            files += yaml_files(user_dir / PROBLEMS_FOLDER, recursive=False)
        groups.append((f"user:{user_dir}", files))
    if problems_dir is not None and problems_dir.is_dir():
        groups.append((f"problems:{problems_dir}", yaml_files(problems_dir, recursive=False)))
    for name, files in groups:
        h.update(f"\0{name}\0{len(files)}".encode())
        for path in files:
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable"
            h.update(f"\0{path}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


def _read(path: Path, key: str) -> ContentBank | None:
    try:
        with path.open("rb") as f:
            stored_key, bank = pickle.load(f)  # noqa: S301 - our own file in the user's data dir
    except Exception:  # noqa: BLE001 - any unreadable or foreign cache is simply rebuilt
        return None
    if stored_key != key or not isinstance(bank, ContentBank):
        return None
    return bank


def _write(path: Path, key: str, bank: ContentBank) -> None:
    """Atomically (temp file + rename); an unwritable data directory means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".content-bank-", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, bank), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def cached_bank(
    user_dir: Path | None = None, *, problems_dir: Path | None = None, cache_dir: Path | None = None
) -> ContentBank:
    """``load_bank(user_dir, problems_dir=...)``, served from ``cache_dir/content-bank.pickle``
    when its key matches the content now on disk, else built and cached.  A broken shipped file
    raises ``ContentError`` as ``load_bank`` does (nothing is cached then)."""
    if cache_dir is None:
        return load_bank(user_dir, problems_dir=problems_dir)
    key = content_digest(user_dir, problems_dir=problems_dir)
    path = cache_dir / CACHE_NAME
    bank = _read(path, key)
    if bank is None:
        bank = load_bank(user_dir, problems_dir=problems_dir)
        _write(path, key, bank)
    return bank
