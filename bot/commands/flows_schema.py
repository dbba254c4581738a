"""`safevoice flows schema [PATH]`: write the JSON Schema editors use for flow files.

`bot/commands/flows.py` wires this in as a subcommand; until then, or without the
`safevoice` command installed, run `python -m bot.commands.flows_schema [PATH]`.
`python -m bot.commands.flows_schema --docs` refreshes the step reference in docs/flows.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.flows.docs import with_reference
from bot.flows.schema import schema_text

DEFAULT_PATH = Path("flows") / "flow.schema.json"
DOCS_PATH = Path("docs") / "flows.md"
REGENERATE = "python -m bot.commands.flows_schema flows/flow.schema.json"
REGENERATE_DOCS = "python -m bot.commands.flows_schema --docs"


def write_schema(path: str | Path = DEFAULT_PATH) -> bool:
    """Write the schema to `path`. Returns True when the file changed."""
    target = Path(path)
    text = schema_text()
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="\n")
    return True


def write_step_reference(path: str | Path = DOCS_PATH) -> bool:
    """Refresh the generated step reference inside the flow authors' guide."""
    target = Path(path)
    before = target.read_text(encoding="utf-8")
    after = with_reference(before)
    if after != before:
        target.write_text(after, encoding="utf-8", newline="\n")
    return after != before


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--docs"]:
        docs = Path(args[1]) if len(args) > 1 else DOCS_PATH
        changed = write_step_reference(docs)
        print(f"{docs}: {'step reference updated' if changed else 'already up to date'}")
        return 0
    path = Path(args[0]) if args else DEFAULT_PATH
    changed = write_schema(path)
    print(f"{path}: {'written' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
