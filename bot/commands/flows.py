"""`safevoice flows validate|list|show|schema`: check and read flow files.

`validate` prints one `file:line:col: message` line per problem (warnings marked
"warning:"), then a summary, and exits 0 when there is no error (with `--strict`, no
warning either), 1 otherwise. Files given on the command line are checked against the
configured flows folder, so a link to another flow or a missing safety exit is judged
in the context the file will run in.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from bot.app import config_file, no_flows_message
from bot.commands.flows_schema import DEFAULT_PATH, write_schema
from bot.config import Config, load_config
from bot.errors import FlowError
from bot.flows import sheets, signoff
from bot.flows.flow import Flow, FlowSet
from bot.flows.loader import load_flows
from bot.flows.model import Branch
from bot.flows.problems import Problem
from bot.flows.sheet_files import FORMATS, read_sheet, write_sheet
from bot.flows.signoff import FILE_NAME, ROLES
from bot.flows.steps import Question, StepBase
from bot.flows.steps.choice import ChoiceStep
from bot.flows.steps.end import EndStep
from bot.flows.steps.goto import GotoStep
from bot.flows.steps.handoff import HandoffStep
from bot.flows.steps.scale import ScaleStep
from bot.flows.validate import validate
from bot.flows.wording import suggest
from bot.i18n.checks import catalog_problems
from bot.i18n.translator import Translator

SUFFIXES = (".yaml", ".yml")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("flows", help="check, list and show flow files")
    sub = parser.add_subparsers(dest="flows_command", metavar="ACTION", required=True)

    check = sub.add_parser(
        "validate",
        help="check flow files; exit 0 when valid",
        description="Check flow files (or folders of them); with no path, the flows folder.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="flow files or folders")
    check.add_argument("--strict", action="store_true", help="count warnings as errors")
    check.add_argument(
        "--summary", action="store_true", help="count the problems per language and kind"
    )
    check.add_argument("--kind", action="append", help="only problems of this kind (repeatable)")
    check.add_argument("--lang", action="append", help="only problems about this language")
    check.set_defaults(func=run_validate)

    listing = sub.add_parser("list", help="list every flow, by age band")
    listing.set_defaults(func=run_list)

    show = sub.add_parser("show", help="print a flow's steps and links as text")
    show.add_argument("flow", metavar="FLOW", help="the flow id, like service_feedback")
    show.add_argument("--age-band", help="the age band whose version to show (else common)")
    show.set_defaults(func=run_show)

    state = sub.add_parser(
        "status", help="which flows and languages are signed off, at which content"
    )
    state.add_argument(
        "--strict", action="store_true", help="exit 1 when anything is not signed off"
    )
    state.set_defaults(func=run_status)

    sign = sub.add_parser(
        "signoff",
        help="record that a flow, as it is now, is signed off in some languages",
        description="Record a sign-off of a flow's current content, per language, in "
        f"{FILE_NAME} in the flows folder. Changing the flow or a translation undoes it.",
    )
    sign.add_argument("flow", metavar="FLOW", help="the flow id, like service_feedback")
    sign.add_argument("--age-band", help="the age band whose version (else common)")
    sign.add_argument(
        "--lang", action="append", required=True, help="a language signed off (repeatable)"
    )
    sign.add_argument("--by", required=True, help="who signs off: a name or a group")
    sign.add_argument("--role", required=True, choices=ROLES, help="the signer's role")
    sign.set_defaults(func=run_signoff)

    export = sub.add_parser(
        "export", help="write every flow text and its translations to a spreadsheet"
    )
    export.add_argument("--format", choices=FORMATS, default="xlsx")
    export.add_argument("-o", "--output", help="the file to write (else flow-texts.FORMAT)")
    export.set_defaults(func=run_export)

    load = sub.add_parser(
        "import", help="apply an edited spreadsheet to the flow files and catalogs"
    )
    load.add_argument("file", metavar="FILE", help="a .xlsx or .csv made by `flows export`")
    load.set_defaults(func=run_import)

    schema = sub.add_parser("schema", help="write the JSON Schema editors use for flow files")
    schema.add_argument("path", nargs="?", default=str(DEFAULT_PATH), metavar="PATH")
    schema.set_defaults(func=run_schema)


def _setup(args: argparse.Namespace) -> tuple[Config, Path, Translator]:
    config, base = load_config(args.config)
    translator = Translator.load(
        base / config.locales_dir, config.languages.shipped, config.languages.source
    )
    return config, base / config.flows_dir, translator


def _files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            msg = f"{name}: no such file or folder."
            raise FlowError(msg)
    return files


def check(
    paths: list[str],
    config: Config,
    flows_dir: Path,
    translator: Translator,
    config_path: str | None = None,
) -> list[Problem]:
    """Every problem in `paths` (or in the whole flows folder when none are given)."""
    if not paths:
        flows, problems = load_flows(flows_dir)
        if not list(flows) and not problems:
            # An empty folder is not "valid": the bot would answer every /start with an error.
            raise FlowError(no_flows_message(config_file(config_path), flows_dir))
        return _without_echoes(problems, validate(flows, config, translator))
    files = _files(paths)
    if not files:
        msg = f"no flow files (*.yaml) in {', '.join(paths)}."
        raise FlowError(msg)
    context, _ = load_flows(flows_dir) if flows_dir.is_dir() else (FlowSet(), [])
    given, problems = load_flows(flows_dir, paths=files)
    merged = FlowSet(dict(context.flows))
    for flow in given:
        merged.add(flow)  # the given file wins over the folder's copy of it
    shown = {flow.path for flow in given} | {problem.file for problem in problems}
    found = [p for p in validate(merged, config, translator) if p.file in shown]
    return _without_echoes(problems, found)


_FLOW_ID = re.compile(r"^id:\s*[\"']?([A-Za-z0-9_-]+)", re.MULTILINE)


def _without_echoes(unreadable: list[Problem], found: list[Problem]) -> list[Problem]:
    """Both lists together, less the echoes of a file that cannot be read: a `goto` to the
    flow in it is not a second mistake ("flow ... does not exist") to chase."""
    ids = set()
    for problem in unreadable:
        if problem.severity != "error":
            continue
        path = Path(problem.file)
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        named = _FLOW_ID.search(text)
        ids.add(named.group(1) if named else path.stem)
    kept = [p for p in found if not (p.kind == "missing flow" and p.subject in ids)]
    return sorted(set(unreadable + kept))


def run_validate(args: argparse.Namespace) -> int:
    config, base = load_config(args.config)
    languages = [lang for lang in config.languages.shipped if lang != config.languages.source]
    # The catalogs first: a broken one must be reported, not stop the flow checks.
    found = list(catalog_problems(base / config.locales_dir, languages))
    broken = {p.lang for p in found if p.severity == "error"}
    translator = Translator.load(
        base / config.locales_dir,
        [lang for lang in config.languages.shipped if lang not in broken],
        config.languages.source,
    )
    flows_dir = base / config.flows_dir
    found += check(list(args.paths), config, flows_dir, translator, args.config)
    if flows_dir.is_dir():
        flows, _ = load_flows(flows_dir)
        found += signoff.version_problems(flows, signoff.SignoffBook.load(flows_dir))
    problems = _chosen(found, args.kind or [], args.lang or [])
    if args.summary:
        _print_summary(problems)
    else:
        for problem in problems:
            print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    failed = errors + (warnings if args.strict else 0)
    summary = f"{errors} error(s), {warnings} warning(s)"
    if args.strict and warnings:
        summary += " (--strict: warnings count as errors)"
    print(f"{summary}: {'not valid' if failed else 'valid'}.")
    return 1 if failed else 0


def _chosen(problems: list[Problem], kinds: list[str], langs: list[str]) -> list[Problem]:
    return [
        p
        for p in problems
        if (not kinds or (p.kind or "other") in kinds) and (not langs or p.lang in langs)
    ]


def _print_summary(problems: list[Problem]) -> None:
    """One line per (language, kind, severity) with its count, most first: 60 warnings
    about missing translations read as "de  untranslated  60 warnings"."""
    counts = Counter((p.lang or "all", p.kind or "other", p.severity) for p in problems)
    if not counts:
        return
    print(f"{'language':<10}{'kind':<22}count")
    for (lang, kind, severity), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{lang:<10}{kind:<22}{count} {severity}{'s' if count != 1 else ''}")
    print("Show them with --kind KIND and/or --lang LANG.")


def _load(args: argparse.Namespace) -> FlowSet:
    _, flows_dir, _ = _setup(args)
    flows, problems = load_flows(flows_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        listing = "\n".join(str(p) for p in errors[:20])
        msg = f"some flow files cannot be read; run `safevoice flows validate`:\n{listing}"
        raise FlowError(msg)
    return flows


def run_list(args: argparse.Namespace) -> int:
    for flow in _load(args):
        tags = " [feedback]" if flow.header.feedback else ""
        print(f"{flow.scope}/{flow.id}  v{flow.header.version}  {flow.header.title}{tags}")
        print(f"    {flow.path}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    flows = _load(args)
    flow = flows.resolve(args.age_band, args.flow)
    if flow is None:
        _not_found(flows, args.flow, args.age_band)
    print("\n".join(describe(flow)))
    return 0


def _not_found(flows: FlowSet, name: str, band: str | None) -> NoReturn:
    """Raise the error for a flow `name` that `band` (or common) does not have."""
    bands = sorted(
        (f.scope for f in flows if f.id == name and f.scope != band),
        key=lambda scope: int(scope.split("-")[0]) if scope[:1].isdigit() else 0,
    )
    if bands:
        # Regression: it said "no such flow" while listing it, with no way forward.
        where = ", ".join(bands)
        msg = (
            f"the flow {name!r} is written for each age band ({where}), not for "
            f"every band at once. Say which one: `safevoice flows show {name} "
            f"--age-band {bands[0]}`."
        )
        raise FlowError(msg)
    known = ", ".join(sorted({f.id for f in flows}))
    close = suggest(name, {f.id for f in flows})
    msg = f"there is no flow {name!r}.{close} Known: {known}."
    raise FlowError(msg)


def run_status(args: argparse.Namespace) -> int:
    config, flows_dir, translator = _setup(args)
    flows = _load(args)
    rows = signoff.status(
        flows, config.languages.shipped, translator, signoff.SignoffBook.load(flows_dir)
    )
    print(f"{'flow':<28}{'ver':>4}  {'lang':<6}{'content':<14}state")
    for row in rows:
        short = row.content.removeprefix("sha256:")[:12]
        print(f"{row.flow:<28}{row.version:>4}  {row.lang:<6}{short:<14}{row.describe()}")
    waiting = signoff.unsigned(rows)
    print(f"{len(rows) - len(waiting)} of {len(rows)} signed off as they are now.")
    return 1 if waiting and args.strict else 0


def run_signoff(args: argparse.Namespace) -> int:
    config, flows_dir, translator = _setup(args)
    flows = _load(args)
    flow = flows.resolve(args.age_band, args.flow)
    if flow is None or (args.age_band and flow.scope != args.age_band):
        _not_found(flows, args.flow, args.age_band)
    unknown = [lang for lang in args.lang if lang not in config.languages.shipped]
    if unknown:
        msg = (
            f"{', '.join(unknown)} is not a shipped language; shipped: "
            f"{', '.join(config.languages.shipped)}."
        )
        raise FlowError(msg)
    book = signoff.SignoffBook.load(flows_dir)
    for lang in args.lang:
        record = signoff.sign(flow, lang, translator, book, by=args.by, role=args.role)
        short = record.content.removeprefix("sha256:")[:12]
        print(f"{record.flow} v{record.version} ({lang}): signed off by {record.by} at {short}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    config, base = load_config(args.config)
    flows = _load(args)
    path = Path(args.output or f"flow-texts.{args.format}")
    if path.suffix.lstrip(".") not in FORMATS:
        path = path.with_suffix(f".{args.format}")
    found = sheets.rows(flows, config, base / config.locales_dir)
    write_sheet(path, sheets.columns(config), found, config.languages.source)
    print(f"{path}: {len(found)} texts in {len(config.languages.shipped)} languages")
    return 0


def run_import(args: argparse.Namespace) -> int:
    config, base = load_config(args.config)
    _load(args)  # the flows must be readable before anything is written into them
    edited = read_sheet(Path(args.file))
    outcome = sheets.apply(edited, base / config.flows_dir, config, base / config.locales_dir)
    for line in outcome.refused:
        print(line)
    if outcome.refused:
        print(f"{len(outcome.refused)} row(s) cannot be applied; nothing was changed.")
        return 1
    for line in outcome.warnings:
        print(f"warning: {line}")
    for path in outcome.changed_files:
        print(f"{path}: updated")
    print(
        f"{outcome.texts} text(s) and {outcome.translations} translation(s) changed"
        + ("; run `safevoice flows validate` next." if outcome.changed_files else ".")
    )
    return 0


def run_schema(args: argparse.Namespace) -> int:
    changed = write_schema(args.path)
    print(f"{args.path}: {'written' if changed else 'already up to date'}")
    return 0


def describe(flow: Flow) -> Iterator[str]:
    """A flow as text a reviewer can read: each step, what it asks, where it leads."""
    header = flow.header
    yield f"{flow.scope}/{flow.id} v{header.version}: {header.title}  ({flow.path})"
    if header.description:
        yield f"  {header.description}"
    yield f"  starts at: {flow.start}" + ("  (submits feedback)" if header.feedback else "")
    for step in flow.steps:
        yield ""
        yield from _step(step)


def _step(step: StepBase) -> Iterator[str]:
    extra = f" key={step.key}" if isinstance(step, Question) else ""
    if isinstance(step, Question) and not step.record:
        extra += " (not recorded)"
    yield f"- {step.id} ({step.kind}){extra}"
    if step.text:
        yield f"    {step.text}"
    if isinstance(step, ChoiceStep):
        if step.options_from:
            yield f"    options: the {step.options_from} in config.toml"
        for option in step.options:
            to = f" -> {option.goto}" if option.goto else ""
            yield f"    [{option.value}] {option.label}{to}"
    if isinstance(step, ScaleStep):
        labels = list(step.labels) or [str(n) for n in range(1, step.points + 1)]
        points = ", ".join(f"{label}={m}" for label, m in zip(labels, step.maps_to, strict=True))
        yield f"    scale: {points}"
    if isinstance(step, GotoStep):
        yield f"    => flow {step.flow}"
    if isinstance(step, HandoffStep):
        how = ", urgent" if step.urgent else ", priority" if step.priority else ""
        yield f"    asks for a person (reason: {step.reason}{how})"
    if isinstance(step, EndStep):
        yield f"    ends{', submits the answers' if step.submit else ''}; then: {step.then}"
    if isinstance(step.next, str):
        yield f"    -> {step.next}"
    elif step.next:
        for branch in step.next:
            yield f"    -> {branch.goto}{_when(branch)}"


def _when(branch: Branch) -> str:
    if branch.when is None:
        return "  (otherwise)"
    conditions = branch.when if isinstance(branch.when, tuple) else (branch.when,)
    parts = []
    for c in conditions:
        if c.skipped is not None:
            parts.append(f"{c.key} {'was skipped' if c.skipped else 'was answered'}")
        for test in ("equals", "one_of", "at_least", "at_most"):
            value = getattr(c, test)
            if value is not None:
                parts.append(f"{c.key} {test.replace('_', ' ')} {value!r}")
    return "  when " + " and ".join(parts)
