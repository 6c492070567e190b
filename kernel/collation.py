"""Vietnamese alphabetical order, for pickers and lists staff scan by eye.

Python sorts by code point, which puts `Ánh` after `Yên` and `Đ` after `Z`'s neighbours in
no order a Vietnamese reader expects. A dictionary sorts by the letters first, where `ă`, `â`,
`đ`, `ê`, `ô`, `ơ`, `ư` are letters of their own (`a < ă < â < b`, `d < đ < e`), then by the
tones (none, huyền, hỏi, ngã, sắc, nặng: the order of the Unicode CLDR's Vietnamese
collation), then by case. A space sorts before any letter, so `An Khánh` comes before `Ánh
Sáng` (word by word, as dictionaries do), and a run of digits sorts by its value (`Phường 2`
before `Phường 10`).

`vietnamese_key(text)` is that order as a sort key. Its last part is the cleaned text, so two
different names never tie: `sorted(..., key=vietnamese_key)` is one total order of names
whatever the input order (texts that differ only in spaces are one name). PyICU would do the
same with a C++ library to build; the few rules here are all the pickers need.
"""

from __future__ import annotations

import unicodedata
from typing import Final

ALPHABET: Final = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER: Final = {letter: index for index, letter in enumerate(ALPHABET)}
# Marks that make a letter of its own (breve, circumflex, horn): part of the letter.
_LETTER_MARKS: Final = {"\u0306", "\u0302", "\u031b"}
# Tone marks, in the order a dictionary lists `a à ả ã á ạ`.
TONES: Final = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE: Final = {mark: index for index, mark in enumerate(TONES)}

# Classes of the primary key, in order: a space, a number, a letter, anything else.
_SPACE, _NUMBER, _LETTER_CLASS, _OTHER = 0, 1, 2, 3

Primary = tuple[tuple[int, ...], ...]
Key = tuple[Primary, tuple[int, ...], tuple[int, ...], str]


def clean_name(text: str) -> str:
    """One spelling of a name: NFC, single spaces, no spaces around (one official ward name
    has a double space)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _clusters(text: str) -> list[tuple[str, str, str]]:
    """(base character, letter marks, tone) per character of the NFD text; `đ` is its own
    base (Unicode gives it no decomposition)."""
    clusters: list[tuple[str, str, str]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and clusters:
            base, marks, tone = clusters[-1]
            if char in _TONE:
                tone = tone or char
            else:
                marks += char
            clusters[-1] = (base, marks, tone)
        else:
            clusters.append((char, "", ""))
    return clusters


def _letter(base: str, marks: str) -> str:
    """The Vietnamese letter, lower case: `a` + breve -> `ă`."""
    lower = base.lower()
    kept = "".join(sorted(mark for mark in marks if mark in _LETTER_MARKS))
    return unicodedata.normalize("NFC", lower + kept) if kept else lower


def _number(digits: str) -> tuple[int, ...]:
    """A run of digits by its value: fewer digits first, then digit by digit (no `int()`, which
    refuses texts of thousands of digits)."""
    significant = digits.lstrip("0") or "0"
    return (_NUMBER, len(significant), *(int(d) for d in significant))


def vietnamese_key(text: str) -> Key:
    """The sort key: letters (with digits by value), then tones, then case, then the text."""
    cleaned = clean_name(text)
    primary: list[tuple[int, ...]] = []
    tones: list[int] = []
    cases: list[int] = []
    digits = ""
    for base, marks, tone in _clusters(cleaned):
        if base.isdecimal() and base.isascii():
            digits += base
            continue
        if digits:
            primary.append(_number(digits))
            digits = ""
        letter = _letter(base, marks)
        if base.isspace():
            primary.append((_SPACE, 0))
        elif letter in _LETTER:
            primary.append((_LETTER_CLASS, _LETTER[letter]))
            tones.append(_TONE.get(tone, 0))
            cases.append(0 if base.islower() else 1)
        else:
            primary.append((_OTHER, ord(base.casefold()[0])))
            cases.append(0 if base == base.casefold() else 1)
    if digits:
        primary.append(_number(digits))
    return tuple(primary), tuple(tones), tuple(cases), cleaned
