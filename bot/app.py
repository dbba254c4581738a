"""Loading everything the conversation needs, once, at start-up."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

from bot.config import Config, Settings, load_config
from bot.engine.runner import Engine
from bot.errors import ConfigError, FlowError
from bot.flows.flow import FlowSet
from bot.flows.loader import load_flows
from bot.flows.problems import Problem
from bot.flows.signoff import SignoffBook, status, unsigned, version_problems
from bot.flows.validate import validate
from bot.i18n.detect import LanguageDetector
from bot.i18n.translator import Translator
from bot.safety.detector import Detector
from bot.safety.lexicon import DEFAULT_DIR

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class App:
    config: Config
    base: Path
    settings: Settings
    flows: FlowSet
    translator: Translator
    engine: Engine
    lexicon: Detector
    warnings: tuple[Problem, ...] = ()
    config_path: Path | None = None
    language_detector: LanguageDetector | None = None

    def with_secret(self, key: bytes) -> App:
        """The same app with another secret key (tests and previews pin one)."""
        return replace(self, settings=self.settings.model_copy(update={"secret_key": key}))


def load_app(config_path: str | Path | None = None, *, live: bool = False) -> App:
    """Config, flows and catalogs, checked. Raises a SafeVoiceError that says what is wrong.
    `live` (serve, run: young people will meet these flows) also applies the sign-off
    policy of config.toml's [signoff]."""
    config, base = load_config(config_path)
    flows, problems = load_flows(base / config.flows_dir)
    if not list(flows) and not problems:
        raise FlowError(no_flows_message(config_file(config_path), base / config.flows_dir))
    translator = Translator.load(
        base / config.locales_dir, config.languages.shipped, config.languages.source
    )
    problems += validate(flows, config, translator)
    book = SignoffBook.load(base / config.flows_dir)
    problems += version_problems(flows, book)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        listing = "\n".join(str(p) for p in errors[:20])
        msg = f"the flows have {len(errors)} problem(s); fix them and start again:\n{listing}"
        raise FlowError(msg)
    if live:
        _apply_signoff_policy(config, flows, translator, book)
    lexicon = load_lexicon(config, base)
    detector = LanguageDetector(config.languages.shipped)
    engine = Engine(flows, config, translator, detect=detector.detect, danger=lexicon)
    settings = Settings.from_env(config, base)
    return App(config, base, settings, flows, translator, engine, lexicon, tuple(problems),
               config_file(config_path), detector)  # fmt: skip


def _apply_signoff_policy(
    config: Config, flows: FlowSet, translator: Translator, book: SignoffBook
) -> None:
    policy = config.signoff.unsigned
    if policy == "allow":
        return
    rows = unsigned(status(flows, config.languages.shipped, translator, book))
    if not rows:
        return
    listing = ", ".join(f"{row.flow} ({row.lang}: {row.state})" for row in rows[:12])
    more = f" and {len(rows) - 12} more" if len(rows) > 12 else ""
    text = f"{len(rows)} flow version(s) nobody signed off as they are now: {listing}{more}"
    if policy == "refuse":
        msg = (
            f'{text}. [signoff] unsigned = "refuse" in config.toml: ask the advisory group '
            'to review them (`safevoice flows status` lists them), or set it to "warn".'
        )
        raise FlowError(msg)
    log.warning("%s (see `safevoice flows status`)", text)


def config_file(config_path: str | Path | None) -> Path:
    """The config file `load_config` reads for this argument (for messages)."""
    return Path(config_path or os.environ.get("SAFEVOICE_CONFIG") or "config.toml").resolve()


def no_flows_message(config: Path, folder: Path) -> str:
    where = "does not exist" if not folder.is_dir() else "holds no flow files (*/*.yaml)"
    return (
        f"{config}: flows_dir points to {folder}, which {where}. Set flows_dir (and "
        "locales_dir) to the folders with your flows and translations; relative paths are "
        "read from the config file's folder, not from where you run safevoice."
    )


def load_lexicon(config: Config, base: Path) -> Detector:
    """The danger phrases. A shipped language without phrases for a category is refused:
    a gap there would be a danger sign nobody sees."""
    folder = base / config.safety.lexicon_dir if config.safety.lexicon_dir else DEFAULT_DIR
    lexicon = Detector.load(folder)
    missing = lexicon.missing(config.languages.shipped)
    if missing:
        msg = f"{folder}: no danger phrases for {', '.join(missing)}; add <lang>.<category>.txt"
        raise ConfigError(msg)
    if not config.helplines:
        log.warning("no helplines in the config: danger messages will carry no numbers")
    return lexicon
