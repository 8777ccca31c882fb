"""References a resident can read aloud and type back (core.references): Crockford's
base-32 alphabet in groups of four, 60 random bits, read leniently, old tokens still found."""

import math
import re
import secrets

import pytest

from core.references import (
    ALPHABET,
    GROUP,
    LENGTH,
    MAX_LENGTH,
    format_reference,
    new_reference,
    normalise_reference,
)

SHAPE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


class TestTheAlphabet:
    def test_is_crockfords_thirty_two_symbols(self):
        assert len(ALPHABET) == len(set(ALPHABET)) == 32
        assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

    def test_leaves_out_the_letters_that_look_like_others(self):
        for lookalike in "ILOU":
            assert lookalike not in ALPHABET
        assert ALPHABET.isupper()


class TestANewReference:
    def test_is_three_groups_of_four(self):
        for _ in range(200):
            reference = new_reference()
            assert SHAPE.fullmatch(reference), reference
            assert len(reference) == MAX_LENGTH == 14

    def test_carries_sixty_bits(self):
        # 12 symbols of 32 symbols: 5 bits each.
        assert LENGTH == 12 and GROUP == 4
        assert LENGTH * math.log2(len(ALPHABET)) == 60

    def test_is_random_not_counted(self):
        many = [new_reference() for _ in range(3000)]
        assert len(set(many)) == len(many)
        # Every symbol turns up in every position (nothing fixed, nothing sequential).
        for position in range(MAX_LENGTH):
            if position % (GROUP + 1) == GROUP:
                assert {ref[position] for ref in many} == {"-"}
            else:
                assert {ref[position] for ref in many} == set(ALPHABET)

    def test_reads_back_as_itself(self):
        reference = new_reference()
        assert normalise_reference(reference) == reference


class TestWhatAPersonTypes:
    @pytest.mark.parametrize(
        "typed",
        [
            "K7WP-3MXR-Q2TD",
            "k7wp-3mxr-q2td",
            "K7WP3MXRQ2TD",
            "k7wp3mxrq2td",
            " K7WP 3MXR Q2TD ",
            "K7WP–3MXR—Q2TD",  # dashes a phone's keyboard puts in
            "K7W-P3M-XRQ-2TD",  # grouped wrongly
            "K7WP.3MXR_Q2TD",
        ],
    )
    def test_case_spaces_and_hyphens_do_not_matter(self, typed):
        assert normalise_reference(typed) == "K7WP-3MXR-Q2TD"

    @pytest.mark.parametrize(
        ("typed", "meant"),
        [
            ("1O0P-3MXR-Q2TD", "100P-3MXR-Q2TD"),
            ("IL0P-3MXR-Q2TD", "110P-3MXR-Q2TD"),
            ("il0p-3mxr-q2td", "110P-3MXR-Q2TD"),
            ("oooo-oooo-oooo", "0000-0000-0000"),
        ],
    )
    def test_lookalike_letters_are_read_as_the_digits(self, typed, meant):
        assert normalise_reference(typed) == meant

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            None,
            "   ",
            "K7WP-3MXR",  # too short, and not an old token either
            "K7WP-3MXR-Q2TD-AAAA",
            "UUUU-UUUU-UUUU",  # U is not in the alphabet
            "K7WP-3MXR-Q2T!",
            'a"b',
            "<script>alert(1)</script>",
            "x" * 500,
            "诉求编号",
        ],
    )
    def test_what_cannot_be_a_reference_reads_as_nothing(self, typed):
        assert normalise_reference(typed) == ""


class TestOldReferences:
    def test_are_kept_as_they_were_issued(self):
        # Requests filed before kept 11-character URL-safe tokens, mixed case.
        for _ in range(200):
            old = secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")
            assert normalise_reference(old) == old
            assert normalise_reference(f"  {old} ") == old

    def test_are_not_changed_in_case(self):
        assert normalise_reference("aB3xK9mPq2Z") == "aB3xK9mPq2Z"
        assert normalise_reference("aB3xK9mPq2Z") != normalise_reference("AB3XK9MPQ2Z")


def test_formatting_groups_by_four():
    assert format_reference("K7WP3MXRQ2TD") == "K7WP-3MXR-Q2TD"
