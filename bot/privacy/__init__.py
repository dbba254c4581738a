"""Privacy helpers: pseudonymous keys, random ids and labels, PII scrubbing of free text."""

from bot.privacy.keys import CASE_ALPHABET, case_label, new_record_id, session_key
from bot.privacy.scrub import DEFAULT_MAX_CHARS, Scrubber, scrub

__all__ = [
    "CASE_ALPHABET",
    "DEFAULT_MAX_CHARS",
    "Scrubber",
    "case_label",
    "new_record_id",
    "scrub",
    "session_key",
]
