"""Python source parsed for tests that read the code itself."""

from __future__ import annotations

import ast
import gc
from pathlib import Path


def parse_python(path: Path) -> ast.Module:
    """`ast.parse` with the garbage collector held off. A socket an earlier test leaked,
    finalised by a collection inside the parse, made CPython 3.11 raise "AST constructor
    recursion depth mismatch" there: no collection may run inside the parse. (A full
    collection before each file, as once done, cost about a second per file late in the
    suite, when the heap is large: minutes for the tests that read every module.)"""
    gc.disable()
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    finally:
        gc.enable()
