"""The words of the comment grammar (COMMENT_SYNTAX.md), each with the categories it can take.

A word is matched as typed (after case-folding), and also as a buyer types it without diacritics:
`chot` is `chốt`. That second match is made only for words typed with no diacritics at all,
because a word typed with different marks is usually another word: `xịn` (great) is not `xin`,
`mưa` (rain) is not `mua`, `đất` is not `đặt`. The few words whose every look-alike means the
same (`chốt`, `hủy`) are LOOSE and match whatever marks they carry.

Some words take several categories (`bo` is `bộ`, a unit, and `bỏ`, cancel); the parser chooses
by position.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ORDER = 1 << 0  # an order word: beats a question
ORDER_VERB = 1 << 1  # an order word that a negation turns into a cancel: `không lấy nữa`
CANCEL = 1 << 2
QUESTION = 1 << 3
NEGATION = 1 << 4  # `không` and its spellings: `còn không`, `không lấy nữa`, `... không?`
STILL = 1 << 5  # `còn`: with a negation, asks whether an item is left
MORE = 1 << 6  # `nữa`
UNIT = 1 << 7
MARKER = 1 << 8  # announces a quantity: `x`, `sl`, `số lượng`
SIZE_WORD = 1 << 9  # `size X`, `sz X`
COLOUR_WORD = 1 << 10  # `màu X`
SIZE = 1 << 11
COLOUR = 1 << 12
SHADE = 1 << 13  # follows a colour: `xanh dương`, `hồng đất`
NUMBER_WORD = 1 << 14
AND = 1 << 15  # `và`: separates items like a comma
PARTICLE = 1 << 16  # sentence-final politeness, skipped when looking for the end of a sentence
YET = 1 << 17  # `chưa`: at the end of a sentence, asks (`A1 hết chưa`: sold out yet?)

_EXACT: dict[str, int] = {}  # as typed (case-folded, NFC) or typed without any diacritics
_LOOSE: dict[str, int] = {}  # without diacritics, whatever marks the token carries
_DISPLAY: dict[str, str] = {}  # typed without diacritics -> the word as staff expect to read it


def strip_marks(word: str) -> str:
    """`chốt` -> `chot`, `đen` -> `den`: the spelling of a buyer without a Vietnamese keyboard."""
    if word.isascii():
        return word
    return _strip_marks(word)


@lru_cache(maxsize=8192)
def _strip_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def _add(category: int, words: str, *, loose: bool = False, bare: bool = True) -> None:
    """Register space-separated words; `bare=False` when the spelling without marks means
    something else too often (`cỡ` would make every `co` a size)."""
    for word in words.split():
        _EXACT[word] = _EXACT.get(word, 0) | category
        plain = strip_marks(word)
        if bare and plain != word:
            _EXACT[plain] = _EXACT.get(plain, 0) | category
            if category & (COLOUR | SHADE):
                _DISPLAY.setdefault(plain, word)
        if loose:
            _LOOSE[plain] = _LOOSE.get(plain, 0) | category


_add(ORDER | ORDER_VERB, "chốt", loose=True)
_add(ORDER | ORDER_VERB, "lấy mua đặt")
_add(ORDER, "xin ship")
_add(CANCEL, "hủy huỷ cancel", loose=True)
_add(CANCEL, "bỏ")
_add(QUESTION, "giá bn ib inbox nhiêu nhiu")
_add(NEGATION, "không ko k kh khg hông hong hok hk hem khum")
_add(STILL, "còn")
_add(MORE, "nữa")
_add(YET, "chưa")
_add(UNIT, "c cái chiếc sp bộ đôi set món")
_add(MARKER, "x sl lượng")
_add(SIZE_WORD, "size sz")
_add(SIZE_WORD, "cỡ", bare=False)
_add(COLOUR_WORD, "màu mầu")
_add(SIZE, "xs s m l xl xxl xxxl 2xl 3xl 4xl 5xl freesize")
_add(COLOUR, "đen trắng đỏ xanh vàng hồng tím nâu be kem xám cam ghi bạc rêu đô")
_add(COLOUR, "black white red blue pink navy grey gray beige brown green yellow purple cream")
_add(SHADE, "dương lá ngọc rêu đậm nhạt than sữa phấn biển bích navy mint pastel")
_add(SHADE, "đất", bare=False)
_add(AND, "và")
_add(PARTICLE, "ạ à a nhỉ nhé nhe nha vậy z hả ha shop sốp ad ơi em e chị anh")

NUMBER_WORDS: dict[str, int] = {}
for _value, _words in enumerate(
    ("một mốt", "hai", "ba", "bốn tư", "năm", "sáu", "bảy bẩy", "tám", "chín", "mười"), start=1
):
    _add(NUMBER_WORD, _words)
    for _word in _words.split():
        NUMBER_WORDS[_word] = _value
        NUMBER_WORDS.setdefault(strip_marks(_word), _value)

# Letters that are a word of the grammar, never the letters of a code, even glued to digits:
# `x2` is a quantity, `sz2` a size, `sdt0912...` a phone's label.
NEVER_CODE = frozenset(
    {
        *("size", "sz", "sl", "x", "mau"),  # the spec's
        *("sdt", "dt", "so"),  # labels of a phone
        *("chot", "lay", "mua", "dat", "xin", "ship", "huy", "gia", "ib", "bn", "ko", "kh"),
        *("xs", "xl", "xxl", "xxxl"),  # `xl2`: size XL, 2 of them
    }
)


@lru_cache(maxsize=8192)
def categories(word: str) -> int:
    """The categories `word` (case-folded, NFC) can take; 0 for a word the grammar ignores."""
    found = _EXACT.get(word, 0)
    if not word.isascii():
        found |= _LOOSE.get(_strip_marks(word), 0)
    return found


def display(word: str) -> str:
    """A colour or shade as staff read it: `den` -> `đen`; anything typed with marks as typed."""
    return _DISPLAY.get(word, word)


def number_word(word: str) -> int | None:
    return NUMBER_WORDS.get(word)
