"""Start-up's objects, kept out of the garbage collector's way for the process's life.

Flows, catalogs, the danger lexicons and the libraries' modules are loaded once and live
until the process ends, yet every full collection walked them all: about 420,000 objects,
a 0.37 s pause in the middle of young people's turns (BENCHMARKS.md, issue 16).
`gc.freeze()` moves what is alive now to a generation the collector never scans; what
turns create is collected as before. Called by `run` and `serve` once they are built,
never by tests (whose objects must stay collectable).
"""

from __future__ import annotations

import gc

__all__ = ["settle"]


def settle() -> None:
    gc.collect()  # what start-up dropped is freed now, not kept frozen
    gc.freeze()
