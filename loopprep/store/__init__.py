"""User data: SQLAlchemy 2 tables, Alembic migrations, search and back-up."""
