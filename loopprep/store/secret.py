"""The server's secret: random bytes generated once and kept in ``store_meta``, so every worker
and every restart signs with the same key (CSRF tokens now, sessions later)."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from loopprep.store.tables import store_meta

SECRET_KEY = "server_secret"


def _read(engine: Engine) -> bytes | None:
    with engine.connect() as conn:
        value = conn.execute(select(store_meta.c.value).where(store_meta.c.key == SECRET_KEY)).scalar_one_or_none()
    return bytes.fromhex(value) if value else None


def server_secret(engine: Engine) -> bytes:
    """The stored secret (32 bytes), created on first use; when two workers race, the first
    insert wins and both return its value."""
    found = _read(engine)
    if found is not None:
        return found
    try:
        with engine.begin() as conn:
            conn.execute(store_meta.insert().values(key=SECRET_KEY, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another worker stored its secret first: use that one
    found = _read(engine)
    assert found is not None
    return found
