"""Alembic migrations of the store schema; applied by `open_store` (no alembic.ini needed)."""
