"""A flow as boxes and arrows, and as a list of steps, in plain words and in one language.

For advisory groups who read flows without reading YAML: each arrow says when it is taken
("if felt_safe is “no”", "if “Yes, please” is chosen", "otherwise"), each question shows
its options, and every text is shown as the chosen language says it (`Say`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.flows.flow import Flow
from bot.flows.model import Branch, Condition
from bot.flows.steps import StepBase
from bot.web.html import esc

__all__ = ["Say", "diagram", "exits", "options_of", "source_say"]

# (step, part, source text) -> the text in the chosen language.
Say = Callable[[StepBase, str, str], str]
_BOX_W, _BOX_H, _ROW, _X = 420, 72, 100, 20


def source_say(_step: StepBase, _part: str, text: str) -> str:
    return text


def options_of(step: StepBase, say: Say) -> list[str]:
    """What a question offers, as the person sees it."""
    options = getattr(step, "options", ())
    if options:
        return [say(step, option.value, option.label) for option in options]
    if getattr(step, "options_from", None) == "services":
        return ["(the services in config.toml)"]
    labels = getattr(step, "labels", ())
    if labels:
        return [say(step, f"point{n}", label) for n, label in enumerate(labels, start=1)]
    points = getattr(step, "points", None)
    if isinstance(points, int):
        return [str(n) for n in range(1, points + 1)]
    if step.type == "yes_no":
        return ["yes", "no"]
    return []


def exits(flow: Flow, step: StepBase, say: Say) -> Iterator[tuple[str, str]]:
    """(when, target step) for every way out of `step`; when "" means always."""
    for option in getattr(step, "options", ()):
        if option.goto:
            yield f"if “{say(step, option.value, option.label)}” is chosen", option.goto
    if isinstance(step.next, str):
        yield ("otherwise" if any(getattr(o, "goto", None) for o in getattr(step, "options", ()))
               else ""), step.next  # fmt: skip
    elif step.next:
        for branch in step.next:
            yield _branch_words(flow, branch, say), branch.goto


def _branch_words(flow: Flow, branch: Branch, say: Say) -> str:
    if branch.when is None:
        return "otherwise"
    conditions = branch.when if isinstance(branch.when, tuple) else (branch.when,)
    return "if " + " and ".join(_condition_words(flow, c, say) for c in conditions)


def _condition_words(flow: Flow, condition: Condition, say: Say) -> str:
    key = condition.key
    if condition.skipped is not None:
        return f"{key} was {'skipped' if condition.skipped else 'answered'}"
    if condition.equals is not None:
        return f"{key} is {_value(flow, key, condition.equals, say)}"
    if condition.one_of is not None:
        return f"{key} is " + " or ".join(_value(flow, key, v, say) for v in condition.one_of)
    if condition.at_least is not None:
        return f"{key} is {condition.at_least} or more"
    return f"{key} is {condition.at_most} or less"


def _value(flow: Flow, key: str, value: str | int, say: Say) -> str:
    """An option's label where the flow has one for this value (the words people see)."""
    for step in flow.steps:
        if getattr(step, "key", None) != key:
            continue
        for option in getattr(step, "options", ()):
            if str(option.value) == str(value):
                return f"“{say(step, option.value, option.label)}”"
    return f"“{value}”"


def diagram(flow: Flow, say: Say = source_say, lang: str = "") -> str:
    """Steps as boxes in file order; arrows for every link, each labelled with when it is
    taken; a question's options in its box; other flows named beside the box."""
    index = {step.id: i for i, step in enumerate(flow.steps)}
    height = len(flow.steps) * _ROW + 20
    lang_attr = f' lang="{esc(lang)}"' if lang else ""
    parts = [
        f'<svg class="diagram" role="img" aria-labelledby="diagram-t" viewBox="0 0 900 {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"{lang_attr} '
        # Which flow: the studio's script marks the step a "try it" is on (staff.js).
        f'data-scope="{esc(flow.scope)}" data-flow="{esc(flow.id)}">'
        f'<title id="diagram-t">Diagram of the flow {esc(flow.header.title)}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#333"/></marker></defs>'
    ]
    lane = 0
    for i, step in enumerate(flow.steps):
        y = 10 + i * _ROW
        fill = "#fff3c4" if step.type in ("handoff", "forget") else "#eef4fb"
        text = say(step, "", step.text) if step.text else ""
        choices = options_of(step, say)
        parts.append(
            f'<g id="box-{esc(step.id)}"><rect x="{_X}" y="{y}" width="{_BOX_W}" '
            f'height="{_BOX_H}" rx="8" fill="{fill}" stroke="#0b5cad"/>'
            f'<text x="{_X + 10}" y="{y + 20}" font-size="14" font-weight="bold">'
            f'{esc(step.id)} <tspan font-weight="normal" fill="#555">'
            f"({esc(step.type)})</tspan></text>"
            f'<text x="{_X + 10}" y="{y + 42}" font-size="12">{esc(_cut(text, 62))}</text>'
            + (
                f'<text x="{_X + 10}" y="{y + 62}" font-size="12" fill="#333">'
                f"Options: {esc(_cut(' · '.join(choices), 60))}</text>"
                if choices
                else ""
            )
            # Shown (staff.css) on the box of the step a "try it" is on: words, not colour only.
            + f'<text class="here" x="{_X + _BOX_W - 10}" y="{y + 20}" font-size="13" '
            'font-weight="bold" text-anchor="end" visibility="hidden">▶ Now here</text>' + "</g>"
        )
        other = getattr(step, "flow", None) or getattr(step, "then", None)
        if isinstance(other, str):
            parts.append(
                f'<text x="{_X + _BOX_W + 12}" y="{y + 34}" font-size="13" fill="#6a3d9a">'
                f"→ flow {esc(other)}</text>"
            )
        seen: set[str] = set()
        for k, (when, target) in enumerate(exits(flow, step, say)):
            j = index.get(target)
            if when:
                parts.append(
                    f'<text class="when" x="{_X + _BOX_W + 8}" y="{y + 12 + 13 * k}" '
                    f'font-size="11" fill="#0b5cad">{esc(_cut(when, 40))} → {esc(target)}</text>'
                )
            if j is None or target in seen:
                continue
            seen.add(target)
            if j == i + 1:
                x = _X + _BOX_W / 2
                parts.append(
                    f'<line x1="{x}" y1="{y + _BOX_H}" x2="{x}" y2="{y + _ROW - 2}" '
                    'stroke="#333" marker-end="url(#arrow)"/>'
                )
                continue
            lane = lane % 6 + 1
            x_out = _X + _BOX_W + 240 + 14 * lane
            y1, y2 = y + _BOX_H / 2, 10 + j * _ROW + _BOX_H / 2
            parts.append(
                f'<path d="M{_X + _BOX_W},{y1} H{x_out} V{y2} H{_X + _BOX_W + 2}" fill="none" '
                f'stroke="#0b5cad" stroke-dasharray="{"" if j > i else "5 3"}" '
                'marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
