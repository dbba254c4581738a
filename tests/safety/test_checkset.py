"""The unseen check set. The first one (`tests/safety/checkset/`) was measured, then
folded into the development set (its messages under `# from the first check set` in
`tests/safety/devset/`), so it no longer measures unseen text; a fresh blind set takes
its place here. Its figures are printed, never asserted, by
`benchmarks/danger_signals.py --devset <folder>`: asserting them would invite tuning.
"""

from __future__ import annotations
