"""How a "you said, we did" update reads to a young person: their language, their band's words.

Staff write what young people said and what changed; these sentences frame it. The
youngest band (and a chat with no age yet) gets the simpler words. A text nobody has yet
approved in the young person's language is shown in the language it was written in, with
a note saying so.
"""

from __future__ import annotations

from bot.config import Config
from bot.engine.events import Say
from bot.i18n.translator import Translator
from bot.services.confirm import young
from bot.storage.updates import UpdateRow, UpdateText

__all__ = ["render_update", "text_for"]

SIMPLE_HEAD = "News from {service}:"
SIMPLE_SAID = "Young people told us: {said}"
SIMPLE_CHANGED = "So we changed this: {changed}"
HEAD = "'You said, we did' at {service}:"
SAID = "You said: {said}"
CHANGED = "We did: {changed}"
NOT_YET = "This news is not in your language yet, so here it is as it was written."
NONE_YET = "There is no news from {service} yet. Please look again another time."
NONE_YET_SIMPLE = "There is no news from {service} yet. You can look again another day."

TEXTS = (SIMPLE_HEAD, SIMPLE_SAID, SIMPLE_CHANGED, HEAD, SAID, CHANGED, NOT_YET, NONE_YET,
         NONE_YET_SIMPLE)  # fmt: skip


def text_for(update: UpdateRow, lang: str) -> tuple[UpdateText | None, bool]:
    """The approved text in `lang`, else the source text; and whether it is the fallback."""
    wanted = update.text(lang)
    if wanted is not None and wanted.approved_by is not None:
        return wanted, False
    return update.text(update.source_lang), lang != update.source_lang


def render_update(
    config: Config, translator: Translator, update: UpdateRow, lang: str, band: str | None
) -> Say | None:
    text, fallback = text_for(update, lang)
    if text is None:
        return None
    simple = young(config, band)
    service = (
        config.service_label(update.service, lang)
        if update.service in config.services
        else update.service
    )

    def t(sentence: str, **values: object) -> str:
        return translator.system(lang, sentence, **values)

    lines = [
        t(SIMPLE_HEAD if simple else HEAD, service=service),
        t(SIMPLE_SAID if simple else SAID, said=text.said),
        t(SIMPLE_CHANGED if simple else CHANGED, changed=text.changed),
    ]
    if fallback:
        lines.append(t(NOT_YET))
    # The staff's words are in the source language when falling back: shown left to right
    # only if the whole message is in a left-to-right language.
    rtl = config.is_rtl(lang) and not fallback
    return Say("\n".join(lines), lang, rtl)


def render_none(config: Config, translator: Translator, service: str | None, lang: str,
                band: str | None) -> Say:  # fmt: skip
    label = config.service_label(service, lang) if service in config.services else ""
    sentence = NONE_YET_SIMPLE if young(config, band) else NONE_YET
    return Say(translator.system(lang, sentence, service=label), lang, config.is_rtl(lang))
