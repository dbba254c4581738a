"""Shared fixtures. Real servers (Redis, PostgreSQL) and real `safevoice` child processes
come from tests/fixtures."""

import gc
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.processes", "tests.fixtures.redis"]


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """Finalise what a test left behind right after it, where it is reported against a
    quiet moment. Left to chance, a leaked socket's finaliser ran inside another test's
    `ast.parse` and CPython 3.11 raised "AST constructor recursion depth mismatch" there."""
    yield
    gc.collect()
