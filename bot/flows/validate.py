"""Semantic checks on loaded flows: errors that stop a flow from working, and warnings.

Each problem names the flow, the step, the file and line, and suggests a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from bot.config import AgeBand, Config
from bot.flows.flow import COMMON, REQUIRED_FLOWS, Flow, FlowSet
from bot.flows.model import Branch, Condition
from bot.flows.problems import Problem
from bot.flows.reading import SENTENCE, jargon_in, lowest_ease, reading_ease
from bot.flows.steps import Question, StepBase
from bot.flows.steps.choice import ChoiceStep
from bot.flows.steps.end import EndStep
from bot.flows.steps.forget import ForgetStep
from bot.flows.steps.goto import GotoStep
from bot.flows.steps.handoff import HandoffStep
from bot.flows.steps.scale import ScaleStep
from bot.flows.steps.yes_no import YesNoStep
from bot.flows.triggers import check_triggers
from bot.i18n.translator import Translator

# Young readers: a sentence longer than this is hard going.
YOUNG_MAX_WORDS = 16
# Bands up to this age get the jargon check.
YOUNG_AGE = 12
# The handoff reason for a young person who says they do not feel safe.
UNSAFE = "unsafe"


def _problem(
    flow: Flow,
    step: str | None,
    message: str,
    fix: str = "",
    *,
    warn: bool = False,
    where: tuple[str, ...] = (),
    kind: str = "",
    lang: str = "",
    subject: str = "",
) -> Problem:
    path = (step, *where) if step else ()
    line, col = flow.where(*path)
    prefix = f"flow `{flow.id}`" + (f", step `{step}`" if step else "")
    severity: Literal["error", "warning"] = "warning" if warn else "error"
    return Problem(flow.path, line, col, f"{prefix}: {message}", fix, severity, kind, lang, subject)


def _ends(step: StepBase) -> bool:
    return isinstance(step, (EndStep, GotoStep, ForgetStep))


def check_flow(flow: Flow, flows: FlowSet, config: Config) -> Iterator[Problem]:
    ids = [step.id for step in flow.steps]
    for step_id in {i for i in ids if ids.count(i) > 1}:
        yield _problem(flow, step_id, "two steps have this id.", "Give each step its own id.")
    if flow.step(flow.start) is None:
        yield _problem(
            flow,
            None,
            f"`start` names a step `{flow.start}` that does not exist.",
            "Use the id of one of the steps.",
            where=("start",),
        )
    known = set(ids)
    for index, step in enumerate(flow.steps):
        for target, where in _targets(step):
            if target not in known:
                yield _problem(
                    flow,
                    step.id,
                    f"it leads to `{target}`, but there is no step with that id.",
                    "Check the spelling, or add that step.",
                    where=where,
                )
        if not _ends(step) and not list(step.links()):
            what = "question" if isinstance(step, Question) else "step"
            following = flow.steps[index + 1].id if index + 1 < len(flow.steps) else ""
            yield _problem(
                flow,
                step.id,
                f"this {what} has no way on: it has no `next`.",
                f"Add `next: {following}` (or the id of the step that should come after it)."
                if following
                else "Add `next:` with the id of the step that comes after it.",
            )
        if isinstance(step.next, tuple) and step.next[-1].when is not None:
            yield _problem(
                flow,
                step.id,
                "every branch of `next` has a `when`, so the chat can get stuck.",
                "Add a last branch with only `goto:`, for when nothing else fits.",
                warn=True,
                where=("next",),
            )
        if isinstance(step, ScaleStep) and not _balanced(step.maps_to):
            balanced = _BALANCED.get(len(step.maps_to))
            yield _problem(
                flow,
                step.id,
                f"`maps_to: {list(step.maps_to)}` is not balanced around the middle (3), so "
                "the same feeling would count differently here than in other bands.",
                f"Use `maps_to: {balanced}`." if balanced else "Mirror the places around 3.",
                warn=True,
                where=("maps_to",),
                kind="unbalanced scale",
            )
        if isinstance(step, HandoffStep) and step.reason == UNSAFE and not _soon(step):
            yield _problem(
                flow,
                step.id,
                f"a young person who says they are not safe (`reason: {UNSAFE}`) would wait "
                "behind ordinary requests.",
                "Add `priority: true` (or `urgent: true` for danger right now).",
                warn=True,
                where=("reason",),
            )
        if (
            isinstance(step, GotoStep)
            and flows.resolve(_band(flow, config), step.flow) is None
            and not _resolves_everywhere(flows, config, step.flow)
        ):
            yield _problem(
                flow,
                step.id,
                f"it goes to a flow `{step.flow}` that does not exist.",
                "Check the flow's id (the `id:` at the top of its file).",
                where=("flow",),
                kind="missing flow",
                subject=step.flow,
            )
    yield from _reachability(flow)
    yield from _conditions(flow)
    if flow.header.feedback and not any(isinstance(s, EndStep) and s.submit for s in flow.steps):
        yield _problem(
            flow,
            None,
            "this is a feedback flow, but no `end` step has `submit: true`.",
            "Add `submit: true` to the end step that says thank you.",
        )


# The usual places of a shorter scale on the common 1-5 scale (docs/flows.md).
_BALANCED = {2: [1, 5], 3: [1, 3, 5], 4: [1, 2, 4, 5], 5: [1, 2, 3, 4, 5]}


def _balanced(places: tuple[int, ...]) -> bool:
    """Each place mirrors its opposite around 3 (1 and 5, 2 and 4)."""
    return all(a + b == 6 for a, b in zip(places, reversed(places), strict=True))


def _targets(step: StepBase) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each step id `step` leads to, with the place in the file that names it: an option's
    own `goto` line, a branch's `goto`, or `next`."""
    if isinstance(step.next, str):
        yield step.next, ("next",)
    elif step.next:
        for number, branch in enumerate(step.next):
            yield branch.goto, ("next", str(number), "goto")
    for number, option in enumerate(getattr(step, "options", ())):
        if getattr(option, "goto", None):
            yield option.goto, ("options", str(number), "goto")


def _soon(step: HandoffStep) -> str:
    """How soon the workers answer a handoff step's request: its place in their list."""
    return "urgent" if step.urgent else "priority" if step.priority else ""


def _band(flow: Flow, config: Config) -> str | None:
    return flow.scope if flow.scope in config.band_ids else None


def _resolves_everywhere(flows: FlowSet, config: Config, flow_id: str) -> bool:
    return all(flows.resolve(band, flow_id) for band in config.band_ids)


def _reachability(flow: Flow) -> Iterator[Problem]:
    # A step without `next` is reported once (above); for what follows, read it as
    # leading to the step below it, so one forgotten line is not also reported as every
    # later step being unreachable and the flow never ending.
    following = {a.id: b.id for a, b in zip(flow.steps, flow.steps[1:], strict=False)}
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        current = flow.step(todo.pop())
        if current is None or current.id in seen:
            continue
        seen.add(current.id)
        links = list(current.links())
        if not links and not _ends(current) and current.id in following:
            links = [following[current.id]]
        todo.extend(links)
    for step in flow.steps:
        if step.id not in seen:
            yield _problem(
                flow,
                step.id,
                "no other step leads here, so nobody will ever see it.",
                "Point a `next` or a `goto` at it, or remove it.",
            )
    if seen and not any(_ends(s) for s in flow.steps if s.id in seen):
        yield _problem(
            flow,
            None,
            "this flow never ends: it has no `end`, `goto` or `forget` step.",
            "Add an `end` step and lead the last question to it.",
        )


def _conditions(flow: Flow) -> Iterator[Problem]:
    questions = {step.key: step for step in flow.steps if isinstance(step, Question)}
    for step in flow.steps:
        if not isinstance(step.next, tuple):
            continue
        for number, branch in enumerate(step.next):
            for condition in _when(branch):
                asked = questions.get(condition.key)
                if asked is None:
                    yield _problem(
                        flow,
                        step.id,
                        f"a condition looks at `{condition.key}`, which no question here asks.",
                        "Use the `key` of a question in this flow.",
                        warn=True,
                        where=("next",),
                    )
                    continue
                possible = _answers(asked)
                tested = (
                    [condition.equals] if condition.equals is not None else condition.one_of or []
                )
                for value in tested:
                    if possible is not None and str(value) not in possible:
                        yield _problem(
                            flow,
                            step.id,
                            f"a condition tests `{condition.key}` for {str(value)!r}, but the "
                            f"`{asked.kind}` question `{asked.id}` can only be answered "
                            f"{_listed(sorted(possible))}, so this branch is never taken.",
                            "Use one of those answers.",
                            where=("next", str(number), "when"),
                        )


def _answers(step: Question) -> set[str] | None:
    """The answers a question stores (a scale stores its `maps_to` value), or None when
    they cannot be listed (free text, the configured services)."""
    if isinstance(step, YesNoStep):
        return {"yes", "no"}
    if isinstance(step, ScaleStep):
        return {str(value) for value in step.maps_to}
    if isinstance(step, ChoiceStep) and step.options:
        return {option.value for option in step.options}
    return None


def _when(branch: Branch) -> tuple[Condition, ...]:
    if branch.when is None:
        return ()
    return branch.when if isinstance(branch.when, tuple) else (branch.when,)


def check_set(flows: FlowSet, config: Config) -> Iterator[Problem]:
    """Checks across flows: the safety exits of every band, one set of keys per flow id,
    and answers every band can count together under each key."""
    yield from _parity(flows)
    yield from check_triggers(flows, config)
    for band in config.band_ids:
        for required in REQUIRED_FLOWS:
            if flows.resolve(band, required) is None:
                anchor = next(iter(flows), None)
                if anchor is None:
                    continue
                yield Problem(
                    anchor.path,
                    1,
                    1,
                    f"age band {band} has no `{required}` flow, so nobody could reach it.",
                    f"Add flows/{band}/{required}.yaml or flows/{COMMON}/{required}.yaml.",
                )
    by_id: dict[str, list[Flow]] = {}
    for flow in flows:
        if flow.scope != COMMON:
            by_id.setdefault(flow.id, []).append(flow)
    for versions in by_id.values():
        first = versions[0]
        for other in versions[1:]:
            if _keys(first) != _keys(other):
                missing = sorted(_keys(first) ^ _keys(other))
                yield _problem(
                    other,
                    None,
                    f"the {first.scope} and {other.scope} versions ask different questions "
                    f"(keys differ: {', '.join(missing)}).",
                    "Ask the same keys in every age band, so answers can be counted together. "
                    "Use `record: false` for extra questions, or `only_some_bands: true` for a "
                    "question only some bands ask.",
                )
            if _exits(first) != _exits(other):
                yield _problem(
                    other,
                    None,
                    f"the {first.scope} and {other.scope} versions do not offer the same ways "
                    "to reach a person.",
                    "Keep the same `handoff` steps (same `reason`, `urgent` and `priority`) "
                    "in every age band.",
                )


def _keys(flow: Flow) -> set[str]:
    return {
        s.key
        for s in flow.steps
        if isinstance(s, Question) and s.record and not s.about_you and not s.only_some_bands
    }


_KIND_NAMES = {
    "choice": "a choice",
    "multi": "a choice of several",
    "yes_no": "a yes/no question",
    "scale": "a scale",
    "text": "a free-text question",
}


def _parity(flows: FlowSet) -> Iterator[Problem]:
    """Per question key, in every flow and age band: the same kind (or a choice declared
    `counted_as` that kind), the same option values (or `counts_as` the first version's),
    and scales whose lowest and highest points sit on the same common points."""
    first: dict[str, tuple[Flow, Question]] = {}
    for flow in flows:  # in (scope, id) order, so the first version is a stable reference
        for step in flow.steps:
            if not isinstance(step, Question) or not step.record:
                continue
            if step.key not in first:
                first[step.key] = (flow, step)
                continue
            yield from _compare(*first[step.key], flow, step)


def _compare(ref_flow: Flow, ref: Question, flow: Flow, step: Question) -> Iterator[Problem]:
    there = f"the {ref_flow.scope} version ({ref_flow.path}:{ref_flow.where(ref.id)[0]})"
    kind, ref_kind = step.counted_kind, ref.counted_kind
    if kind != ref_kind:
        yield _problem(
            flow,
            step.id,
            f"the `{step.key}` question is {_KIND_NAMES.get(kind, kind)} here but "
            f"{_KIND_NAMES.get(ref_kind, ref_kind)} in {there}, so their answers cannot be "
            "counted together.",
            "Ask it the same way in every age band. If it is a different question, give it "
            "its own `key` and add `only_some_bands: true` where each key is asked; a choice "
            "can also say `counted_as: yes_no` (or `scale`) with a `counts_as` on every option.",
            where=("type",),
        )
        return
    values, ref_values = step.common_values(), ref.common_values()
    if values is not None and ref_values is not None and set(values) != set(ref_values):
        extra = [v for v in values if v not in ref_values]
        missing = [v for v in ref_values if v not in values]
        parts = []
        if extra:
            parts.append(f"{_listed(extra)} only here")
        if missing:
            parts.append(f"{_listed(missing)} missing here")
        index = next(
            (i for i, o in enumerate(getattr(step, "options", ())) if o.common in extra), None
        )
        hint = f"`counts_as: {missing[0]}`" if missing else "`counts_as:` with one of them"
        yield _problem(
            flow,
            step.id,
            f"the options of `{step.key}` do not match {there}: {'; '.join(parts)}.",
            "Use the same option `value`s in every age band (the labels can differ), or add "
            f"{hint} to the option that means the same, so answers are counted together.",
            where=("options", str(index)) if index is not None else ("options",),
        )
    ends, ref_ends = _ends_of(step), _ends_of(ref)
    if ends and ref_ends and ends != ref_ends:
        yield _problem(
            flow,
            step.id,
            f"the `{step.key}` scale goes from {ends[0]} to {ends[1]} on the common 1-5 scale "
            f"here, but from {ref_ends[0]} to {ref_ends[1]} in {there}.",
            f"Let the lowest and highest points map to {ref_ends[0]} and {ref_ends[1]} in every "
            f"age band, like `maps_to: [{ref_ends[0]}, 3, {ref_ends[1]}]` for three points.",
            where=("maps_to",) if isinstance(step, ScaleStep) else ("options",),
        )


def _ends_of(step: Question) -> tuple[int, int] | None:
    """The lowest and highest points of a scale (or of a choice counted as one)."""
    if isinstance(step, ScaleStep):
        return step.maps_to[0], step.maps_to[-1]
    if isinstance(step, ChoiceStep) and step.counted_as == "scale" and step.options:
        points = [int(option.common) for option in step.options]
        return min(points), max(points)
    return None


def _listed(values: Iterable[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def _exits(flow: Flow) -> set[str]:
    exits = {f"handoff:{s.reason}:{_soon(s)}" for s in flow.steps if isinstance(s, HandoffStep)}
    exits |= {
        f"goto:{s.flow}" for s in flow.steps if isinstance(s, GotoStep) and s.flow in REQUIRED_FLOWS
    }
    return exits


def check_words(flow: Flow, config: Config, translator: Translator | None) -> Iterator[Problem]:
    """Warnings about words: too long for the band, too hard for young readers, untranslated."""
    band = config.band(flow.scope) if flow.scope in config.band_ids else None
    for step in flow.steps:
        for part, text in step.texts():
            where = ("text",) if not part else ()
            if band:
                yield from _fit_for_band(flow, step.id, text, band, where)
            if translator is None:
                continue
            context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
            for lang in config.languages.shipped:
                if lang == config.languages.source:
                    continue
                catalog = translator.catalogs.get(lang)
                translated = catalog.messages.get((context, text)) if catalog else None
                for version in (translated,) if isinstance(translated, str) else translated or ():
                    if band and version:
                        yield from _fit_for_band(flow, step.id, version, band, where, lang)
                if catalog is None or (context, text) not in catalog.messages:
                    yield _problem(
                        flow,
                        step.id,
                        f"the text {_short(text)} has no {lang} translation yet.",
                        "Run `safevoice i18n update` and translate it in "
                        f"locales/{lang}/LC_MESSAGES/safevoice.po.",
                        warn=True,
                        where=where,
                        kind="untranslated",
                        lang=lang,
                    )
        if (
            band
            and isinstance(step, Question)
            and step.answer_kind not in band.keep
            and step.record
        ):
            yield _problem(
                flow,
                step.id,
                f"answers to this {step.answer_kind} question are not kept for "
                f"ages {band.id} (see `keep` in config.toml).",
                "Remove the question, or set `record: false` if it only steers the conversation.",
                warn=True,
                kind="not kept",
            )
        if isinstance(step, ChoiceStep) and step.options_from == "services" and not config.services:
            yield _problem(
                flow,
                step.id,
                "it lists the services, but config.toml has none.",
                "Add services under [services] in config.toml.",
            )


def check_reading(flow: Flow, config: Config, translator: Translator | None) -> Iterator[Problem]:
    """Warnings that quote a text too hard for its band (reading ease, where a measure
    exists for the language) or a word young readers stumble on, with a plainer one."""
    band = config.band(flow.scope) if flow.scope in config.band_ids else None
    youngest = min((b.max_age for b in config.age_bands), default=24)
    max_age = band.max_age if band else youngest  # common flows are read by every band
    source = config.languages.source
    for step in flow.steps:
        for part, text in step.texts():
            where = ("text",) if not part else ()
            context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
            for lang in config.languages.shipped:
                shown = text if lang == source else _translated(translator, lang, context, text)
                if shown is None:
                    continue
                ease = reading_ease(shown, lang)
                if ease is not None and ease < lowest_ease(max_age):
                    yield _problem(
                        flow,
                        step.id,
                        f"the {lang} text {_short(shown)} reads as hard (reading ease {ease}; "
                        f"for ages up to {max_age} aim for {lowest_ease(max_age):.0f} or more).",
                        "Use shorter sentences and shorter, everyday words.",
                        warn=True,
                        where=where,
                        kind="hard to read",
                        lang=lang if lang != source else "",
                    )
                if max_age > YOUNG_AGE:
                    continue
                for phrase, plainer in jargon_in(shown, lang):
                    yield _problem(
                        flow,
                        step.id,
                        f"the {lang} text {_short(shown)} says {phrase!r}, which young "
                        "readers may not know.",
                        f"Try {plainer!r} instead.",
                        warn=True,
                        where=where,
                        kind="jargon",
                        lang=lang if lang != source else "",
                    )


def _translated(translator: Translator | None, lang: str, context: str, text: str) -> str | None:
    catalog = translator.catalogs.get(lang) if translator else None
    if catalog is None or (context, text) not in catalog.messages:
        return None
    return translator.gettext(lang, context, text) if translator else None


def _fit_for_band(
    flow: Flow, step_id: str, text: str, band: AgeBand, where: tuple[str, ...], lang: str = ""
) -> Iterator[Problem]:
    """Too long for the band's messages, or (ages up to 12) a sentence too long to read:
    for the source text, and for each translation (`lang`), which young people read."""
    whose = f"the {lang} translation of this text" if lang else "this text"
    fix_in = f" in locales/{lang}/LC_MESSAGES/safevoice.po" if lang else ""
    if len(text) > band.max_message_chars:
        yield _problem(
            flow,
            step_id,
            f"{whose} has {len(text)} characters; for ages {band.id} "
            f"keep it under {band.max_message_chars}.",
            f"Say it in fewer words{fix_in}, or split it into two messages.",
            warn=True,
            where=where,
            kind="too long",
            lang=lang,
        )
    if band.max_age <= 12:
        longest = max((len(s.split()) for s in SENTENCE.findall(text)), default=0)
        if longest > YOUNG_MAX_WORDS:
            in_lang = f" of the {lang} translation" if lang else ""
            yield _problem(
                flow,
                step_id,
                f"a sentence{in_lang} has {longest} words, which is hard to read at ages "
                f"{band.id}.",
                f"Keep sentences under {YOUNG_MAX_WORDS} words{fix_in}.",
                warn=True,
                where=where,
                kind="long sentence",
                lang=lang,
            )


def _short(text: str) -> str:
    return repr(text if len(text) < 40 else text[:37] + "...")


def validate(flows: FlowSet, config: Config, translator: Translator | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for flow in flows:
        problems.extend(check_flow(flow, flows, config))
        problems.extend(check_words(flow, config, translator))
        problems.extend(check_reading(flow, config, translator))
    problems.extend(check_set(flows, config))
    return sorted(set(problems))


def blocking(problems: Iterable[Problem], *, strict: bool = False) -> list[Problem]:
    """The problems that make `safevoice flows validate` fail: errors, and with `--strict`
    warnings too. Warnings alone never stop the bot from starting."""
    return [p for p in problems if p.severity == "error" or strict]
