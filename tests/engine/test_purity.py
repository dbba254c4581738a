"""bot/engine, bot/flows and bot/inputs stay pure: no bot framework, no store, no network
library."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.parsing import parse_python

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"aiogram", "telegram", "redis", "aiohttp", "sqlalchemy", "psycopg"}
PURE = ("bot/engine", "bot/flows", "bot/inputs")


def _imports(path: Path) -> set[str]:
    tree = parse_python(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


SOURCES = sorted(path for folder in PURE for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_source_imports_nothing_impure(path: Path) -> None:
    bad = {name for name in _imports(path) if name.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_sources_were_found() -> None:
    assert any(p.name == "runner.py" for p in SOURCES)
    assert any(p.name == "loader.py" for p in SOURCES)


def test_importing_the_engine_loads_nothing_impure() -> None:
    code = (
        "import json, sys\n"
        "import bot.engine.runner, bot.flows.loader, bot.flows.validate, bot.flows.schema\n"
        "import bot.inputs\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "bot" in loaded
    assert not loaded & FORBIDDEN, sorted(loaded & FORBIDDEN)
