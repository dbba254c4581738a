"""Shared fixtures. Real servers (Redis, PostgreSQL) and real `safevoice` child processes
come from tests/fixtures."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.processes",
    "tests.fixtures.project",
    "tests.fixtures.redis",
]
