"""Comment text to tokens: the reading half of COMMENT_SYNTAX.md, before any meaning is given.

Codes are recognised here because whether `sp 12` is one code or a unit and a number depends on
the spacing and on the session's table, which the meaning pass no longer sees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from livestream import vocabulary as vocab

CODE, NUMBER, WORD, QUESTION_MARK, BREAK = range(5)

_SURROGATES = re.compile("[\ud800-\udfff]")
# Invisible, so deleted rather than made separators: `A\u200b1` reads `A1`.
_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
# Things that are not words of a comment: links, @mentions (Facebook inserts the name as text),
# clock times (`20:30`) and prices with thousands separators (`150.000`). Each pattern runs only
# when the character it needs is there: most comments have none of them.
_LINKS = re.compile(r"https?://\S+|www\.\S+")
_MENTIONS = re.compile(r"@[^\s@]+")
_CLOCK = re.compile(r"(?<![0-9a-z])[0-9]{1,2}:[0-9]{2}(?![0-9])")
_PRICE = re.compile(r"(?<![0-9])[0-9]{1,3}(?:[.,][0-9]{3})+(?![0-9])")
# Letters and digits are separate atoms so `a1x2`, `2c`, `20h30` can be told apart; atoms with
# nothing between them make one group. `[^\W\d_]` is a letter of any script. Each match also
# captures the gap before it (emoji, spaces, other punctuation: all separators), so no match
# positions are needed: an empty gap means glued, and `sp 12` has the gap " ".
_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029,;&"
_SIGNS = "?+*×\\-"
# The gap may also end the text (`\Z`): otherwise trailing separators make every search fail
# after scanning to the end, once per position, which is quadratic (10 KB of spaces: seconds).
_ATOM = re.compile(
    rf"((?:(?![0-9{_BREAKS}{_SIGNS}])[\W\d_])*)"
    rf"(?:([0-9]+)|([^\W\d_]+)|([{_BREAKS}])|([{_SIGNS}])|\Z)"
)
_CODE_PARTS = re.compile(r"[a-z0-9]+")
_LETTERS_DIGITS = re.compile(r"([a-z]+)([0-9]+)")
_MAX_CODE_LETTERS = 4
_MAX_CODE_DIGITS = 4


class Token:
    """One unit of meaning; `cats` are the vocabulary categories of a WORD."""

    __slots__ = ("cats", "kind", "plus", "text", "value")

    def __init__(self, kind: int, text: str, cats: int = 0, value: int = 0) -> None:
        self.kind = kind
        self.text = text
        self.cats = cats
        self.value = value
        self.plus = False  # a NUMBER written `+2`: an order word and a quantity at once

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r})"


def normalise(text: object) -> str:
    """NFKC (full-width to ASCII), then case-fold, then NFC again since folding can decompose;
    zero-width characters go.

    NFKC output is already NFC, so the spec's NFC step is the last one. Anything that is not a
    string, and lone surrogates (a JSON body can carry them), must not make the parser raise.
    """
    text = unicodedata.normalize("NFKC", _as_text(text)).casefold()
    if not text.isascii():
        text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text))
    return text


def as_typed(text: object, normalised: str) -> str:
    """`text` normalised as `normalise` does but in the case the buyer typed, when each of its
    characters is one of `normalised` (so offsets in one are offsets in the other); otherwise
    `normalised` itself. An address is kept as written: `Hai Bà Trưng`, not `hai bà trưng`."""
    typed = unicodedata.normalize("NFKC", _as_text(text))
    if not typed.isascii():
        typed = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", typed))
    if len(typed) == len(normalised) and typed.casefold() == normalised:
        return typed
    return normalised


def _as_text(text: object) -> str:
    """Anything that is not a string, and lone surrogates (a JSON body can carry them), must
    not make the parser raise."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATES.sub(" ", text)
    return text


def canonical_code(text: str) -> str:
    """`a01`, `A001`, `A1`, `a-1` -> `A1`; `a1-m đen` -> `A1-M-DEN`; other text, folded upper.

    Table codes and comment codes go through the same function so they meet on equal terms.
    """
    words = _CODE_PARTS.findall(vocab.strip_marks(normalise(text)))
    if not words:
        return ""
    head = _LETTERS_DIGITS.fullmatch(words[0])
    if head is not None:
        rest = words[1:]
    elif len(words) > 1 and words[0].isalpha() and words[1].isdigit():
        head = _LETTERS_DIGITS.fullmatch(words[0] + words[1])
        rest = words[2:]
    if head is None:
        return "-".join(words).upper()
    base = head[1].upper() + _digits(head[2])
    return "-".join([base, *rest]).upper()


def variant_suffix(part: str) -> str:
    """A variant as a variant code's tail: `M` -> `M`, `xanh dương` -> `XANH-DUONG`."""
    return "-".join(vocab.strip_marks(part).upper().split())


def _digits(digits: str) -> str:
    """Digits without leading zeros, with no int() (huge strings would hit Python's limit)."""
    return digits.lstrip("0") or "0"


def is_code_letters(letters: str) -> bool:
    return (
        len(letters) <= _MAX_CODE_LETTERS
        and letters.isascii()
        and letters.isalpha()
        and letters not in vocab.NEVER_CODE
    )


def clean(text: str) -> str:
    """`text` without links, mentions, clock times and prices."""
    if "/" in text or "www" in text:
        text = _LINKS.sub(" ", text)
    if "@" in text:
        text = _MENTIONS.sub(" ", text)
    if ":" in text:
        text = _CLOCK.sub(" ", text)
    if "." in text or "," in text:
        text = _PRICE.sub(" ", text)
    return text


def tokenize(text: str, codes: Container[str]) -> list[Token]:
    """Tokens of a normalised comment whose phones are already gone."""
    return _Tokenizer(clean(text), codes).run()


# An atom: (is_digits, text). A group: atoms with nothing between them (`a1x2`). An item: a
# group, or one punctuation character as a str.
_Atom = tuple[bool, str]
_Item = list[_Atom] | str


class _Tokenizer:
    def __init__(self, text: str, codes: Container[str]) -> None:
        self.codes = codes
        self.items: list[_Item] = []
        self.gaps: list[str] = []  # what separates item i from the one before
        self.out: list[Token] = []
        self._split(text)

    def run(self) -> list[Token]:
        items = self.items
        i = 0
        while i < len(items):
            item = items[i]
            i = self._group(i, item) if isinstance(item, list) else self._punctuation(i, item)
        return self.out

    def _split(self, text: str) -> None:
        items, gaps = self.items, self.gaps
        group: list[_Atom] | None = None
        for gap, digits, letters, stop, sign in _ATOM.findall(text):
            if digits or letters:
                atom = (True, digits) if digits else (False, letters)
                if group is not None and not gap:
                    group.append(atom)
                    continue
                group = [atom]
                items.append(group)
            elif stop or sign:
                group = None
                items.append(stop or sign)
            else:
                break  # the end of the text
            gaps.append(gap)

    def _glued(self, i: int) -> bool:
        return i < len(self.items) and not self.gaps[i]

    def _punctuation(self, i: int, char: str) -> int:
        out = self.out
        if char == "?":
            out.append(Token(QUESTION_MARK, char))
        elif char in "*×":
            out.append(Token(WORD, char, vocab.MARKER))
        elif char == "+":
            following = self.items[i + 1] if self._glued(i + 1) else None
            if isinstance(following, list) and following[0][0]:
                # `+1`: the order word of Facebook lives; `+2` also says how many.
                out.append(Token(WORD, "+", vocab.ORDER))
                number = self._number(following[0][1])
                number.plus = True
                out.append(number)
                self._rest(following, 1)
                return i + 2
            out.append(Token(BREAK, char))
        elif char != "-":
            out.append(Token(BREAK, char))
        return i + 1

    def _group(self, i: int, atoms: list[_Atom]) -> int:
        is_digits, text = atoms[0]
        if is_digits:
            self._from_digits(atoms, 0)
            return i + 1
        if len(atoms) == 1:
            joined = self._split_code(i, text)
            if joined is not None:
                return joined
            self.out.append(self._word(text))
            return i + 1
        digits = atoms[1][1]
        if is_code_letters(text) and len(digits) <= _MAX_CODE_DIGITS:
            token = Token(CODE, text.upper() + _digits(digits))
            self.out.append(token)
            if len(atoms) == 2:
                return self._variant_code(i, token)
            self._rest(atoms, 2)
            return i + 1
        word = self._word(text)
        if word.cats & ~vocab.PARTICLE:  # `lấy2`, `sl4`, `size2`: a word glued to a number
            self.out.append(word)
            self._from_digits(atoms, 1)
        return i + 1  # otherwise `iphone12`, `abcde1`: not a code, not a quantity

    def _split_code(self, i: int, letters: str) -> int | None:
        """`a 01`, `SP-12`, `AO-5`: letters and digits apart make a code only if it is known."""
        items = self.items
        j = i + 1
        if j >= len(items):
            return None
        if items[j] == "-" and self._glued(j):
            if not self._glued(j + 1):
                return None
            j += 1
        elif self.gaps[j] != " ":
            return None
        group = items[j]
        if not (isinstance(group, list) and group[0][0] and len(group[0][1]) <= _MAX_CODE_DIGITS):
            return None
        if not is_code_letters(letters):
            return None
        code = letters.upper() + _digits(group[0][1])
        if code not in self.codes:
            return None
        token = Token(CODE, code)
        self.out.append(token)
        if len(group) == 1:
            return self._variant_code(j, token)
        self._rest(group, 1)
        return j + 1

    def _variant_code(self, i: int, token: Token) -> int:
        """`A1-M` is the table's variant code A1-M when there is one: an exact match wins."""
        items = self.items
        best, best_next = None, i + 1
        parts: list[str] = []
        position = i + 1
        while len(parts) < 3 and self._glued(position + 1) and self._glued(position):
            dash, group = items[position], items[position + 1]
            if dash != "-" or not isinstance(group, list):
                break
            parts.append("".join(atom[1] for atom in group))
            candidate = "-".join([token.text, *(variant_suffix(p) for p in parts)])
            if candidate in self.codes:
                best, best_next = candidate, position + 2
            position += 2
        if best is not None:
            token.text = best
        return best_next

    def _from_digits(self, atoms: list[_Atom], index: int) -> None:
        """`2`, `2c`, `2cái`, `2xl`; `20h30`, `150k` are neither quantity nor size."""
        digits = atoms[index][1]
        if index + 1 == len(atoms):
            self.out.append(self._number(digits))
            return
        letters = atoms[index + 1][1]
        if vocab.categories(letters) & vocab.UNIT:
            self.out.append(self._number(digits))
            self.out.append(self._word(letters))
            self._rest(atoms, index + 2)
        elif vocab.categories(digits + letters) & vocab.SIZE:
            self.out.append(Token(WORD, digits + letters, vocab.SIZE))
            self._rest(atoms, index + 2)

    def _rest(self, atoms: list[_Atom], index: int) -> None:
        """What is glued after a code or a number: `A1x2`, `A1m`, `2cái`; code letters here
        would follow a digit, so they are never a new code (`20h30`)."""
        if index >= len(atoms):
            return
        is_digits, text = atoms[index]
        if is_digits:
            self._from_digits(atoms, index)
            return
        word = self._word(text)
        if index + 1 == len(atoms):
            if word.cats & (vocab.SIZE | vocab.COLOUR | vocab.UNIT | vocab.MARKER):
                self.out.append(word)
        elif word.cats & (vocab.MARKER | vocab.SIZE_WORD | vocab.SIZE):
            self.out.append(word)
            self._from_digits(atoms, index + 1)

    @staticmethod
    def _number(digits: str) -> Token:
        # Never more than 8 digits reach here (longer runs are taken out as phones or typos),
        # but a cap keeps int() cheap whatever happens upstream.
        value = int(digits) if len(digits) <= 9 else 10**9
        return Token(NUMBER, digits, value=value)

    @staticmethod
    def _word(text: str) -> Token:
        return Token(WORD, text, vocab.categories(text))
