"""Whether a matched phrase is meant: negation, hypotheticals and talk about a topic.

Judged within the phrase's clause (a clause word such as "but" or a comma starts a new
one), with the word lists of the phrase's language (`<lang>.scope.txt`):

- a `negation` among the three words before the phrase, or standing inside it where
  the phrase has no such word, cancels it: "i am not in danger", "no one hits me here",
  "they dont hit me". A phrase that is itself negative ("dont let me leave") still counts;
- a `hypothetical` ("if", "what if") or `topic` ("about", "workshop") word before it in
  the clause makes a clear signal a possible concern: "what if he hurts me", "the
  workshop about trafficking". A concern is asked about gently; nothing is opened.
"""

from __future__ import annotations

from collections.abc import Sequence

NEGATION_REACH = 3  # words before a phrase that a negation reaches across

Entries = list[tuple[str, ...]]


def _contains(words: Sequence[str], entry: tuple[str, ...]) -> bool:
    n = len(entry)
    return any(tuple(words[i : i + n]) == entry for i in range(len(words) - n + 1))


class Scope:
    def __init__(self, lists: dict[str, Entries]) -> None:
        self.negation = lists.get("negation", [])
        self.hypothetical = lists.get("hypothetical", [])
        self.topic = lists.get("topic", [])
        self.clause = lists.get("clause", [])

    def _clause(self, before: Sequence[str]) -> Sequence[str]:
        start = 0
        for entry in self.clause:
            n = len(entry)
            for i in range(len(before) - n, -1, -1):
                if tuple(before[i : i + n]) == entry:
                    start = max(start, i + n)
                    break
        return before[start:]

    def judge(
        self, before: Sequence[str], inside: Sequence[str], own: frozenset[str]
    ) -> str | None:
        """ "negated", "hypothetical", "topic", or None when the phrase stands as written."""
        clause = self._clause(before)
        extra = [w for w in inside if w not in own]
        near = list(clause[-NEGATION_REACH:])
        if any(_contains(near, e) or _contains(extra, e) for e in self.negation):
            return "negated"
        context = [*clause, *extra]
        if any(_contains(context, e) for e in self.hypothetical):
            return "hypothetical"
        if any(_contains(context, e) for e in self.topic):
            return "topic"
        return None
