"""`safevoice i18n extract|update|compile|status`: the translation catalogs.

extract  write locales/safevoice.pot from the flow files and the engine's own texts
update   merge it into each shipped language's .po (translations kept, changes marked)
compile  write the .mo files; refuses, with the reasons, when a catalog is broken
status   translated / fuzzy / missing per language; `--strict` fails on any gap
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from bot.config import Config, load_config
from bot.errors import FlowError
from bot.flows.loader import load_flows
from bot.i18n import catalogs
from bot.i18n.extract import build_template


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("i18n", help="translation catalogs (extract, update, ...)")
    sub = parser.add_subparsers(dest="i18n_command", metavar="ACTION", required=True)
    sub.add_parser("extract", help="write locales/safevoice.pot").set_defaults(func=extract)
    sub.add_parser("update", help="merge the template into every language").set_defaults(
        func=update
    )
    sub.add_parser("compile", help="write the .mo files").set_defaults(func=compile_)
    status_parser = sub.add_parser("status", help="how complete each language is")
    status_parser.add_argument(
        "--strict", action="store_true", help="exit 1 when any message is missing or fuzzy"
    )
    status_parser.set_defaults(func=status)


def _setup(args: argparse.Namespace) -> tuple[Config, Path, Catalog, list[str]]:
    config, base = load_config(getattr(args, "config", None))
    flows, problems = load_flows(base / config.flows_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        listing = "\n".join(str(p) for p in errors[:20])
        msg = f"the flows have {len(errors)} problem(s); fix them first:\n{listing}"
        raise FlowError(msg)
    languages = [lang for lang in config.languages.shipped if lang != config.languages.source]
    limits = {band.id: band.max_message_chars for band in config.age_bands}
    return config, base / config.locales_dir, build_template(flows, limits=limits), languages


def extract(args: argparse.Namespace) -> int:
    _, locales, template, _ = _setup(args)
    path = catalogs.write_template(template, locales)
    print(f"{path}: {sum(1 for m in template if m.id)} messages")
    return 0


def update(args: argparse.Namespace) -> int:
    _, locales, template, languages = _setup(args)
    catalogs.write_template(template, locales)
    for path in catalogs.update(template, locales, languages):
        print(f"{path}: updated")
    return status(args)


def compile_(args: argparse.Namespace) -> int:
    config, base = load_config(getattr(args, "config", None))
    languages = [lang for lang in config.languages.shipped if lang != config.languages.source]
    # A broken catalog raises CatalogError (a SafeVoiceError): the CLI prints it, exit 1.
    for path in catalogs.compile_catalogs(base / config.locales_dir, languages):
        print(f"{path}: compiled")
    return 0


def status(args: argparse.Namespace) -> int:
    _, locales, template, languages = _setup(args)
    gaps = False
    print(f"{'language':<10}{'translated':>12}{'fuzzy':>8}{'missing':>9}  review")
    for row in catalogs.status(template, locales, languages):
        gaps = gaps or not row.complete
        print(f"{row.lang:<10}{row.translated:>12}{row.fuzzy:>8}{row.missing:>9}  {row.review}")
    if gaps and getattr(args, "strict", False):
        print("safevoice: some messages are missing or fuzzy (see above).")
        return 1
    return 0
