"""Telling apart languages no statistical detector here separates: Nigerian Pidgin from
English, Bosnian from Serbian (Latin script).

Pidgin is written with English letters and many English words, so it is recognised by
the words English does not use (wetin, dey, abeg, pikin...) and a few word pairs (I no,
no be, make we). Bosnian is ijekavian and the Serbian of Serbia ekavian: "vrijeme,
mjesto, dijete" against "vreme, mesto, dete". Most short texts hold no such word; they
are left to the statistical detector's own leaning.
"""

from __future__ import annotations

import re

# Words of Pidgin and of no other shipped language, and words other languages share
# (Italian "una", "di"; Swedish "dem"; Swahili "na"), which count only beside English.
_PIDGIN_WORDS = frozenset(
    [
        "wetin",
        "dey",
        "abeg",
        "abi",
        "pikin",
        "pikins",
        "sabi",
        "wahala",
        "oga",
        "wey",
        "shey",
        "sef",
        "jare",
        "comot",
        "tey",
        "nawa",
        "naija",
        "oyibo",
        "mumu",
        "chop",
        "ehn",
        "gbege",
        "katakata",
        "palava",
        "pesin",
        "pipo",
    ]
)
_PIDGIN_SHARED = frozenset(["una", "dem", "na", "don", "dis", "dat", "di", "sha", "wan", "yarn"])
_PIDGIN_PAIRS = re.compile(
    r"\b(?:i|we|e|dem|you|una|he|she) no (?!one\b|longer\b|more\b|matter\b)\w"
    r"|\bno be\b|\bmake (?:we|i|una|dem|e|you)\b|\bhow far\b|\bsmall small\b|\bwell well\b",
    re.IGNORECASE,
)
# Phrases of Pidgin that no shipped language says, whatever the detector took them for.
_PIDGIN_PHRASES = re.compile(
    r"\bno vex\b|\bna so\b|\be be (?:like|say|for|dat|dis)\b|\b(?:i|we|e|una|dem) go (?:try|come"
    r"|do|see|talk|tell|chop|waka|fit)\b|\bna im\b|\bna wa\b|\bi dey\b",
    re.IGNORECASE,
)
_PIDGIN_LETTERS = re.compile("[\u1eb9\u1ecd\u1eb8\u1ecc]")  # ẹ ọ: the Naijá spelling
_WORD = re.compile(r"[^\W\d_]+")

# A yat reflex written ije/je (ijekavian) after a consonant. "nije", "-cije", "-ije" at a
# word's end and the digraphs lj/nj are left out: Serbian writes them too.
_IJEKAVIAN = re.compile(
    r"(?<![nc])[bdfghklmprstvzčćšž]ije[^\W\d_]|(?<![ln])[bdmpsvt]je(?!k)[^\W\d_]"
    r"|\b(?:gdje|ovdje|ondje|negdje|nigdje|igdje|prije|poslije|dijete|vrijeme|mlijeko)\b",
    re.IGNORECASE,
)
_EKAVIAN = re.compile(
    r"\b(?:vrem\w*|mest\w*|dete|deca|gde|ovde|pre|posle|uvek|lep|lepo|lepa"
    r"|mleko|svet|sveta|cena|beo|bela|pesm\w*|devoj\w*|reš\w*|mesec\w*|vest\w*|reč\w*"
    r"|uspeš\w*|nedelj\w*|ponedelj\w*|beloru\w*|napred|belešk\w*|cel\w*|ocen\w*"
    r"|ceo|cela|celo|lek\w*|hleb|hte\w*|promen\w*|izmen\w*|zamen\w*|vrednost\w*|sedi"
    r"|verovatno|razume\w*|primer\w*|uneti|odeljak|procen\w*)\b",
    re.IGNORECASE,
)
# Words of the standards themselves, not of the yat: Bosnian "sedmica, historija,
# općina, također, lahko", Serbian "nedelja, istorija, opština, takođe, lako".
_BOSNIAN_WORDS = re.compile(
    r"\b(?:sedmic\w*|historij\w*|histori\w*|općin\w*|opć\w*|uopće|također|švicarsk\w*"
    r"|njemač\w*|lahk\w*|hljeb\w*|kahv\w*|mehk\w*|sahat\w*|cijel\w*|cijeo|unesen\w*)\b",
    re.IGNORECASE,
)
_SERBIAN_WORDS = re.compile(
    r"\b(?:istorij\w*|opšt\w*|uopšte|takođe|švajcarsk\w*|nemač\w*|ceo|unet|uneta|uneto)\b",
    re.IGNORECASE,
)


def is_pidgin(text: str, statistical_guess: str | None) -> bool:
    """True when `text` has Pidgin's own words or spelling, or, where the detector took
    it for English, any Pidgin word or phrase at all."""
    words = [w.lower() for w in _WORD.findall(text)]
    if _PIDGIN_LETTERS.search(text) or any(w in _PIDGIN_WORDS for w in words):
        return True
    if _PIDGIN_PHRASES.search(text):
        return True
    if statistical_guess != "en":
        return False
    return any(w in _PIDGIN_SHARED for w in words) or bool(_PIDGIN_PAIRS.search(text))


def serbian_or_bosnian(text: str) -> str | None:
    """ "bs" for ijekavian forms, "sr" for ekavian ones, None when the text has neither."""
    ije = len(_IJEKAVIAN.findall(text)) + len(_BOSNIAN_WORDS.findall(text))
    eka = len(_EKAVIAN.findall(text)) + len(_SERBIAN_WORDS.findall(text))
    if ije > eka:
        return "bs"
    if eka > ije:
        return "sr"
    return None
