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

__all__ = ["render_none", "render_update", "text_for"]


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
    service = (
        config.service_label(update.service, lang) if update.service in config.services else ""
    )
    tr = translator
    if young(config, band):
        lines = [
            tr.system(lang, "News from {service}:", service=service),
            tr.system(lang, "Young people told us: {said}", said=text.said),
            tr.system(lang, "So we changed this: {changed}", changed=text.changed),
        ]
    else:
        lines = [
            tr.system(lang, "'You said, we did' at {service}:", service=service),
            tr.system(lang, "You said: {said}", said=text.said),
            tr.system(lang, "We did: {changed}", changed=text.changed),
        ]
    if fallback:
        lines.append(
            tr.system(
                lang, "This news is not in your language yet, so here it is as it was written."
            )
        )
    return Say("\n".join(lines), lang, config.is_rtl(lang))


def render_none(config: Config, translator: Translator, service: str | None, lang: str,
                band: str | None) -> Say:  # fmt: skip
    label = config.service_label(service, lang) if service in config.services else ""
    if young(config, band):
        text = translator.system(
            lang,
            "There is no news from {service} yet. You can look again another day.",
            service=label,
        )
    else:
        text = translator.system(
            lang,
            "There is no news from {service} yet. Please look again another time.",
            service=label,
        )
    return Say(text, lang, config.is_rtl(lang))
