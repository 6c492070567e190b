"""Vietnamese phone numbers, as buyers type them and as carriers want them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile prefixes since the 2018 renumbering; landlines are 02x with 11 digits. ASCII digits
# only: other scripts' digits match `\d` but no carrier accepts them.
_MOBILE = re.compile(r"0[35789][0-9]{8}")
_LANDLINE = re.compile(r"02[0-9]{9}")

# The 2018 renumbering of 11-digit mobiles: old 4-digit prefix -> new 3-digit prefix. Buyers
# who have had a SIM for years still type the old number.
OLD_PREFIXES: dict[str, str] = {
    **{f"016{d}": f"03{d}" for d in "23456789"},  # Viettel
    "0120": "070",  # MobiFone
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",  # VinaPhone
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",  # Vietnamobile
    "0188": "058",
    "0199": "059",  # Gmobile
}

# Digits as a buyer groups them in a comment: `0912 345 678`, `091.234.5678`, `+84 912-345-678`.
# Each step needs a separator and a digit, so the scan stays linear on any input. The pattern
# starts with a digit so the regex engine can skip to digits quickly; a match never starts right
# after a digit, since the one before took them all. A `+` before it is looked at by hand.
_CHAIN = re.compile(r"[0-9]+(?:(?:[ \t]?[.\-][ \t]?|[ \t]{1,2})[0-9]+)*")
_PLUS = re.compile(r"\+[ \t]?$")
_GROUP = re.compile(r"[0-9]+")
_LONGEST = 12  # `84` + `0` + 9 digits; no phone is written with more digits than this
_TYPO_DIGITS = 9  # a run this long is a phone typed wrong, never a quantity


def national_number(digits: str) -> str | None:
    """`0xxxxxxxxx` for a string of ASCII digits that is a Vietnamese phone, else None.

    The country code may lead (`84912345678`, `840912345678`); old 11-digit mobiles are mapped
    to their 2018 numbers, since that is what a carrier's system will dial.
    """
    if not (digits.isascii() and digits.isdigit()):
        return None
    if digits.startswith("84") and len(digits) in (11, 12):
        rest = digits[2:]
        digits = rest if rest.startswith("0") else "0" + rest
    if len(digits) == 10:
        return digits if _MOBILE.fullmatch(digits) else None
    if len(digits) == 11:
        if _LANDLINE.fullmatch(digits):
            return digits
        new_prefix = OLD_PREFIXES.get(digits[:4])
        if new_prefix is not None:
            return new_prefix + digits[4:]
    return None


def normalize_phone(raw: str) -> str | None:
    """The national form `0xxxxxxxxx`, or None when `raw` is not a Vietnamese phone number.

    Accepts spaces, dots, dashes, brackets, a +84/84 prefix, full-width digits and the old
    11-digit mobile numbers.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+"):
        if not text.startswith("+84"):
            return None
        text = text[1:]
    if not (text.isascii() and text.isdigit()):
        return None
    return national_number(text)


@dataclass(frozen=True)
class PhoneScan:
    """What a free-text scan found, and the text left for reading quantities and codes."""

    phones: tuple[str, ...]
    text: str  # phones, and digit runs that look like mistyped phones, replaced by a space
    # Where those were in the scanned text, in order: (start, end) offsets. The comment
    # grammar reads an address on the text as typed and stops it at a phone.
    spans: tuple[tuple[int, int], ...] = ()


def scan_phones(text: str) -> PhoneScan:
    """Every phone in `text` (already NFKC, so full-width digits are ASCII), in order.

    Phones come out first so that their digits are never read as a quantity or a code; a
    separated run is searched group by group, so `A1 2 0912 345 678` keeps the `2`.
    """
    phones: list[str] = []
    blanks: list[tuple[int, int]] = []
    for chain in _CHAIN.finditer(text):
        if chain.end() - chain.start() >= _TYPO_DIGITS:  # shorter: too few digits to matter
            _scan_chain(text, chain, phones, blanks)
    if not blanks:
        return PhoneScan(tuple(phones), text)
    blanks.sort()
    parts: list[str] = []
    position = 0
    for start, end in blanks:
        parts.append(text[position:start])
        parts.append(" ")
        position = end
    parts.append(text[position:])
    return PhoneScan(tuple(phones), "".join(parts), tuple(blanks))


def find_phone(text: str) -> tuple[str | None, str]:
    """The first phone in free text, and the text with every phone (and phone-like run) removed.

    All phones go, not only the first: a second number's digits are no more a quantity than the
    first's.
    """
    scan = scan_phones(unicodedata.normalize("NFKC", text))
    return (scan.phones[0] if scan.phones else None), scan.text


def _scan_chain(
    text: str, chain: re.Match[str], phones: list[str], blanks: list[tuple[int, int]]
) -> None:
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, chain.start(), chain.end())]
    taken = [False] * len(groups)
    i = 0
    while i < len(groups):
        found = _phone_from(text, groups, i)
        if found is None:
            i += 1
            continue
        phone, last = found
        phones.append(phone)
        start = groups[i][0]
        if i == 0:  # a leading `+` goes with the phone
            plus = _PLUS.search(text, max(0, start - 2), start)
            start = plus.start() if plus is not None else start
        blanks.append((start, groups[last][1]))
        for k in range(i, last + 1):
            taken[k] = True
        i = last + 1
    _blank_typos(text, groups, taken, blanks)


def _after_letter(text: str, group: tuple[int, int]) -> bool:
    """Digits right after a letter: the digits of a code (`A1`) or a label (`sdt0912...`)."""
    return group[0] > 0 and text[group[0] - 1].isalpha()


def _phone_from(text: str, groups: list[tuple[int, int]], i: int) -> tuple[str, int] | None:
    """The shortest phone made of whole groups from group `i` on, with its last group.

    A short group glued to letters is a code's digits (`A0 912 345 678` is A0 and a typo), but
    a label may be glued to a phone (`sdt0912 345 678`).
    """
    if groups[i][1] - groups[i][0] <= 2 and _after_letter(text, groups[i]):
        return None
    digits = ""
    for j in range(i, len(groups)):
        digits += text[groups[j][0] : groups[j][1]]
        if len(digits) > _LONGEST:
            return None
        if len(digits) >= 10:
            phone = national_number(digits)
            if phone is not None:
                return phone, j
    return None


def _blank_typos(
    text: str, groups: list[tuple[int, int]], taken: list[bool], blanks: list[tuple[int, int]]
) -> None:
    """Blank the digits left in the chain that are a phone typed wrong (9+ digits).

    A buyer who drops a digit from `0912 345 678` has not ordered 912 of anything. What goes:
    any single run of 9+ digits; 9+ digits joined by dots or dashes; and, in digits joined by
    spaces, the tail from a group starting with `0`. A quantity typed before it (`A1 2 0912
    345 67`) and a code's digits survive.
    """
    size = [end - start for start, end in groups]
    blank = [False] * len(groups)
    for k, digits in enumerate(size):
        blank[k] = not taken[k] and digits >= _TYPO_DIGITS
    # Dotted or dashed segments: `912.345.678`.
    k = 0
    while k < len(groups):
        j = k
        while j + 1 < len(groups) and not taken[j + 1] and _punctuated(text, groups, j):
            j += 1
        first = k + 1 if _after_letter(text, groups[k]) else k
        if j > k and not taken[k] and sum(size[first : j + 1]) >= _TYPO_DIGITS:
            for m in range(first, j + 1):
                blank[m] = True
        k = j + 1
    # Spaced tails: `0912 345 67`, within each stretch of groups no phone took.
    k = 0
    while k < len(groups):
        if taken[k]:
            k += 1
            continue
        end = k
        while end + 1 < len(groups) and not taken[end + 1]:
            end += 1
        remaining = sum(size[k : end + 1])
        for m in range(k, end + 1):
            start = groups[m][0]
            if text[start] == "0" and not _after_letter(text, groups[m]):
                if remaining >= _TYPO_DIGITS:
                    for n in range(m, end + 1):
                        blank[n] = True
                break
            remaining -= size[m]
        k = end + 1
    _spans(groups, blank, blanks)


def _punctuated(text: str, groups: list[tuple[int, int]], j: int) -> bool:
    between = text[groups[j][1] : groups[j + 1][0]]
    return "." in between or "-" in between


def _spans(groups: list[tuple[int, int]], blank: list[bool], blanks: list[tuple[int, int]]) -> None:
    """Contiguous blanked groups as one span, separators between them included."""
    k = 0
    while k < len(groups):
        if not blank[k]:
            k += 1
            continue
        end = k
        while end + 1 < len(groups) and blank[end + 1]:
            end += 1
        blanks.append((groups[k][0], groups[end][1]))
        k = end + 1
