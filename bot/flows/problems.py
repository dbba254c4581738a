"""Problems found in flow files, told in the author's words with a place and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    message: str
    fix: str = ""
    severity: Literal["error", "warning"] = "error"
    # For summaries and filters (`flows validate --summary`, `--kind`, `--lang`): what sort
    # of problem this is, and the language it is about ("" when it is about every one).
    kind: str = ""
    lang: str = ""
    # What the problem is about, when that is a name (the flow id a `goto` names).
    subject: str = ""

    def __str__(self) -> str:
        label = "" if self.severity == "error" else "warning: "
        fix = f" {self.fix}" if self.fix else ""
        return f"{self.file}:{self.line}:{self.col}: {label}{self.message}{fix}"
