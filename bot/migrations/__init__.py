"""Alembic migrations of paperbot's schema."""
