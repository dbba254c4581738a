"""Whether a matched phrase is meant: negation, hypotheticals and talk about a topic.

Judged within the phrase's clause (a clause word such as "but" or a comma starts a new
one), with the word lists of the phrase's language (`<lang>.scope.txt`):

- a `negation` among the three words before the phrase, or standing inside it where
  the phrase has no such word, cancels it: "i am not in danger", "no one hits me here",
  "they dont hit me". A phrase that is itself negative ("dont let me leave") still counts;
- a `hypothetical` ("if", "what if") or `topic` ("about", "workshop") word before it in
  the clause makes a clear signal a possible concern: "what if he hurts me", "the
  workshop about trafficking". A concern is asked about gently; nothing is opened.
- a `subject` ("i", "they", "my") after a negation starts what it said over: "when i
  dont work | they beat me", "i will never forget | he raped me". After a hypothetical,
  the second subject does: "if we stop working | they hit us" is what happens, not a
  "what if". Languages that leave the subject out (Romanian, Arabic) list few or none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bot.safety.lexicon import COMMA

NEGATION_REACH = 3  # words before a phrase that a negation reaches across

Entries = list[tuple[str, ...]]


def _ends(words: Sequence[str], entries: Entries) -> Iterator[int]:
    """Where each occurrence of any entry in `words` ends."""
    for entry in entries:
        n = len(entry)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == entry:
                yield i + n


def _has(words: Sequence[str], entries: Entries) -> bool:
    return next(_ends(words, entries), None) is not None


class Scope:
    def __init__(self, lists: dict[str, Entries]) -> None:
        self.negation = lists.get("negation", [])
        self.hypothetical = lists.get("hypothetical", [])
        self.topic = lists.get("topic", [])
        self.clause = lists.get("clause", [])
        self._closers = [*self.clause, (COMMA,)]  # a comma ends a clause for the words above
        self.subjects = {entry[0] for entry in lists.get("subject", []) if len(entry) == 1}

    def _clause(self, before: Sequence[str]) -> Sequence[str]:
        return before[max(_ends(before, self._closers), default=0) :]

    def breaks(self, words: Sequence[str]) -> bool:
        """Whether a clause word stands among `words`: what is on either side is apart
        (a comma does not: "my passport, he keeps it" is one thought)."""
        return _has(words, self.clause)

    def _subjects(self, words: Sequence[str]) -> int:
        return sum(1 for word in words if word in self.subjects)

    def judge(
        self, before: Sequence[str], inside: Sequence[str], own: frozenset[str]
    ) -> str | None:
        """ "negated", "hypothetical", "topic", or None when the phrase stands as written."""
        clause = self._clause(before)
        extra = [w for w in inside if w not in own]
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
        context = [*clause, *extra]
        if _has(context, self.topic):
            return "topic"
        return None
