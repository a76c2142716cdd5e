"""Persistence: the async database, migrations and the queries the core needs."""
