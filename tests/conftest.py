"""Shared fixtures. Real servers (Redis, PostgreSQL) and real `safevoice` child processes
come from tests/fixtures."""

from __future__ import annotations

import gc

import pytest

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.processes",
    "tests.fixtures.project",
    "tests.fixtures.redis",
]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Sockets the fake servers' tests leave to the garbage collector, finalised inside a
    # plugin's end-of-run parsing, once made CPython 3.11 raise "AST constructor
    # recursion depth mismatch" after every test had passed: finalise them here first.
    gc.collect()
