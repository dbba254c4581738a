"""The helplines a young person is given: for the deployment's country, in their language.

Used by the danger message (bot/safety/respond.py) and by the out-of-hours and "nobody
answered" messages of the handoff service (bot/services/handoff_texts.py): one list, one
format. The country is the service's (`[services.X] country`) or the deployment's
(`[safety] country`). Pure: config in, text out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config, Helpline
from bot.i18n.numbers import number_in_text


@dataclass(frozen=True)
class HelplineText:
    """One helpline with its name and note in the young person's language."""

    name: str
    number: str
    note: str = ""


def _pick(texts: dict[str, str], lang: str, source: str) -> str:
    base = lang.split("-")[0]
    return texts.get(lang) or texts.get(base) or texts.get(source) or next(iter(texts.values()), "")


def _fits_country(helpline: Helpline, country: str | None) -> bool:
    return helpline.country is None or country is None or helpline.country == country


def country_for(config: Config, service: str | None) -> str | None:
    """The country whose helplines a young person at `service` is given."""
    found = config.services.get(service) if service else None
    return (found.country if found else None) or config.safety.country


def helplines_for(config: Config, lang: str, *, country: str | None = None) -> list[HelplineText]:
    """The helplines to show in `lang`, in config order.

    Only those for `country` (default: `[safety] country`) and those without a country.
    Helplines limited to some `languages` are shown to speakers of those languages; if
    that leaves none at all, every helpline of the country is shown: a number in the
    wrong language is better than no number.
    """
    country = country or config.safety.country
    local = [h for h in config.helplines if _fits_country(h, country)]
    base = lang.split("-")[0]
    chosen = [h for h in local if not h.languages or lang in h.languages or base in h.languages]
    source = config.languages.source
    return [
        HelplineText(
            name=_pick(h.name, lang, source),
            number=h.number,
            note=_pick(h.note, lang, source) if h.note else "",
        )
        for h in (chosen or local)
    ]


def format_helplines(config: Config, lang: str, *, country: str | None = None) -> str:
    """One line per helpline, "• name: number (note)"; "" when there are none.

    In right-to-left languages each number is isolated left to right
    (bot/i18n/numbers.py), so "116 111" is not shown as "111 116".
    """
    rtl = config.is_rtl(lang)
    lines = []
    for helpline in helplines_for(config, lang, country=country):
        line = f"• {helpline.name}: {number_in_text(helpline.number, rtl)}"
        lines.append(f"{line} ({helpline.note})" if helpline.note else line)
    return "\n".join(lines)
