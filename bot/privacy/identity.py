"""Passes of the scrubber that remove what identifies a person without being a contact
detail: configured place names, street addresses, handles written without "@", phone
numbers written as words, and personal names. See docs/privacy.md, "What is removed from
free text", for what each pass takes and why it leaves ordinary words alone.

Each pass takes normalised text (see ``scrub._normalise``) and returns text; placeholders
(``[name]``, ``[address]``...) are never matched again, so scrubbing twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.privacy.names import NameData, is_arabic, key, name_data

__all__ = [
    "compile_places",
    "scrub_addresses",
    "scrub_handles",
    "scrub_names",
    "scrub_number_words",
    "scrub_places",
]

_L = r"[^\W\d_]"  # a letter of any script
_WORD = rf"{_L}+(?:['’\-]{_L}+)*"

# -- configured places ------------------------------------------------------------------


def compile_places(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the configured school, shelter and place names: case- and
    diacritic-insensitive, any run of spaces between words, whole words only."""
    parts = []
    for name in names:
        words = [w for w in re.split(r"\s+", str(name).strip()) if w]
        if words:
            parts.append(r"\s+".join(_loose(w) for w in words))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)  # the longest name wins: "Liceul Nr 2" over "Liceul"
    return re.compile(rf"(?i)(?<![\w\[])(?:{'|'.join(parts)})(?!\w)")


_LOOSE = {
    "a": "[aăâàáä]",
    "i": "[iîíï]",
    "s": "[sșş]",
    "t": "[tțţ]",
    "e": "[eéèë]",
    "o": "[oóöô]",
    "u": "[uúüû]",
}


def _loose(word: str) -> str:
    out = []
    for ch in key(word):
        out.append(_LOOSE.get(ch, re.escape(ch)))
    return "".join(out)


def scrub_places(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub("[place]", text) if pattern is not None else text


# -- street addresses ----------------------------------------------------------------------

_EN_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|place|pl|crescent|cres"
    "|terrace|grove|gardens|square|sq|hill|park|row|walk|mews|parade|boulevard|blvd|estate"
)
# Words that never sit between a house number and a street type: "2 hours on the street".
_EN_STOP = (
    "the|a|an|on|in|at|of|to|my|our|your|their|his|her|its|this|that|these|those|and|or|but"
    "|from|for|with|near|by|across|down|up|along|into|onto|over|under|off|out|outside|inside"
    "|around|behind|was|were|is|are|we|i|you|they|he|she|it|me|us|them|hours|hour|minutes"
    "|days|weeks|years|times|people|kids|men|women|cars|buses|nights|mins|every|each|all|no"
)
_EN_NAME_WORD = rf"(?!(?:{_EN_STOP})\b){_L}[\w'’\-]*"
_FLAT = r"(?:(?:flat|apt|apartment|unit|room)\s*\d{1,4}[a-z]?\s*,?\s*)"
_EN_NUMBERED = re.compile(
    rf"(?i)(?<![\w\[]){_FLAT}?\d{{1,4}}[a-z]?,?\s+(?:{_EN_NAME_WORD}\s+){{1,3}}(?:{_EN_TYPES})\b\.?"
)
_TITLE = r"[A-Z][a-z'’]+"
_EN_NAMED = re.compile(
    rf"(?<![\w\[])(?:{_TITLE}\s+){{1,3}}"
    r"(?:Street|Road|Avenue|Lane|Close|Drive|Crescent|Terrace|Grove|Gardens|Boulevard)\b"
)
_UK_POSTCODE = re.compile(r"(?<![\w\[])[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?!\w)")

_RO_TYPES = (
    r"strada|str\.|str|stradela|bulevardul|bulev\.|b-dul|bd\.|bd|blvd\.?|calea|aleea|șoseaua"
    r"|soseaua|șos\.|sos\.|șos|sos|splaiul|intrarea|piața|piata|drumul|fundătura|fundatura"
    r"|prelungirea"
)
_RO_NR = r"(?:nr\.?|numărul|numarul|număr|numar)"
_RO_PARTS = (
    r"(?:\s*,?\s*(?:bl\.?|bloc(?:ul)?|sc\.?|scara|et\.?|etaj(?:ul)?|ap\.?|apartament(?:ul)?"
    r"|apt\.?|cam\.?|camera)\s*[A-Za-z]?\d{1,4}[A-Za-z]?(?!\w))"
)
_RO_NUMBER = rf"(?:\s*,?\s*{_RO_NR}?\s*\d{{1,4}}[A-Za-z]?(?!\w))"
# The street's own name: capitalised words, or any words when a number follows.
_CAP = r"[A-ZĂÂÎȘŞȚŢ][\w'’\-]*"
_RO_ADDRESS = re.compile(
    rf"(?i)(?<![\w\[])(?:{_RO_TYPES})(?!\w)\s*"
    rf"(?:(?-i:(?:{_CAP}|\d{{1,2}})(?:\s+(?:{_CAP}|\d{{1,2}}|de|lui|cu)){{0,3}}){_RO_NUMBER}?"
    rf"|(?:{_L}+\s+){{0,3}}?{_L}+{_RO_NUMBER})"
    rf"{_RO_PARTS}{{0,5}}"
)
_RO_BLOCK = re.compile(
    rf"(?i)(?<![\w\[])(?:bl\.?|bloc(?:ul)?)\s*[A-Za-z]?\d{{1,4}}[A-Za-z]?(?!\w){_RO_PARTS}{{0,4}}"
)

_AR_STREET = "(?:شارع|حي|حارة|زقاق|طريق|جادة)"


def _keys(words: str) -> frozenset[str]:
    return frozenset(key(w) for w in words.split())


_AR_STOP = _keys("في من الى إلى على عن مع قرب بجانب عند و او أو ثم لكن هو هي كان كانت هذا هذه")
_AR_TOKEN = re.compile(r"[\u0600-\u06ff]+")
_AR_ADDRESS_HEAD = re.compile(rf"(?<![\w\[]){_AR_STREET}(?!\w)")
_AR_UNIT = re.compile(
    r"\s*[،,]?\s*(?:رقم|عمارة|بناية|مبنى|بيت|منزل|شقة|طابق|ط\.?)\s*(?:رقم\s*)?\d{1,4}(?!\w)"
)
_CITY_AFTER = re.compile(rf"\s*,\s*(?-i:{_CAP})(?:\s+(?-i:{_CAP}))?(?=$|[\s.,;!?])")
_SAME = re.compile(r"\[address\](?:\s*[,،]?\s*\[address\])+")


def scrub_addresses(text: str, data: NameData | None = None) -> str:
    if not _has_address_word(text):
        return text
    text = _RO_ADDRESS.sub("[address]", text)
    text = _RO_BLOCK.sub("[address]", text)
    text = _EN_NUMBERED.sub("[address]", text)
    text = _EN_NAMED.sub("[address]", text)
    text = _UK_POSTCODE.sub("[address]", text)
    text = _arabic_addresses(text, data or name_data())
    text = _absorb_city(text)
    return _SAME.sub("[address]", text)


_ADDRESS_HINT = re.compile(
    rf"(?i)\d|\b(?:{_RO_TYPES}|street|road|avenue|lane|close|drive|crescent|terrace|grove"
    rf"|gardens|boulevard)|{_AR_STREET}"
)


def _has_address_word(text: str) -> bool:
    return bool(_ADDRESS_HINT.search(text))


def _arabic_addresses(text: str, data: NameData) -> str:
    out: list[str] = []
    pos = 0
    for head in _AR_ADDRESS_HEAD.finditer(text):
        if head.start() < pos:
            continue
        end = head.end()
        taken = 0
        while taken < 3:
            m = re.compile(r"\s+([\u0600-\u06ff]+|\d{1,4})").match(text, end)
            if m is None:
                break
            word = m.group(1)
            k = key(word)
            first_ok = word.isdecimal() or k.startswith("ال") or data.is_name(k)
            if k in _AR_STOP or (taken == 0 and not first_ok):
                break
            if taken > 0 and not (first_ok or k.startswith("ال")):
                break
            end = m.end()
            taken += 1
        if taken == 0:
            continue
        unit = _AR_UNIT.match(text, end)
        while unit is not None:
            end = unit.end()
            unit = _AR_UNIT.match(text, end)
        out.append(text[pos : head.start()])
        out.append("[address]")
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _absorb_city(text: str) -> str:
    """ "[address], Iasi" -> "[address]": the town right after a street goes with it."""
    if "[address]," not in text:
        return text
    parts = text.split("[address]")
    for i in range(1, len(parts)):
        m = _CITY_AFTER.match(parts[i])
        if m and not _is_common(key(m.group().strip(" ,").split()[0])):
            parts[i] = parts[i][m.end() :]
    return "[address]".join(parts)


# -- handles without "@" -------------------------------------------------------------------

_PLATFORMS = (
    r"insta(?:gram)?|ig|snap(?:chat)?|tik\s?tok|tiktok|discord|fb|facebook|face|telegram"
    r"|whats\s?app|whatsapp|twitter|kik|viber|skype|twitch|yt|youtube|threads|bereal|roblox"
    r"|steam|psn|xbox|reddit|pinterest|vsco|wechat|line|signal|messenger"
)
_AR_PLATFORMS = (
    r"انستا|انستغرام|انستقرام|إنستغرام|انستجرام|سناب(?:\s*شات)?|تيك\s?توك|فيس(?:\s*بوك)?|فيسبوك"
    r"|واتس(?:\s*اب)?|واتساب|تلغرام|تليجرام|تلجرام|ديسكورد|تويتر"
)
_STRONG_LEAD = r"(?:add\s+me\s+on|follow\s+me\s+on|find\s+me\s+on|dm\s+me\s+on|text\s+me\s+on"
_STRONG_LEAD += r"|message\s+me\s+on|my|pe|m[ăa]\s+g[ăa]se[șs]ti\s+pe|adaug[ăa]-?m[ăa]\s+pe)"
_SEPARATOR = (
    r"(?:\s*(?:account|acc|id|user(?:name)?|name|handle|cont(?:ul)?(?:\s+meu)?|id-ul"
    r"|(?:'s|’s))?\s*"
    r"(?:is|=|:|-|–|—|e|este|sunt|ul\s+meu\s+e|هو|:)\s*)"
)
_HANDLE_BODY = r"(?P<handle>[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,40}[A-Za-z0-9_])?(?:#\d{1,5})?)"
_HANDLE = re.compile(
    rf"(?i)(?<![\w\[])(?P<lead>{_STRONG_LEAD}\s+)?(?P<platform>{_PLATFORMS})(?![\w])"
    rf"(?P<sep>{_SEPARATOR}|\s+)(?:(?:ca|as|la)\s+)?{_HANDLE_BODY}(?![\w@])"
)
_AR_HANDLE = re.compile(
    rf"(?<![\w\[])(?:{_AR_PLATFORMS})(?:ي)?\s*(?:[:\-=]|هو)?\s*(?:على\s+)?"
    r"(?P<handle>[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,40}[A-Za-z0-9_])?)(?![\w@])"
)
# A handle almost always has one of these, and an ordinary word never does.
_HANDLE_CHARS = re.compile(r"[_.\d]|[a-z][A-Z]")


def scrub_handles(text: str, data: NameData | None = None) -> str:
    names = data or name_data()

    def replace(m: re.Match[str]) -> str:
        handle = m.group("handle")
        strong = bool(m.group("lead")) or bool(m.group("sep").strip())
        if not _looks_like_handle(handle, strong, names):
            return m.group()
        return m.group()[: m.start("handle") - m.start()] + "[handle]"

    text = _HANDLE.sub(replace, text)
    return _AR_HANDLE.sub(
        lambda m: m.group()[: m.start("handle") - m.start()] + "[handle]",
        text,
    )


def _looks_like_handle(token: str, strong: bool, names: NameData) -> bool:
    if _HANDLE_CHARS.search(token.strip(".-")):
        return not token.replace(".", "").isdecimal() or len(token) > 4
    k = key(token)
    if names.is_name(k) and k not in names.ambiguous:
        return True
    if strong:
        return not _is_common(k, 3.5)
    return _frequency(k) < 2.5


# -- numbers written as words ----------------------------------------------------------

_DIGIT_WORDS: dict[str, int] = {}
for _digit, _words in enumerate(
    (
        "zero oh nought zerou صفر",
        "one unu una unul واحد",
        "two doi două doua اثنان اثنين إثنين اتنين إثنان",
        "three trei ثلاثة ثلاثه تلاتة تلاته",
        "four patru أربعة اربعة اربعه أربعه",
        "five cinci خمسة خمسه",
        "six șase sase şase ستة سته",
        "seven șapte sapte şapte سبعة سبعه",
        "eight opt ثمانية ثمانيه تمانية تمانيه",
        "nine nouă noua تسعة تسعه",
    )
):
    for _w in _words.split():
        _DIGIT_WORDS[key(_w)] = _digit
_REPEAT = {"double": 2, "triple": 3, "dublu": 2, "triplu": 3}
_NUMBER_TOKEN = re.compile(rf"{_L}+|\d+")
_NUMBER_GAP = re.compile(r"[\s,.\-/()]*")
_PHONE_WORD_DIGITS = 7


def scrub_number_words(text: str) -> str:
    """ "oh seven two one two three four five six seven" -> "[phone]"; digits may mix in."""
    tokens = list(_NUMBER_TOKEN.finditer(text))
    if not any(key(t.group()) in _DIGIT_WORDS for t in tokens):
        return text
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        j, digits, words, repeat = i, 0, 0, 1
        start = end = -1
        while j < len(tokens):
            tok = tokens[j]
            if j > i and not _NUMBER_GAP.fullmatch(text, tokens[j - 1].end(), tok.start()):
                break
            value = tok.group()
            k = key(value)
            if value.isdecimal() and len(value) <= 4:
                digits += len(value) * repeat
                repeat = 1
            elif k in _DIGIT_WORDS:
                digits += repeat
                words += 1
                repeat = 1
            elif k in _REPEAT and repeat == 1:
                repeat = _REPEAT[k]
            else:
                break
            if start < 0:
                start = tok.start()
            end = tok.end()
            j += 1
        if words and digits >= _PHONE_WORD_DIGITS:
            spans.append((start, end))
            i = j
        else:
            i += 1
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append("[phone]")
        pos = end
    out.append(text[pos:])
    return "".join(out)


# -- personal names --------------------------------------------------------------------

# Not a word glued to a handle or a file name: "ana.m_07", "maria_p".
_TOKEN = re.compile(rf"(?<![\[\w.@#])(?<!\w[._]){_WORD}(?![\]\w@#]|[._]\w)")
_SENTENCE_END = re.compile(r"[.!?…:;\n\"“”«»()]|^\s*-")
_TIGHT = re.compile(r"\s{1,3}")  # only spaces between the parts of one name
_AFTER_CUE = re.compile(r"[\s:,\-–—=\"'“”«»]{0,6}")


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(key(re.sub(r"['’]s$", "", w)) for w in p.split()) for p in text.split("|"))


_STRONG_CUES = _phrases(
    "my name is|my name's|my names|name is|i am called|i'm called|im called|i am named"
    "|call me|they call me|everyone calls me|people call me|you can call me|my nickname is"
    "|nickname is|i go by|name's|it's me|signed"
    "|ma numesc|numele meu e|numele meu este|numele meu îi|numele e|ma cheama|imi zice|imi spune"
    "|mi se spune|mi se zice|ma striga|ma semnez|semnat"
    "|اسمي|انا اسمي|اسمي هو|ينادونني|ينادوني|نادوني|ادعي|لقبي"
    "|esmi|ismi|esmy|ismy|esmee|ismee|esmi howa|ana esmi|ana ismi|smiti"
    # The other shipped languages: "my name is" and "they call me" in each (the name lists
    # are en/ro/ar only, so here the cue is what tells a name).
    "|ich heiße|ich heisse|mein name ist|mein name is|man nennt mich|nennt mich"
    "|mi chiamo|il mio nome è|il mio nome e|mi chiamano|chiamami"
    "|ik heet|mijn naam is|noem me|ze noemen me"
    "|jag heter|mitt namn är|kalla mig|de kallar mig"
    "|jeg heter|mitt navn er|kall meg|de kaller meg"
    "|mani sauc|mans vārds ir|sauc mani"
    "|мене звати|мене звуть|моє ім'я|моє ім’я|моє імʼя|мене кличуть|mene zvaty|mene zvut"
    "|zovem se|ime mi je|moje ime je|zovu me"
    "|quhem|emri im është|emri im eshte|më thërrasin|me therrasin"
    "|اسم من|اسمم|نام من|esme man|esmam|name man"
    "|jina langu ni|naitwa|ninaitwa|wananiita"
    "|magacaygu waa|magacayga waa|magacaygu|waxaa la i yiraahdaa|waxaa la igu yiraahdaa"
    "|ስመይ|ሽመይ"
    "|my name na|ma name na|dem dey call me|dem call me|people dey call me"
)
_WEAK_CUES = _phrases("i am|i'm|im|sunt|eu sunt|eu is|انا|أنا|ana")


def _by_first_word(cues: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for cue in cues:
        found.setdefault(cue[0], []).append(cue)
    return {first: tuple(group) for first, group in found.items()}


# Looked up by a token's key: trying every cue of 18 languages at every word was most of
# the time a free text took.
_CUE_INDEX = ((_by_first_word(_STRONG_CUES), True), (_by_first_word(_WEAK_CUES), False))
_ROLES = _keys(
    """
    worker caseworker keyworker counsellor counselor teacher miss mrs mr ms mx dr doctor nurse
    officer sir madam auntie aunt uncle coach manager lawyer judge carer mentor psychologist
    therapist volunteer principal headteacher director mum mom dad mother father brother
    sister friend cousin boyfriend girlfriend colleague interpreter translator
    doamna doamnei doamnă domnul domnului dna dl d-na d-l dnei dlui profesoara profesorul
    profesoarei profesorului prof psihologul psihologa psiholoaga asistenta asistentul
    educatoarea educatorul diriginta dirigintele doctorul doctorița doctora medicul polițistul
    polițista avocata avocatul tanti nenea mătușa unchiul colegul colega prietena prietenul
    sora fratele iubitul iubita lui coordonatoarea coordonatorul directoarea directorul
    voluntarul voluntara mentorul mentora terapeuta terapeutul domnișoara d-ra mama tata
    الأستاذ الأستاذة أستاذ أستاذة المعلم المعلمة معلمتي معلمي الدكتور الدكتورة دكتور دكتورة
    السيد السيدة الست ست الآنسة المرشد المرشدة الأخصائي الأخصائية العامل العاملة الموظف
    الموظفة المشرف المشرفة المدير المديرة الشيخ خالتو عمو خالة عمة صديقي صديقتي أخي أختي
    أبو أم بن بنت
    """
)
# Arabic titles before a name; after other role words ("الموظف", the employee) only a name
# that is not also a word counts: "الموظف كريم جدا" is "the employee is very generous".
_AR_TITLES = _keys(
    "الأستاذ الأستاذة أستاذ أستاذة الدكتور الدكتورة دكتور دكتورة السيد السيدة الست ست"
    " الآنسة الشيخ أبو أم بن بنت خالتو عمو"
)
# Romanian family names are recognisable by their endings even when not in a list.
_RO_FAMILY = re.compile(r"(?:escu|eanu|anu|ache|oiu|ovici|evici|ciuc)$")
_COMMON = 4.3


@lru_cache(maxsize=8192)
def _frequency(k: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return 0.0
    if is_arabic(k):
        return float(zipf_frequency(k, "ar"))
    return float(max(zipf_frequency(k, "en"), zipf_frequency(k, "ro")))


def _is_common(k: str, threshold: float = _COMMON) -> bool:
    return _frequency(k) >= threshold


class _Tok:
    __slots__ = ("arabic", "end", "initial", "key", "start", "title", "word")

    def __init__(self, m: re.Match[str], initial: bool) -> None:
        self.word = m.group()
        self.start, self.end = m.start(), m.end()
        base = re.sub(r"['’]s$", "", self.word)
        self.key = key(base)
        self.arabic = is_arabic(self.word)
        w = self.word
        self.title = not self.arabic and w[0].isupper() and (len(w) == 1 or not w.isupper())
        self.initial = initial


def scrub_names(text: str, data: NameData | None = None) -> str:
    names = data or name_data()
    toks: list[_Tok] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        gap = text[prev_end : m.start()]
        initial = not toks or bool(_SENTENCE_END.search(gap))
        toks.append(_Tok(m, initial))
        prev_end = m.end()
    if not toks:
        return text
    remove = [False] * len(toks)

    def tight(i: int) -> bool:  # token i follows token i-1 with only spaces between
        return i > 0 and bool(_TIGHT.fullmatch(text, toks[i - 1].end, toks[i].start))

    def extend(i: int) -> None:
        """Token i is a name: take the parts of the same name that follow it."""
        j = i + 1
        while j < len(toks) and j <= i + 3 and tight(j) and _name_part(toks[j], names):
            remove[j] = True
            j += 1

    i = 0
    while i < len(toks):
        cue = _cue_at(toks, i, text)
        if cue is not None:
            after, strong = cue
            if after < len(toks) and _AFTER_CUE.fullmatch(
                text, toks[after - 1].end, toks[after].start
            ):
                t = toks[after]
                take = _after_strong(t, names) if strong else _after_weak(t, names)
                if take:
                    remove[after] = True
                    extend(after)
                    i = after + 1
                    continue
        t = toks[i]
        if t.key in _ROLES and i + 1 < len(toks):
            nxt = toks[i + 1]
            gap_ok = re.fullmatch(r"[.\s]{1,3}", text[t.end : nxt.start])
            if gap_ok and _after_role(nxt, names, t.key in _AR_TITLES):
                remove[i + 1] = True
                extend(i + 1)
                i += 2
                continue
        if _single_name(t, names):
            remove[i] = True
            extend(i)
        elif i + 1 < len(toks) and tight(i + 1) and _full_name(t, toks[i + 1], names):
            remove[i] = remove[i + 1] = True
            extend(i + 1)
        i += 1

    out: list[str] = []
    pos = 0
    i = 0
    while i < len(toks):
        if not remove[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and remove[j + 1] and tight(j + 1):
            j += 1
        start = toks[i].start
        prefix = ""
        if toks[i].arabic and toks[i].word.startswith("و") and not names.is_name(toks[i].key):
            prefix = "و"
        out.append(text[pos:start] + prefix + "[name]")
        pos = toks[j].end
        i = j + 1
    out.append(text[pos:])
    return "".join(out)


def _cue_at(toks: list[_Tok], i: int, text: str) -> tuple[int, bool] | None:
    """(index of the token after the cue, strong) when a cue starts at token i."""
    best: tuple[int, bool] | None = None
    first = toks[i].key
    for index, strong in _CUE_INDEX:
        for cue in index.get(first, ()):
            n = len(cue)
            if i + n > len(toks) or tuple(t.key for t in toks[i : i + n]) != cue:
                continue
            if any(
                not re.fullmatch(r"\s{1,3}", text[toks[j - 1].end : toks[j].start])
                for j in range(i + 1, i + n)
            ):
                continue
            after = i + n
            # "اسمي هو أحمد", "my name is: Maria"
            if after < len(toks) and toks[after].key in ("هو", "هي", "howa", "hiya", "e"):
                after += 1
            if best is None or after > best[0]:
                best = (after, strong)
        if best is not None:
            return best
    # "name: Maria", "nume: Ana", "الاسم: مريم"
    named = toks[i].key in ("name", "nume", "numele", "الاسم", "اسم") and i + 1 < len(toks)
    if named and re.fullmatch(r"\s*[:=\-]\s*", text[toks[i].end : toks[i + 1].start]):
        return (i + 1, True)
    return None


def _name_part(t: _Tok, names: NameData) -> bool:
    if t.arabic:
        return names.is_name(t.key) and not _is_function_word(t)
    if not t.title:
        return names.is_clear(t.key)
    return names.is_name(t.key) or bool(_RO_FAMILY.search(t.key)) or not _is_common(t.key, 4.0)


def _is_function_word(t: _Tok) -> bool:
    return t.key in _AR_STOP


def _after_strong(t: _Tok, names: NameData) -> bool:
    return t.title or names.is_name(t.key) or not _is_common(t.key)


def _after_weak(t: _Tok, names: NameData) -> bool:
    if t.arabic:
        return names.is_clear(t.key)
    if names.is_clear(t.key):
        return True
    return t.title and not t.initial and names.is_name(t.key) and t.key not in names.ambiguous


def _after_role(t: _Tok, names: NameData, title: bool) -> bool:
    if t.arabic:
        if _is_function_word(t):
            return False
        return names.is_name(t.key) if title else names.is_clear(t.key)
    if t.title:
        return names.is_name(t.key) or bool(_RO_FAMILY.search(t.key)) or not _is_common(t.key, 4.0)
    return names.is_clear(t.key) and names.is_given(t.key)


def _single_name(t: _Tok, names: NameData) -> bool:
    k = t.key
    if t.arabic:
        if k.startswith("و") and len(k) > 3 and names.is_given(k[1:]) and names.is_clear(k[1:]):
            return True
        return names.is_given(k) and names.is_clear(k)
    if not t.title:
        return False
    if "-" in k:
        return all(names.is_given(p) and names.is_clear(p) for p in k.split("-"))
    if names.is_given(k) and names.is_clear(k):
        return True
    if k.endswith("ei") and names.is_given(k[:-2] + "a") and names.is_clear(k[:-2] + "a"):
        return True  # Romanian genitive: "Mariei", "Ioanei"
    if t.initial:
        return False
    return (bool(_RO_FAMILY.search(k)) and len(k) > 5) or (
        names.is_family(k) and names.is_clear(k) and not _is_common(k, 4.0)
    )


def _full_name(a: _Tok, b: _Tok, names: NameData) -> bool:
    if a.arabic != b.arabic:
        return False
    if a.arabic:
        return (
            names.is_name(a.key)
            and names.is_name(b.key)
            and (names.is_clear(a.key) or names.is_clear(b.key))
        )
    if a.title and b.title:
        family = names.is_family(b.key) or bool(_RO_FAMILY.search(b.key))
        return names.is_given(a.key) and (family or names.is_given(b.key))
    if not a.title and not b.title:
        return (
            names.is_given(a.key)
            and names.is_clear(a.key)
            and names.is_clear(b.key)
            and (names.is_family(b.key))
        )
    return False
