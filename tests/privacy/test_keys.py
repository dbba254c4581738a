"""Session keys, record ids and case labels."""

from __future__ import annotations

import hashlib
import hmac
import random
import re

import pytest

from bot.privacy import CASE_ALPHABET, case_label, new_record_id, session_key


def test_session_key_is_hmac_sha256_of_channel_and_user() -> None:
    expected = hmac.new(b"secret", b"telegram:12345", hashlib.sha256).hexdigest()
    assert session_key(b"secret", "telegram", 12345) == expected
    assert session_key(b"secret", "telegram", "12345") == expected


def test_session_key_depends_on_every_part() -> None:
    keys = {
        session_key(b"secret", "telegram", 1),
        session_key(b"secret", "telegram", 2),
        session_key(b"secret", "web", 1),
        session_key(b"other", "telegram", 1),
    }
    assert len(keys) == 4


def test_session_key_does_not_contain_the_user_id() -> None:
    key = session_key(b"secret", "telegram", 123456789)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert "123456789" not in key


def test_session_key_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        session_key(b"", "telegram", 1)


def test_session_key_survives_odd_ids() -> None:
    assert len(session_key(b"s", "web", "\ud800 odd \u202e id")) == 64


def test_record_ids_are_random_hex() -> None:
    ids = {new_record_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_case_label_shape() -> None:
    for _ in range(1000):
        label = case_label()
        assert re.fullmatch(rf"#[{CASE_ALPHABET}]{{4}}", label)


def test_case_alphabet_has_no_vowels_or_look_alikes() -> None:
    assert not set("AEIOUY") & set(CASE_ALPHABET)
    assert not set("01OIL5S8B") & set(CASE_ALPHABET)
    assert len(set(CASE_ALPHABET)) == len(CASE_ALPHABET)


def test_case_label_is_reproducible_with_a_seeded_rng() -> None:
    assert case_label(random.Random(7)) == case_label(random.Random(7))
    labels = {case_label(random.Random(seed)) for seed in range(200)}
    assert len(labels) > 190
