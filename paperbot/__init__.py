"""The `paperbot` command: composes the core, the adapters and the jobs."""
