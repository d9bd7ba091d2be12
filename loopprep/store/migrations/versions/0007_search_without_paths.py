"""The search index keeps no paths: a hit's kind and ref name its page, the web layer makes the link.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

The index is derived from the content, so it is dropped and created again without the ``url``
column; removing the recorded digest makes the next context rebuild it.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _create(*, with_url: bool) -> None:
    url = "url UNINDEXED, " if with_url else ""
    pg_url = " url TEXT NOT NULL DEFAULT ''," if with_url else ""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE search_index USING fts5(kind UNINDEXED, ref UNINDEXED, {url}title, body, "
            "tokenize='porter unicode61')"
        )
    else:
        op.execute(
            "CREATE TABLE search_index ("
            f" id SERIAL PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL,{pg_url}"
            " title TEXT NOT NULL, body TEXT NOT NULL,"
            " tsv tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('english', title), 'A') ||"
            "  setweight(to_tsvector('english', body), 'B')) STORED)"
        )
        op.execute("CREATE INDEX search_index_tsv ON search_index USING GIN (tsv)")
    op.execute("DELETE FROM store_meta WHERE key = 'search_digest'")


def upgrade() -> None:
    op.execute("DROP TABLE search_index")
    _create(with_url=False)


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    _create(with_url=True)
