#!/usr/bin/env python3
"""Set up and run SafeVoice with nothing but Python 3.11+.

    python3 dev.py demo     # the web chat and staff dashboard on localhost
    python3 dev.py test     # the whole test suite
    python3 dev.py chat --age-band 13-15 --lang ro    # any `safevoice` command

The first run makes `.venv/` and installs the pinned dependencies from
`requirements.lock` (with hashes); later runs reuse it until the lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".safevoice-lock"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(part) for part in cmd], check=True, cwd=ROOT)  # noqa: S603


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("SafeVoice needs Python 3.11 or newer.")
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    python = BIN / "python"
    print("Installing pinned dependencies (first run only) ...", flush=True)
    _run(python, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCK)
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    STAMP.write_text(wanted)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it when we may (root)."""
    if shutil.which("chromium") or os.environ.get("SAFEVOICE_CHROMIUM"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Chromium for the browser tests ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S607
        subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-qq", "chromium"],  # noqa: S607
            check=True,
            env=env,
        )


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_venv()
    if argv[0] == "test":
        ensure_chromium()
        cmd = [str(BIN / "pytest"), *argv[1:]]
    else:
        cmd = [str(BIN / "safevoice"), *argv]
    return subprocess.call(cmd, cwd=ROOT)  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
