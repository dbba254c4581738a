"""Every sentence the engine says itself is in the registry, so it reaches the catalogs."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.i18n.system import SYSTEM_PLURALS, SYSTEM_TEXTS, is_system_text
from tests.parsing import parse_python

BOT = Path(__file__).resolve().parents[2] / "bot"
# `.retry(ctx, hint)` hands its literal on to `ctx.system(hint)`; `engine.system_say(
# session, text)` too.
CALLS = ("system", "system_plural", "retry", "system_say")


def literals_passed_to_system() -> dict[str, str]:
    """Each string literal passed to .system(/.system_plural(/.retry( in bot/, with its place."""
    found = {}
    for path in sorted(BOT.rglob("*.py")):
        tree = parse_python(path)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in CALLS:
                continue
            for arg in node.args[:2]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found[arg.value] = f"{path.relative_to(BOT.parent)}:{node.lineno}"
    return found


def test_every_literal_passed_to_system_is_registered() -> None:
    used = literals_passed_to_system()
    missing = {text: where for text, where in used.items() if not is_system_text(text)}
    assert not missing, f"add these to bot/i18n/system.py: {missing}"


def test_the_scan_finds_the_known_calls() -> None:
    used = literals_passed_to_system()
    assert "Skip" in used
    assert "Please choose Yes or No, or skip this question." in used  # through .retry(
    assert "You picked {n} answer." in used  # through .system_plural(


def channel_texts() -> set[str]:
    """Texts the channels keep in constants and look up as system texts."""
    from bot.channels.telegram import texts
    from bot.web.chat import UI

    return set(texts.ALL) | set(UI.values())


def test_channel_texts_are_registered() -> None:
    missing = sorted(text for text in channel_texts() if not is_system_text(text))
    assert not missing, f"add these to bot/i18n/system.py: {missing}"


def test_every_registered_text_is_used() -> None:
    used = {**literals_passed_to_system(), **dict.fromkeys(channel_texts(), "channel")}
    unused = [t for t in SYSTEM_TEXTS if t not in used]
    unused += [pair for pair in SYSTEM_PLURALS if not set(pair) & set(used)]
    assert not unused, f"no code says these any more; remove them from the registry: {unused}"


def test_the_registry_has_no_duplicates() -> None:
    assert len(set(SYSTEM_TEXTS)) == len(SYSTEM_TEXTS)
