"""The server's signing secret, for the web adapter (CSRF tokens; later, sessions)."""

from __future__ import annotations

from loopprep.services.context import AppContext
from loopprep.store.secret import server_secret as _stored


def server_secret(ctx: AppContext) -> bytes:
    """32 random bytes generated once per database and kept in it (``store_meta``)."""
    return _stored(ctx.engine)
