"""`heap.settle()`: start-up's objects are frozen, what comes after is still collected.
Run in a child interpreter: freezing this test process would keep every test's objects."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc, weakref
from bot import heap
import bot.runtime  # start-up's modules and what they hold
class Node: pass
kept = Node(); kept.me = kept  # a cycle alive at start-up
heap.settle()
assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()
later = Node(); later.me = later  # a cycle a turn leaves behind
gone = weakref.ref(later)
del later
gc.collect()
assert gone() is None, "a cycle made after start-up was not collected"
assert kept.me is kept
print("ok")
"""


def test_settle_freezes_start_up_and_later_garbage_is_still_collected() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
