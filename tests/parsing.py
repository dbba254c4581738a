"""Python source parsed for tests that read the code itself."""

from __future__ import annotations

import ast
import gc
from pathlib import Path


def parse_python(path: Path) -> ast.Module:
    """`ast.parse` with the garbage collector held off. A socket an earlier test leaked,
    finalised by a collection inside the parse, made CPython 3.11 raise "AST constructor
    recursion depth mismatch" there: collect first, then parse with collection off."""
    gc.collect()
    gc.disable()
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    finally:
        gc.enable()
