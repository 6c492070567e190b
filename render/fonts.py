"""The one typeface (Be Vietnam Pro) at the sizes and weights we print, loaded once.

Be Vietnam Pro is drawn for Vietnamese: every precomposed letter with its stacked marks has a
glyph, so NFC text lays out correctly even with Pillow's BASIC layout engine (no libraqm).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import fontpkg_be_vietnam_pro
from PIL import ImageFont, features

Weight = Literal["Regular", "Medium", "SemiBold", "Bold", "ExtraBold"]

FONT_DIR: Final[Path] = Path(fontpkg_be_vietnam_pro.ROOT) / "files"

# Letters that reach highest (capitals with stacked marks) and lowest (descenders and the dot
# below): a line is as tall as its worst case, so lines never touch or get cut between pages.
_TALLEST: Final = "ẪẤỖỸÁỚỦ"
_DEEPEST: Final = "gjpqyỵỹ"


def complex_layout_available() -> bool:
    """Whether Pillow can shape text with libraqm. Logged at start; the output is correct
    either way, because every string is NFC before it reaches the font."""
    return bool(features.check("raqm"))


def font_path(weight: Weight) -> Path:
    return FONT_DIR / f"BeVietnamPro-{weight}.ttf"


@functools.cache
def font(size: int, weight: Weight = "Regular") -> ImageFont.FreeTypeFont:
    """Parsing a TrueType file costs milliseconds; a bill uses a handful of faces many times."""
    return ImageFont.truetype(str(font_path(weight)), size)


@dataclass(frozen=True)
class TextStyle:
    """A size and weight, with the vertical room its lines need."""

    size: int
    weight: Weight = "Regular"
    leading: int = 4  # pixels between the ink of two lines

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return font(self.size, self.weight)

    @property
    def ascent(self) -> int:
        return _ascent(self.size, self.weight)

    @property
    def descent(self) -> int:
        return _descent(self.size, self.weight)

    @property
    def line_height(self) -> int:
        return self.ascent + self.descent + self.leading


@functools.cache
def _ascent(size: int, weight: Weight) -> int:
    face = font(size, weight)
    ink_top = face.getbbox(_TALLEST, anchor="ls")[1]
    return max(face.getmetrics()[0], math.ceil(-ink_top))


@functools.cache
def _descent(size: int, weight: Weight) -> int:
    face = font(size, weight)
    ink_bottom = face.getbbox(_DEEPEST, anchor="ls")[3]
    return max(face.getmetrics()[1], math.ceil(ink_bottom))
