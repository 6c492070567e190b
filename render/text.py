"""Text made safe to draw (NFC, no control characters) and cut into lines by measured width.

Widths come from the font (`getlength`), never from character counts: Vietnamese letters with
marks, digits and capitals all differ, and a line that overflows a thermal printer is lost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

from PIL import ImageFont

ELLIPSIS = "…"
_ZWJ = "\u200d"


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """NFC, so `ế` is one glyph and not `e` plus two marks the BASIC layout would misplace;
    control characters become spaces and lone surrogates are dropped, since FreeType can draw
    neither."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n")
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            continue
        if char == "\n" and keep_newlines:
            out.append(char)
        elif category == "Cc" or char in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _joins_previous(char: str, previous: str) -> bool:
    """Whether `char` belongs to the cluster before it (a mark, a variation selector, a skin
    tone, or anything glued on by a zero-width joiner): breaking there would split one
    visible character in two."""
    if previous == _ZWJ or char == _ZWJ:
        return True
    if unicodedata.category(char) in ("Mn", "Mc", "Me"):
        return True
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0100 <= code <= 0xE01EF


def clusters(text: str) -> Iterator[str]:
    """User-perceived characters, approximately (enough to break a word without tearing
    marks or emoji sequences apart)."""
    current = ""
    for char in text:
        if current and not _joins_previous(char, current[-1]):
            yield current
            current = ""
        current += char
    if current:
        yield current


def fits(text: str, font: ImageFont.FreeTypeFont, width: float) -> bool:
    return font.getlength(text) <= width


def _units(word: str, font: ImageFont.FreeTypeFont, width: float) -> Iterator[str]:
    """The clusters of `word`; a cluster wider than a whole line (a base letter under dozens
    of marks) is given by code point, so that even it can be cut."""
    for cluster in clusters(word):
        if len(cluster) > 1 and not fits(cluster, font, width):
            yield from cluster
        else:
            yield cluster


def _break_word(word: str, font: ImageFont.FreeTypeFont, width: float) -> Iterator[str]:
    """A word too long for a line, cut between characters into pieces that fit. A single
    character wider than `width` stands alone: nothing narrower can be made of it."""
    piece = ""
    for unit in _units(word, font, width):
        if piece and not fits(piece + unit, font, width):
            yield piece
            piece = ""
        piece += unit
    if piece:
        yield piece


def wrap(
    text: str,
    font: ImageFont.FreeTypeFont,
    width: float,
    *,
    first_width: float | None = None,
) -> list[str]:
    """`text` in lines no wider than `width` (the first no wider than `first_width`, for a
    line that starts after a label). Breaks at spaces; a word longer than a line is cut by
    characters. Newlines in the text start new lines; runs of spaces collapse."""
    lines: list[str] = []

    def limit() -> float:
        return first_width if first_width is not None and not lines else width

    for paragraph in clean(text, keep_newlines=True).split("\n"):
        words = paragraph.split()
        while words:
            taken = _words_that_fit(words, font, limit())
            if taken:
                lines.append(" ".join(words[:taken]))
                words = words[taken:]
                continue
            *whole, rest = _break_word(words[0], font, min(limit(), width))
            lines.extend(whole)
            if fits(rest, font, limit()):  # the words after it may join its last piece
                words = [rest, *words[1:]]
            else:  # a single character wider than a line stands alone
                lines.append(rest)
                words = words[1:]
    return lines


def _words_that_fit(words: list[str], font: ImageFont.FreeTypeFont, width: float) -> int:
    return _most_that_fit(len(words), lambda n: fits(" ".join(words[:n]), font, width))


def _with_ellipsis(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The longest start of `text` that still fits with `…` after it."""
    units = list(clusters(text))
    kept = _most_that_fit(len(units), lambda n: fits("".join(units[:n]) + ELLIPSIS, font, width))
    return "".join(units[:kept]).rstrip() + ELLIPSIS


def _most_that_fit(total: int, fit: Callable[[int], bool]) -> int:
    """The largest n up to `total` for which `fit(n)` holds, found by halving: a start of a
    line is never wider than the line, so `fit` holds up to some n and fails after it. A few
    measurements per line, where trying one more word or character at a time made a label's
    long address and item summary the renderer's main cost beyond drawing."""
    low, high = 0, total  # fit(low) holds; nothing above high does
    while low < high:
        middle = (low + high + 1) // 2
        if fit(middle):
            low = middle
        else:
            high = middle - 1
    return low


def truncate(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """One line that fits, ending in `…` when something had to go."""
    text = " ".join(clean(text).split())
    return text if fits(text, font, width) else _with_ellipsis(text, font, width)


def wrap_at_most(
    text: str,
    font: ImageFont.FreeTypeFont,
    width: float,
    max_lines: int,
    *,
    first_width: float | None = None,
) -> list[str]:
    """`wrap`, but at most `max_lines` lines, the last ending in `…` when text was left out:
    for boxes of fixed size, such as the receiver's address on a shipping label."""
    lines = wrap(text, font, width, first_width=first_width)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last_width = first_width if max_lines == 1 and first_width is not None else width
    kept[-1] = _with_ellipsis(kept[-1] + " " + lines[max_lines], font, last_width)
    return kept
