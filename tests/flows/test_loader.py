"""The loader on broken flow files: one plain `file:line:col: message fix` line, never a crash.

Text files live in tests/flows/broken/. Files whose bytes are the point (other encodings,
NUL, 50 MB) are written at test time, so no editor or git setting can quietly "fix" them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.flow import Flow
from bot.flows.loader import load_flow
from bot.flows.problems import Problem

BROKEN = Path(__file__).parent / "broken"

# name -> the exact first line `safevoice flows validate` prints for it.
EXPECTED = {
    "bad_indentation": "7:4: the indentation here does not line up with the lines around it. "
    "Start the fields of one step in the same column, using spaces (not tabs).",
    "tab_character": "6:1: this line has a tab character; flow files are indented with spaces. "
    "Replace each tab with spaces.",
    "unknown_step_type": "6:11: unknown step type `mesage`. Did you mean `message`? "
    "Use one of: age_band, choice, end, forget, goto, handoff, language, message, scale, "
    "subscribe, text, updates, yes_no.",
    "missing_id": "5:5: `id` is missing from this `message` step. Add `id: …` here.",
    "unknown_field": "8:10: `nxt` is not something a `message` step can have. "
    "Check the spelling, or remove it. Did you mean `next`?",
    "duplicate_key": "9:5: `text` is written twice in the same place. Keep one of them.",
    "billion_laughs": "7:12: this file uses a YAML alias (*name). Flow files may not use "
    "aliases. Write the text out again where you need it.",
    "deep_nesting": "7:20: this file is nested too deeply or is too big to be a flow. "
    "Split it into smaller flows.",
    "empty": "1:1: this file is empty. Start from the worked example in docs/flows.md: "
    "a flow needs `spec_version`, `id`, `title` and `steps`.",
    "list_at_top": "1:1: a flow file must start with fields like `id:` and `steps:`, not a "
    "list. Begin with `spec_version: 1`, `id:`, `title:` and `steps:` at the left edge.",
    "spec_version_missing": "1:1: `spec_version` is missing or not a number. "
    "Add `spec_version: 1` at the top of the file.",
    "spec_version_too_new": "1:15: this flow was written for a newer SafeVoice "
    "(spec_version 99); this one reads up to 1. Update SafeVoice, or ask whoever wrote the "
    "flow for an older version.",
    "scale_maps_to": "5:5: `maps_to` needs one number per point: 3 numbers from 1 to 5. "
    "See the `scale` example in docs/flows.md.",
    "choice_options_and_options_from": "5:5: give either `options` (a list) or "
    "`options_from: services`, not both or neither. See the `choice` example in docs/flows.md.",
    "python_tag": "3:8: this file uses a YAML tag (starting with `!`), which flow files may "
    "not use. Remove the part starting with `!`, or put the text in quotes.",
    "unclosed_quote": "7:11: a quote is opened here but never closed. "
    "Add the closing quote at the end of the text.",
    "unquoted_question_in_braces": "5:54: a `{ … }` here is not closed, or a text inside it "
    'needs quotes. Close it with `}`, and put texts with `?`, `:` or `,` in "double quotes".',
    # Regression: a one-space indent was blamed on a colon.
    "one_space_indent": "7:6: this line starts 1 space further in than the line above it, so "
    "it cannot be read as a field of the same step. Remove 1 space at the start of the line, "
    "so both start in the same column.",
    # Regression: `options:` on a scale suggested `points`.
    "scale_with_options": "12:7: a `scale` step has `points` (how many) and `labels`, not "
    "`options`. For a list of answers to pick from, use `type: choice`; for a scale, give "
    "`points:` and, if you like, `labels:`.",
    # Regression: a branch's bad key said "cannot be used for `constrained-str`" and more.
    "dash_in_condition_key": "10:21: 'would-repeat' cannot be used for `key`. Use small "
    "letters a-z, digits and _, starting with a letter (like `felt_safe`).",
    # A deep link is the part of a link after `?start=`: Telegram allows no spaces there.
    "deep_link_with_space": "5:14: 'after chat' cannot be used for `deep_link`. Use 1 to 64 "
    "letters A-Z or a-z, digits, _ and - (no spaces), like `after_chat`.",
    "colon_in_text": "7:19: there is a `:` here that cannot be read. Text with a colon in it "
    'needs quotes. Put the whole text in "double quotes", or check the indentation.',
}

# Words that would mean a programmer's message reached an author.
JARGON = re.compile(
    r"Traceback|Error\b|pydantic|errors\.pydantic|NoneType|\bdict\b|\bstr\b|input_value|"
    r"<block|scalar|mapping|token|constructor|tag:yaml|Value error",
)


def _load(path: Path) -> tuple[Flow | None, list[Problem]]:
    return load_flow(path, "common", f"broken/{path.name}")


def _assert_plain(problems: list[Problem]) -> None:
    assert problems, "a broken file must give at least one problem"
    for problem in problems:
        assert problem.severity == "error"
        assert problem.fix, f"no fix offered: {problem}"
        assert not JARGON.search(str(problem)), f"not plain words: {problem}"
        assert problem.line >= 1
        assert problem.col >= 1


def test_every_broken_file_has_an_expectation() -> None:
    assert {path.stem for path in BROKEN.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_first_problem(name: str) -> None:
    flow, problems = _load(BROKEN / f"{name}.yaml")
    assert flow is None
    assert str(problems[0]) == f"broken/{name}.yaml:{EXPECTED[name]}"
    _assert_plain(problems)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = "spec_version: 1\nid: hello\ntitle: Café\nsteps:\n  - {id: bye, type: end}\n"
BYTES = {
    "latin1.yaml": (
        GOOD.encode("latin-1"),
        "3:11: this file is not saved as UTF-8 text. Save it as UTF-8 and try again.",
    ),
    "utf16.yaml": (
        GOOD.encode("utf-16"),
        "1:1: this file is not saved as UTF-8 text. Save it as UTF-8 and try again.",
    ),
    "nul.yaml": (
        GOOD.replace("hello", "hel\x00lo").encode(),
        "2:1: this file contains a NUL character; it does not look like a text file. "
        "Open it in a text editor and save it again as UTF-8 text.",
    ),
}


@pytest.mark.parametrize("name", sorted(BYTES))
def test_file_with_wrong_bytes(tmp_path: Path, name: str) -> None:
    data, expected = BYTES[name]
    flow, problems = _load(_write(tmp_path, name, data))
    assert flow is None
    assert str(problems[0]) == f"broken/{name}:{expected}"
    _assert_plain(problems)


def test_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"spec_version: 1\n")
        handle.truncate(50 * 1024 * 1024)
    flow, problems = _load(path)
    assert flow is None
    assert str(problems[0]) == (
        "broken/huge.yaml:1:1: this file is too large (50.0 MB); a flow file may be at most "
        "256 KB. Split it into smaller flows."
    )
    _assert_plain(problems)


def test_utf8_with_bom_is_fine(tmp_path: Path) -> None:
    flow, problems = _load(_write(tmp_path, "bom.yaml", GOOD.encode("utf-8-sig")))
    assert problems == []
    assert flow is not None


def test_yes_no_on_off_stay_text(tmp_path: Path) -> None:
    text = (
        "spec_version: 1\nid: hello\ntitle: Hello\nsteps:\n"
        "  - id: ask\n    type: choice\n    key: ask\n    text: Yes\n"
        "    options:\n"
        "      - {value: yes_a, label: No}\n"
        "      - {value: no_a, label: yes}\n"
        "      - {value: on_a, label: On}\n"
        "      - {value: off_a, label: off}\n"
        "      - {value: date, label: 2024-05-01}\n"
        "    next:\n      - when: {key: ask, equals: no}\n        goto: bye\n"
        "      - goto: bye\n"
        "  - {id: bye, type: end}\n"
    )
    flow, problems = _load(_write(tmp_path, "labels.yaml", text.encode()))
    assert problems == []
    assert flow is not None
    step = flow.step("ask")
    assert step is not None
    assert step.text == "Yes"
    labels = [option.label for option in step.options]  # type: ignore[attr-defined]
    assert labels == ["No", "yes", "On", "off", "2024-05-01"]
    assert step.next[0].when.equals == "no"  # type: ignore[index, union-attr]


def test_true_and_false_are_still_booleans(tmp_path: Path) -> None:
    text = GOOD.replace("steps:", "feedback: false\nsteps:")
    flow, problems = _load(_write(tmp_path, "bools.yaml", text.encode()))
    assert problems == []
    assert flow is not None
    assert flow.header.feedback is False


def test_schema_comment_line_is_accepted(tmp_path: Path) -> None:
    text = "# yaml-language-server: $schema=../flow.schema.json\n" + GOOD
    flow, problems = _load(_write(tmp_path, "commented.yaml", text.encode()))
    assert problems == []
    assert flow is not None


def test_all_problems_of_a_file_are_reported(tmp_path: Path) -> None:
    text = (
        "spec_version: 1\nid: hello\ntitle: Hello\nsteps:\n"
        "  - {id: a, type: message, text: Hi, nxt: b}\n"
        "  - {id: b, type: wat}\n"
        "  - {type: end}\n"
    )
    flow, problems = _load(_write(tmp_path, "many.yaml", text.encode()))
    assert flow is None
    assert [problem.line for problem in problems] == [5, 6, 7]
    _assert_plain(problems)


def test_missing_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    flow, problems = _load(tmp_path / "nowhere.yaml")
    assert flow is None
    assert "cannot be read" in problems[0].message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_no_exception_escapes_load_flow(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "flow.yaml"
    path.write_bytes(data)
    flow, problems = load_flow(path, "common")
    assert (flow is None) == bool(problems)


def test_control_character_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # Regression: PyYAML's reader raised ReaderError before the loader's `try`.
    flow, problems = _load(_write(tmp_path, "ctrl.yaml", GOOD.replace("Café", "Ca\x01fé").encode()))
    assert flow is None
    assert str(problems[0]).startswith(
        "broken/ctrl.yaml:3:10: this file contains a hidden control character (code 1)."
    )
    _assert_plain(problems)
