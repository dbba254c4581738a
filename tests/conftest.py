"""Shared fixtures. Real servers (Redis, PostgreSQL) come from tests/fixtures."""

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.redis"]
