"""`pytest tests/golden --update-goldens` rewrites the expected transcripts; review the diff."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/cases/*.txt from the current behaviour",
    )
