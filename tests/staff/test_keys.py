"""The staff keys (bot/staff/keys.py): HKDF as RFC 5869 has it, and authenticator keys
sealed so that a changed, moved or foreign-key row is refused rather than misread."""

from __future__ import annotations

import pytest

from bot.staff.keys import SEALED, SeedUnreadable, StaffKeys, hkdf
from bot.staff.mfa import new_secret
from tests.fixtures.keys import flip

OLD = StaffKeys(b"an-old-secret-key-of-at-least-32-characters")
NEW = StaffKeys(b"a-new-secret-key-of-at-least-32-characters!")


def test_hkdf_gives_rfc_5869s_first_test_vector() -> None:
    okm = hkdf(bytes([0x0B] * 22), bytes(range(0xF0, 0xFA)), 42, salt=bytes(range(13)))
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_each_use_of_the_secret_gets_its_own_key() -> None:
    master = b"x" * 40
    labels = (b"safevoice staff password pepper", b"safevoice staff totp seed encryption",
              b"safevoice staff totp seed mac", b"safevoice key id")  # fmt: skip
    assert len({hkdf(master, label) for label in labels}) == len(labels)


def test_a_sealed_seed_hides_it_and_opens_for_its_account() -> None:
    seed = new_secret()
    sealed = NEW.seal("ana", seed)
    assert sealed.startswith(f"{SEALED}{NEW.current_id}$")
    assert seed not in sealed
    assert NEW.seal("ana", seed) != sealed  # a fresh nonce every time
    assert NEW.open("ana", sealed) == seed
    assert NEW.is_current(sealed)


def test_a_plain_seed_from_an_earlier_release_opens_as_it_is() -> None:
    seed = new_secret()
    assert NEW.open("ana", seed) == seed
    assert not NEW.is_current(seed)


@pytest.mark.parametrize("at", [0, 15, 16, 30, -32, -1])  # nonce, ciphertext, tag
def test_tampered_ciphertext_is_refused(at: int) -> None:
    sealed = NEW.seal("ana", new_secret())
    with pytest.raises(SeedUnreadable, match="cannot be opened"):
        NEW.open("ana", flip(sealed, at))


@pytest.mark.parametrize(
    "stored", [SEALED, f"{SEALED}zz", f"{SEALED}00000000$", f"{SEALED}00000000$!!!!", "sv1$x$AAAA"]
)
def test_malformed_sealed_text_is_refused(stored: str) -> None:
    with pytest.raises(SeedUnreadable):
        NEW.open("ana", stored)


def test_a_sealed_seed_copied_to_another_account_is_refused() -> None:
    sealed = NEW.seal("ana", new_secret())
    with pytest.raises(SeedUnreadable):
        NEW.open("bob", sealed)


def test_a_seed_sealed_under_another_secret_is_refused_unless_it_is_a_previous_one() -> None:
    seed = new_secret()
    sealed = OLD.seal("ana", seed)
    with pytest.raises(SeedUnreadable):
        NEW.open("ana", sealed)
    rotated = StaffKeys(
        b"a-new-secret-key-of-at-least-32-characters!",
        [b"an-old-secret-key-of-at-least-32-characters"],
    )
    assert rotated.open("ana", sealed) == seed
    assert not rotated.is_current(sealed)  # so it is sealed again under the new one
    assert rotated.current_id == NEW.current_id
