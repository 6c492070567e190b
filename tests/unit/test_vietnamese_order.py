"""Vietnamese alphabetical order (`kernel.collation`): the dictionary's order on examples, and
as a property over any text: one total order, where changing a name's case or tones never
moves it past a name spelled with other letters."""

from __future__ import annotations

import itertools
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kernel.collation import ALPHABET, TONES, clean_name, vietnamese_key
from orders.addresses import OFFICIAL_WARD_KINDS, picker_key, provinces, wards

# Vietnamese letters with their tones and cases, spaces, digits and a few others.
LETTERS = [
    unicodedata.normalize("NFC", letter + tone)
    for letter in ALPHABET
    for tone in (TONES if letter in "aăâeêioôơuưy" else ("",))
]
CHARS = st.sampled_from([*LETTERS, *(c.upper() for c in LETTERS), " ", "  ", "1", "9", "0", "’"])
NAMES = st.lists(CHARS, max_size=12).map("".join)


def sort(names: list[str]) -> list[str]:
    return sorted(names, key=vietnamese_key)


def strip_tones(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(char for char in decomposed if char not in TONES[1:])
    return unicodedata.normalize("NFC", kept)


def test_the_dictionarys_order():
    assert sort(["Ánh Sáng", "An Khánh", "Ba", "Ăn", "Âu", "Đông", "Dương", "Em", "Ê"]) == [
        "An Khánh",
        "Ánh Sáng",
        "Ăn",
        "Âu",
        "Ba",
        "Dương",
        "Đông",
        "Em",
        "Ê",
    ]
    assert sort(["ạ", "á", "ã", "ả", "à", "a"]) == ["a", "à", "ả", "ã", "á", "ạ"]
    assert sort(["Phường 10", "Phường 2", "Phường 1"]) == ["Phường 1", "Phường 2", "Phường 10"]
    assert sort(["Hà Giang 2", "Hà Giang 1", "Hà Nam"]) == ["Hà Giang 1", "Hà Giang 2", "Hà Nam"]


def test_a_ward_sorts_by_its_name_not_its_kind():
    names = ["Xã Bình An", "Phường Ánh Sáng", "Phường An Phú", "Đặc khu Côn Đảo", "Xã An Bình"]
    ordered = sorted(names, key=lambda n: picker_key(n, OFFICIAL_WARD_KINDS))
    assert ordered == [
        "Xã An Bình",
        "Phường An Phú",
        "Phường Ánh Sáng",
        "Xã Bình An",
        "Đặc khu Côn Đảo",
    ]


def test_every_picker_is_sorted_and_clean():
    for code, name in provinces():
        assert name == clean_name(name)
        listed = [ward for _, ward in wards(code)]
        assert listed == sorted(listed, key=lambda n: picker_key(n, OFFICIAL_WARD_KINDS))
        assert all(ward == clean_name(ward) for ward in listed)


@given(st.lists(NAMES, max_size=8))
def test_one_total_order_whatever_the_input_order(names):
    once = sort(names)
    # Texts that clean to the same name tie; compare the names they stand for.
    assert [clean_name(n) for n in sort(names[::-1])] == [clean_name(n) for n in once]
    assert sort(once) == once
    keys = [vietnamese_key(name) for name in once]
    assert all(a <= b for a, b in itertools.pairwise(keys))
    # Two texts tie only if they are the same name (cleaned of extra spaces).
    assert all(
        (a == b) == (clean_name(x) == clean_name(y))
        for x, a in zip(once, keys, strict=True)
        for y, b in zip(once, keys, strict=True)
    )


@given(NAMES, NAMES, st.booleans(), st.booleans())
def test_case_and_tones_never_move_a_name_past_other_letters(a, b, upper, toneless):
    def variant(text: str) -> str:
        text = strip_tones(text) if toneless else text
        return text.upper() if upper else text.lower()

    if vietnamese_key(a)[0] < vietnamese_key(b)[0]:
        assert vietnamese_key(variant(a)) < vietnamese_key(b)
        assert vietnamese_key(a) < vietnamese_key(variant(b))


@given(NAMES)
def test_spaces_and_composition_do_not_change_the_place(name):
    spaced = "  " + name.replace(" ", "   ") + " "
    decomposed = unicodedata.normalize("NFD", name)
    assert vietnamese_key(spaced) == vietnamese_key(name) == vietnamese_key(decomposed)


@given(st.text(max_size=30))
def test_any_text_has_a_key(text):
    assert vietnamese_key(text)[3] == clean_name(text)
