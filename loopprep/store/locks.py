"""The write lock on the user's state (profile and plan).

Every read-modify-write of the profile or the plan runs inside ``write_transaction``: on SQLite
the transaction starts with ``BEGIN IMMEDIATE`` (the database's write lock is taken before the
first read, so no other writer can commit between our read and our write); on PostgreSQL it takes
a transaction-level advisory lock, which also covers the first insert of a row that does not
exist yet (``SELECT ... FOR UPDATE`` locks nothing then).  Writers queue behind each other
instead of overwriting each other's changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

# An arbitrary 64-bit key naming "the user's profile and plan" among PostgreSQL advisory locks.
USER_STATE_LOCK = 0x6C6F_6F70_7072_6570 & 0x7FFF_FFFF_FFFF_FFFF


def lock_user_state(conn: Connection) -> None:
    """Hold the user-state write lock until ``conn``'s transaction ends.

    On SQLite this must be the transaction's first statement, or come after a write (which
    already holds the database's write lock); on PostgreSQL it may be taken again (re-entrant)."""
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": USER_STATE_LOCK})


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the user-state write lock from its first statement; commits on
    success, rolls back on any exception."""
    with engine.begin() as conn:
        lock_user_state(conn)
        yield conn
