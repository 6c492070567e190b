"""Where a comment's delivery address is, so that its words and numbers are never read as codes,
quantities or cancels (COMMENT_SYNTAX.md, "Addresses").

Buyers write the address after a delivery word (`A1 giao 12 Hai Bà Trưng Q1`, `dc: số 5 ngõ 12
Cầu Giấy HN`, `ship về Gò Vấp`) or, without one, as a tail that is plainly an address: a house
number and a street word (`12 đường Láng`, `số 5 ngõ 3`), a ward or district word with its name
or number (`phường Bến Nghé`, `quận 3`), shorthand with a dot (`P.12`, `Q.3`) or a ward and a
district in shorthand (`P5 Q3`), or shorthand right after a street name (`Hai Bà Trưng Q1`).

The address runs to the end of its line, a phone, a code, an order word or a question mark; the
politeness and phone labels that end it (`nha`, `sđt`) are not part of it. The text is read in
pieces (words, numbers, punctuation) once; whether a delivery word opens an address is decided
from two tables built from the end, so the scan stays linear whatever the comment.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass

from livestream import vocabulary as vocab
from livestream.grammar import is_code_letters
from orders.addresses import place_names

# Pieces: letter-and-digit runs, line breaks and `?` (stops), punctuation an address holds.
_PIECE = re.compile(r"[^\W_]+|[\n\r\x0b\x0c\x85\u2028\u2029?!]|[,;.:/+&\-]")
_CODE_SHAPE = re.compile(r"([a-zđ]+)([0-9]+)")
_HOUSE = re.compile(r"([0-9]{1,5})([a-z]{0,2})")

WORD, NUMBER, CODE, SHORTHAND, PUNCT, STOP = range(6)

# Words that open an address (typed with or without marks); each needs address evidence after.
_DELIVERY = frozenset({"giao", "gửi", "gui", "gởi", "đc", "dc", "diachi", "đchi", "dchi", "add"})
_WEAK_DELIVERY = frozenset({"về", "ở", "tại"})  # only with their marks: `ve`, `o`, `tai` are not
_DIRECTIONS = frozenset(
    {"về", "ve", "tới", "toi", "đến", "den", "qua", "ra", "vào", "vao", "lên", "len", "xuống"}
    | {"xuong", "cho", "ở", "tại"}
)
# Skipped between the delivery word and the address: `giao hàng về cho em ở 12 ...`.
_LEAD = _DIRECTIONS | {"hàng", "hang", "nhà", "mình", "minh", "tôi", "tui", "là", "la", "giúp"} | {
    "em", "e", "chị", "anh", "mik", "mk", "tận", "tan", "địa", "chỉ", "theo", "cũ", "mới", "moi",
    "nhận", "nhan", "tên", "ten",
}  # fmt: skip
_LEAD_REACH = 5
# Street-level words; `đường` and `phố` also mean other things without their marks.
_STREET = frozenset(
    {"đường", "phố", "ngõ", "ngo", "ngách", "ngach", "hẻm", "hem", "kiệt", "kiet", "tổ", "khu"}
    | {"xóm", "xom", "thôn", "thon", "ấp", "ap", "kp", "hxh", "lô"}
)
# Marked street words that, followed by a name, are an address with no number before them.
_STREET_NAMED = frozenset({"ngõ", "ngách", "hẻm", "kiệt", "thôn", "xóm", "ấp"})
_STREET_BARE_ALONE = frozenset({"ngo", "ngach", "hem", "kiet", "thon", "xom", "kp"})
# Ward, district and province words.
_UNIT = frozenset(
    {"phường", "quận", "huyện", "xã", "tỉnh", "thị", "thành", "tp", "tx", "tt", "tphcm"}
    | {"phuong", "quan", "huyen", "tinh"}
)
_UNIT_MARKED = frozenset({"phường", "quận", "huyện", "xã", "tỉnh"})
_UNIT_BARE = frozenset({"phuong", "quan", "huyen", "tinh"})  # `quan` is also `quần`: needs a number
_SHORT_LETTERS = frozenset({"p", "q", "f"})
_DOTTED = frozenset({"p", "q", "f", "tp", "tx", "tt"})  # `P.12`, `Q.Bình Thạnh`, `TP.HCM`
_ALIASES = frozenset({"hn", "hcm", "tphcm", "sg", "hp", "tphn"})
# Numbers followed by these are times, money or counts, not house numbers.
_NOT_HOUSE_AFTER = frozenset(
    {"ngày", "ngay", "hôm", "hom", "tuần", "tuan", "tháng", "thang", "h", "giờ", "gio", "phút"}
    | {"phut", "lần", "lan", "đơn", "don", "k", "nghìn", "ngàn", "tr", "triệu", "đ", "vnd", "năm"}
)
# What may end an address that is not part of it: politeness, labels of a phone, thanks.
_TAIL = frozenset(
    {"nhé", "nhe", "nha", "với", "voi", "giúp", "giup", "dùm", "dum", "luôn", "luon", "nhanh"}
    | {"gấp", "gap", "được", "đc", "dc", "cảm", "cám", "ơn", "on", "thanks", "tks", "ok"}
    | {"nhiều", "nhieu", "sđt", "sdt", "đt", "dt", "số", "so", "điện", "thoại", "dien", "thoai"}
    | {"phone", "lh", "liên", "hệ", "lien", "he", "gọi", "goi", "zalo", "oi", "ơi", "nhá"}
)
# Politeness words that also end names: `Thái Hà`, `Láng Hạ` typed without marks, `khu A`.
_KEPT_AT_END = frozenset({"ha", "a", "anh"})
_FIRM_CANCEL = frozenset({"hủy", "huỷ", "cancel"})
_ASKING = frozenset({"giá", "ib", "inbox", "bn"})
# Grammar words that may still be part of a street's name: `Hai Bà Trưng`, `Trần Huy Liệu`,
# `Hồng Bàng`, `Cách Mạng Tháng Tám`.
_NAME_CATS = vocab.NUMBER_WORD | vocab.COLOUR | vocab.SHADE | vocab.CANCEL | vocab.NEGATION
_BACK_REACH = 8
_PLACE_WORDS = 4


@dataclass(frozen=True)
class AddressSpan:
    """Offsets in the text read: `cut` is where the delivery words start (they go with the
    address, unread by the grammar), `start`/`end` bound the address itself."""

    cut: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Piece:
    kind: int
    text: str  # as typed, case-folded
    bare: str  # without marks
    start: int
    end: int
    cats: int


def find_address(
    text: str, phones: Sequence[tuple[int, int]], codes: Container[str]
) -> AddressSpan | None:
    """The address in a normalised comment, or None. `phones` are the offsets of its phones,
    which end an address; `codes` the session's table (its codes are never shorthand)."""
    pieces = _pieces(text, phones, codes)
    if not pieces:
        return None
    return _Finder(pieces).find()


def _pieces(text: str, phones: Sequence[tuple[int, int]], codes: Container[str]) -> list[_Piece]:
    pieces: list[_Piece] = []
    spans = iter(phones)
    phone = next(spans, None)
    for match in _PIECE.finditer(text):
        start, end = match.span()
        while phone is not None and phone[1] <= start:
            phone = next(spans, None)
        if phone is not None and phone[0] < end:  # a phone, or a word glued to one: a stop
            if not pieces or pieces[-1].kind != STOP or pieces[-1].start < phone[0]:
                pieces.append(_Piece(STOP, "", "", phone[0], phone[1], 0))
            continue
        pieces.append(_piece(match.group(), start, end, codes))
    return pieces


def _piece(text: str, start: int, end: int, codes: Container[str]) -> _Piece:
    if len(text) == 1 and not text.isalnum():
        kind = PUNCT if text in ",;.:/+&-" else STOP
        return _Piece(kind, text, text, start, end, 0)
    bare = vocab.strip_marks(text)
    if bare[0].isdigit():
        house = _HOUSE.fullmatch(bare)
        if house is not None and not (vocab.categories(house[2]) & (vocab.UNIT | vocab.SIZE)):
            return _Piece(NUMBER, text, bare, start, end, 0)
        return _Piece(WORD, text, bare, start, end, vocab.UNIT)  # `2c`, `20h30`: not an address
    shaped = _CODE_SHAPE.fullmatch(bare)
    if shaped is not None:
        letters, digits = shaped[1], shaped[2]
        code = letters.upper() + (digits.lstrip("0") or "0")
        if letters in _SHORT_LETTERS and len(digits) <= 2 and code not in codes:
            return _Piece(SHORTHAND, text, bare, start, end, 0)
        if is_code_letters(letters):
            return _Piece(CODE, text, bare, start, end, 0)
    return _Piece(WORD, text, bare, start, end, vocab.categories(text))


class _Finder:
    def __init__(self, pieces: list[_Piece]) -> None:
        self.p = pieces
        self._ends: list[int] | None = None
        self._evidence: list[int] | None = None

    def find(self) -> AddressSpan | None:
        p = self.p
        for i in range(len(p)):
            after = self._delivery(i)
            if after is not None:
                found = self._after_delivery(i, after)
                if found is not None:
                    return found
        for i in range(len(p)):
            if self._anchor(i):
                start = self._back(i)
                found = self._span(start, start, self.ends[i])
                if found is not None:
                    return found
        return None

    # -- tables from the end -------------------------------------------------------------------

    @property
    def ends(self) -> list[int]:
        """For each piece, the index of the first piece at or after it that ends an address."""
        if self._ends is None:
            p = self.p
            ends = [len(p)] * (len(p) + 1)
            for i in range(len(p) - 1, -1, -1):
                ends[i] = i if self._ends_address(p[i]) else ends[i + 1]
            self._ends = ends
        return self._ends

    @property
    def evidence(self) -> list[int]:
        """For each piece, the index of the first piece at or after it that says "address"."""
        if self._evidence is None:
            p = self.p
            names = place_names()
            found = [len(p)] * (len(p) + 1)
            for i in range(len(p) - 1, -1, -1):
                found[i] = i if self._is_evidence(i, names) else found[i + 1]
            self._evidence = found
        return self._evidence

    @staticmethod
    def _ends_address(piece: _Piece) -> bool:
        if piece.kind in (STOP, CODE):
            return True
        if piece.kind != WORD:
            return False
        return bool(piece.cats & vocab.ORDER) or piece.text in _FIRM_CANCEL or piece.text in _ASKING

    def _is_evidence(self, i: int, names: frozenset[str]) -> bool:
        piece = self.p[i]
        if piece.kind == SHORTHAND:
            return True
        if piece.kind == NUMBER:
            return self._house_number(i)
        if piece.kind != WORD:
            return False
        if piece.text in _STREET or piece.bare in _STREET or piece.text in _UNIT:
            return True
        if piece.bare in _ALIASES or self._dotted(i):
            return True
        words: list[str] = []
        for j in range(i, min(i + _PLACE_WORDS, len(self.p))):
            if self.p[j].kind != WORD:
                break
            words.append(self.p[j].bare)
            if " ".join(words) in names:
                return True
        return False

    # -- with a delivery word ------------------------------------------------------------------

    def _delivery(self, i: int) -> int | None:
        """Index of the first piece after a delivery phrase starting at `i`, or None."""
        p = self.p
        piece = p[i]
        if piece.kind != WORD:
            return None
        text, bare = piece.text, piece.bare
        if text in _DELIVERY:
            return i + 1
        if text in _WEAK_DELIVERY:
            # `Shop ở Hà Nội hay Sài Gòn vậy?` asks where the shop is: `ở`, `tại`, `về` start
            # an address only in a comment that asks nothing after them.
            return None if self._asks_after(i) else i + 1
        if bare == "dia" and i + 1 < len(p) and p[i + 1].bare == "chi":  # `địa chỉ`
            return i + 2
        if bare == "d" and self._text(i + 1) == "/" and self._bare(i + 2) == "c":  # `đ/c`
            return i + 3
        if bare in ("ship", "chuyen") and self._text(i + 1) in _DIRECTIONS:  # `ship về`
            return i + 2
        return None

    def _asks_after(self, i: int) -> bool:
        return any(piece.text == "?" for piece in self.p[i + 1 :])

    def _after_delivery(self, cut: int, after: int) -> AddressSpan | None:
        p = self.p
        start = after
        while start < len(p) and start - after < _LEAD_REACH:
            piece = p[start]
            if not (piece.kind == PUNCT or piece.text in _LEAD):
                break
            start += 1
        if start >= len(p):
            return None
        end = self.ends[start]
        if self.evidence[start] >= end:
            return None
        return self._span(cut, start, end)

    # -- without one ---------------------------------------------------------------------------

    def _anchor(self, i: int) -> bool:
        """Whether piece `i` is plainly part of an address, with no delivery word before it."""
        p = self.p
        piece = p[i]
        following = p[i + 1] if i + 1 < len(p) else None
        if piece.kind == NUMBER:
            nxt = following
            if nxt is not None and nxt.text == "/" and self._kind(i + 2) == NUMBER:
                nxt = p[i + 3] if i + 3 < len(p) else None  # `12/3a đường ...`
            return (
                nxt is not None
                and nxt.kind == WORD
                and (nxt.text in _STREET or nxt.bare in _STREET)
            )
        if piece.kind == SHORTHAND:
            before = self._kind(i - 1)
            if before == WORD and not (p[i - 1].cats & ~_NAME_CATS):
                return True  # `Hai Bà Trưng Q1`
            nxt = self._next_word(i)
            return nxt is not None and (
                (nxt.kind == SHORTHAND and nxt.bare[0] != piece.bare[0]) or nxt.bare in _ALIASES
            )
        if piece.kind != WORD or following is None:
            return False
        if self._dotted(i):
            return True
        named = following.kind in (WORD, NUMBER) and not (following.cats & ~_NAME_CATS)
        if piece.text in _UNIT_MARKED or piece.text in _STREET_NAMED:
            return named
        if piece.bare in _STREET_BARE_ALONE or piece.text in _UNIT_BARE or piece.text == "tổ":
            return following.kind == NUMBER and self._house_number(i + 1)
        return False

    def _back(self, anchor: int) -> int:
        """Where the address that `anchor` is part of starts: back over the street's name and
        one house number (`12`, `12/3a`, `số 5`)."""
        p = self.p
        start = anchor
        j = anchor - 1
        while j >= 0 and anchor - j <= _BACK_REACH:
            piece = p[j]
            if piece.kind == NUMBER:
                first = p[start]
                if first.kind == WORD and first.text not in _UNIT and self._house_number(j):
                    start = j
                    if self._text(j - 1) == "/" and self._kind(j - 2) == NUMBER:
                        start = j - 2
                    if self._bare(start - 1) in ("so", "sn"):
                        start -= 1
                break
            if piece.kind == PUNCT and piece.text in ",.-/":
                j -= 1
                continue
            named = piece.kind == WORD and not (piece.cats & ~_NAME_CATS)
            if not (named or piece.kind == SHORTHAND or piece.text in _STREET):
                break
            if piece.text in _FIRM_CANCEL:
                break
            start = j
            j -= 1
        return start

    # -- shared --------------------------------------------------------------------------------

    def _span(self, cut: int, start: int, end: int) -> AddressSpan | None:
        """The address from piece `start` to before piece `end`, less what only ends it."""
        p = self.p
        while end > start and (
            p[end - 1].kind == PUNCT or (p[end - 1].kind == WORD and self._tail(p[end - 1]))
        ):
            end -= 1
        while start < end and p[start].kind == PUNCT:
            start += 1
        if end <= start:
            return None
        return AddressSpan(p[cut].start, p[start].start, p[end - 1].end)

    @staticmethod
    def _tail(piece: _Piece) -> bool:
        if piece.text in _KEPT_AT_END:
            return False
        return piece.text in _TAIL or bool(
            piece.cats & (vocab.PARTICLE | vocab.QUESTION | vocab.NEGATION | vocab.YET)
        )

    def _house_number(self, i: int) -> bool:
        """A number that is not a count or a time: `2 cái`, `2 ngày` are not house numbers."""
        following = self.p[i + 1] if i + 1 < len(self.p) else None
        if following is None or following.kind != WORD:
            return True
        return not (following.cats & vocab.UNIT) and following.text not in _NOT_HOUSE_AFTER

    def _dotted(self, i: int) -> bool:
        """`P.12`, `Q.3`, `Q.Bình Thạnh`, `TP.HCM`."""
        return (
            self.p[i].bare in _DOTTED
            and self._text(i + 1) == "."
            and self._kind(i + 2) in (WORD, NUMBER)
        )

    def _next_word(self, i: int) -> _Piece | None:
        p = self.p
        j = i + 1
        while j < len(p) and p[j].kind == PUNCT and p[j].text in ",.-":
            j += 1
        return p[j] if j < len(p) else None

    def _kind(self, i: int) -> int | None:
        return self.p[i].kind if 0 <= i < len(self.p) else None

    def _text(self, i: int) -> str:
        return self.p[i].text if 0 <= i < len(self.p) else ""

    def _bare(self, i: int) -> str:
        return self.p[i].bare if 0 <= i < len(self.p) else ""
