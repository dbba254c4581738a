"""Whether a matched phrase is meant: negation, hypotheticals and talk about a topic.

Judged within the phrase's clause (a clause word such as "but" or a comma starts a new
one), with the word lists of the phrase's language (`<lang>.scope.txt`):

- a `negation` among the three words before the phrase, or standing inside it where
  the phrase has no such word, cancels it: "i am not in danger", "no one hits me here",
  "they dont hit me". A phrase that is itself negative ("dont let me leave") still counts;
- a `hypothetical` ("what if", "imagine") or `topic` ("workshop", "talked about") word
  before it in the clause makes a clear signal a possible concern: "what if he hurts
  me", "the workshop about trafficking". A concern is asked about gently; nothing is
  opened. A topic reaches across a `joiner` ("and") unless a subject follows it: "the
  session on online safety and sextortion" is one topic;
- a `condition` ("if") makes it a concern only when the phrase is what the "if" supposes,
  within `CONDITION_REACH` words after it: "if he hurts me". A phrase further on is
  what happens when the condition holds, and stays clear: "if i dont bring enough
  money they dont feed me", "dacă mă trimit înapoi acolo mă sinucid";
- a `joke` marker ("haha", "lol", a laughing emoji) in the same sentence makes a clear
  signal a concern: "they'll kill me if i forget the chips haha" is asked about;
- a `professional` ("lawyer", "social worker") before a documents phrase makes it a
  concern: "the lawyer keeps my passport" is asked about. Only documents: a foster
  carer who hits a child is abuse;
- a `subject` ("i", "they", "my") after a negation starts what it said over: "when i
  dont work | they beat me", "i will never forget | he raped me". After a hypothetical,
  the second subject does: "what if we stop working | they hit us" is what happens.
  Languages that leave the subject out (Romanian, Arabic) list few or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.safety.lexicon import COMMA

_JOINED = re.compile(r"[\u0600-\u06ff]{2}")  # an Arabic word that may carry a joined letter
NEGATION_REACH = 3  # words before a phrase that a negation reaches across
# Words between an "if" and a phrase that still belong to what the "if" supposes
# ("if someone at home hits me"); from this many on, the words between are the condition and
# the phrase is what happens ("if they send me back | i kill myself").
CONDITION_REACH = 4
PROFESSIONAL_CATEGORIES = frozenset({"documents_taken"})

Entries = list[tuple[str, ...]]


class _Words:
    """A word list of the scope file, looked up by each entry's first word."""

    def __init__(self, entries: Entries) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for entry in entries:
            self.by_first.setdefault(entry[0], []).append(entry)

    def __add__(self, other: _Words) -> _Words:
        joined = _Words([])
        for words in (self, other):
            for first, entries in words.by_first.items():
                joined.by_first.setdefault(first, []).extend(entries)
        return joined


def _ends(words: Sequence[str], entries: _Words) -> Iterator[int]:
    """Where each occurrence of any entry in `words` ends."""
    for i, word in enumerate(words):
        for entry in entries.by_first.get(word, ()):
            if tuple(words[i : i + len(entry)]) == entry:
                yield i + len(entry)


def _starts(words: Sequence[str], at: int, entries: _Words) -> bool:
    """Whether an entry begins at `words[at]`."""
    return any(
        tuple(words[at : at + len(entry)]) == entry for entry in entries.by_first.get(words[at], ())
    )


def _has(words: Sequence[str], entries: _Words) -> bool:
    return next(_ends(words, entries), None) is not None


class Scope:
    def __init__(self, lists: dict[str, Entries]) -> None:
        self.negation = _Words(lists.get("negation", []))
        self.hypothetical = _Words(lists.get("hypothetical", []))
        self.condition = _Words(lists.get("condition", []))
        self.topic = _Words(lists.get("topic", []))
        self.professional = _Words(lists.get("professional", []))
        self.clause = _Words(lists.get("clause", []))
        self.joiners = _Words(lists.get("joiner", []))
        self.jokes = _Words(lists.get("joke", []))
        comma = _Words([(COMMA,)])  # a comma ends a clause for the words above
        self._closers = self.clause + self.joiners + comma
        self._topic_closers = self.clause + comma
        self.subjects = {entry[0] for entry in lists.get("subject", []) if len(entry) == 1}
        self.resolved = _Words(lists.get("resolved", []))
        self.former = _Words(lists.get("former", []))
        self.habit = _Words(lists.get("habit", []))
        self.ongoing = _Words(lists.get("ongoing", []))

    def _clause(self, before: Sequence[str]) -> Sequence[str]:
        return before[max(_ends(before, self._closers), default=0) :]

    def _topic_clause(self, before: Sequence[str], head: Sequence[str]) -> Sequence[str]:
        """The clause, reaching back across joiners ("and") not followed by a subject."""
        start = max(_ends(before, self._topic_closers), default=0)
        following = [*before, *head]
        for end in _ends(before, self.joiners):
            if end > start and end < len(following) and following[end] in self.subjects:
                start = end
        return before[start:]

    def breaks(self, words: Sequence[str]) -> bool:
        """Whether a clause word stands among `words`: what is on either side is apart
        (a comma does not: "my passport, he keeps it" is one thought)."""
        return _has(words, self.clause) or _has(words, self.joiners)

    def still(self, words: Sequence[str]) -> bool:
        """Whether the words say it still goes on ("one of them still does")."""
        return _has(words, self.ongoing)

    def _joined(self, word: str) -> bool:
        """Whether `word` begins with a one-letter joiner written onto it (Arabic "وانا")."""
        return len(word) > 1 and (word[0],) in self.joiners.by_first.get(word[0], ())

    def clauses(self, words: Sequence[str]) -> Iterator[tuple[int, int]]:
        """The clauses of `words` as (first, after last) places: apart at clause words and
        joiners, as `breaks` keeps the parts of an `a + b` line apart (not at a comma)."""
        start = 0
        for i in range(len(words)):
            if _starts(words, i, self.clause) or _starts(words, i, self.joiners):
                yield start, i
                start = i + 1
        yield start, len(words)

    def joking(self, words: Sequence[str]) -> bool:
        return _has(words, self.jokes)

    def over(self, words: Sequence[str]) -> Iterator[int]:
        """Where a `resolved` entry ("not anymore", "its over now") begins that ends its
        clause: what came before it is told as over. "they dont let me out anymore" is
        not: "anymore" there belongs to the phrase's own "dont"."""
        for i, word in enumerate(words):
            for entry in self.resolved.by_first.get(word, ()):
                end = i + len(entry)
                if tuple(words[i:end]) == entry and (
                    end == len(words)
                    or _starts(words, end, self._closers)
                    or self._joined(words[end])
                ):
                    yield i

    def _subjects(self, words: Sequence[str]) -> int:
        return sum(1 for word in words if word in self.subjects)

    def judge(
        self,
        before: Sequence[str],
        inside: Sequence[str],
        own: frozenset[str],
        category: str = "",
    ) -> str | None:
        """ "negated", "hypothetical", "topic", or None when the phrase stands as written."""
        clause = self._clause(before)
        # A phrase's own word with a joined letter in front ("وما" for its "ما") is its own.
        extra = [w for w in inside if w not in own and not (_JOINED.match(w) and w[1:] in own)]
        head = list(inside[:1])
        start = len(clause) - NEGATION_REACH
        if _has(extra, self.negation) or any(
            end > start and not self._subjects([*clause[end:], *head])
            for end in _ends(clause, self.negation)
        ):
            return "negated"
        if any(
            self._subjects([*clause[end:], *head]) < 2 for end in _ends(clause, self.hypothetical)
        ):
            return "hypothetical"
        told = [*clause, *extra]
        habits = set(_ends(told, self.habit))  # "i got used to it" is no "used to"
        if any(end not in habits for end in _ends(told, self.former)):
            return "resolved"
        if any(
            len(clause) - end < CONDITION_REACH and self._subjects([*clause[end:], *head]) < 2
            for end in _ends(clause, self.condition)
        ):
            return "hypothetical"
        if _has([*self._topic_clause(before, head), *extra], self.topic):
            return "topic"
        if category in PROFESSIONAL_CATEGORIES and _has([*clause, *extra], self.professional):
            return "topic"
        return None
