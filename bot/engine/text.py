"""Typed text the engine will not take as an answer, and what it says then.

Cleaning (NFC, no control or bidi-override characters) is `bot.inputs.clean_text`,
shared with every channel; here is only the refusal of a message over the limit
(`[engine] max_input_chars`): said in the chat's language, never cut without a word.
"""

from __future__ import annotations

from bot.config import Config
from bot.engine.events import Say
from bot.engine.session import Session
from bot.i18n.numbers import format_count
from bot.i18n.translator import Translator

__all__ = ["too_long"]


def too_long(translator: Translator, config: Config, session: Session) -> Say:
    """The kind sentence for a message longer than the engine takes, naming the limit."""
    lang, limit = session.lang, config.engine.max_input_chars
    text = translator.system(
        lang,
        "That message is longer than I can take ({limit} characters). "
        "Could you send it in shorter parts?",
        limit=format_count(limit, lang),
    )
    return Say(text=text, lang=lang, rtl=config.is_rtl(lang))
