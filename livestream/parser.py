"""The comment grammar of COMMENT_SYNTAX.md as one pure function.

`parse_comment(text, table)` reads in four passes, each linear in the text: normalise, take the
phones out (so their digits are never a quantity), tokenize (codes are decided there, against
the table), then give the tokens meaning left to right. It does no I/O and never raises, since a
live storm must not stall on one odd comment.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from livestream import grammar
from livestream import vocabulary as vocab
from livestream.comment_address import find_address
from livestream.grammar import BREAK, CODE, NUMBER, QUESTION_MARK, WORD, Token
from orders.phones import scan_phones
from orders.review_codes import NUMBER_AS_VARIANT, UNKNOWN_CODE

Intent = Literal["order", "cancel", "question", "none"]
DEFAULT_MAX_QTY = 50

# How far a `không lấy` looks for the `nữa` that makes it a cancel, and how many politeness
# words may follow a final `không`: small bounds keep the pass linear on any input.
_MORE_REACH = 8
_PARTICLE_REACH = 3
_SHADE_REACH = 2
# Facebook caps a comment at 8,000 characters; past this the text is not a buyer typing, and
# reading it would only cost time in a storm. The fingerprint still covers all of it.
MAX_READ_CHARS = 10_000
ADDRESS_LIMIT = 500  # an order's street line holds this many characters
# `Huy` as a word of its own, and the words next to it (one space or tab apart, at most this long).
_CAPITAL_HUY = re.compile(r"(?<![^\W\d_])Huy(?![^\W\d_])")
_WORD_BEFORE = re.compile(r"([^\W\d_]{1,20})[ \t]$")
_WORD_AFTER = re.compile(r"[ \t]([^\W\d_]{1,20})(?![^\W\d_])")


@dataclass(frozen=True)
class CodeTable:
    """What a live session knows when a comment is read."""

    codes: Mapping[str, str] = field(default_factory=dict)  # canonical code -> sku
    default_code: str | None = None  # canonical
    max_qty: int = DEFAULT_MAX_QTY

    @classmethod
    def build(
        cls,
        codes: Mapping[str, str],
        default_code: str | None = None,
        max_qty: int = DEFAULT_MAX_QTY,
    ) -> CodeTable:
        """A table from codes as the shop typed them (`AO-5`, `a01`), canonicalised."""
        canonical = {canonical_code(code): sku for code, sku in codes.items()}
        default = canonical_code(default_code) if default_code else None
        return cls(codes=canonical, default_code=default, max_qty=max_qty)


@dataclass(frozen=True)
class ParsedLine:
    code: str  # canonical, e.g. A1
    sku: str | None  # None: right syntax, unknown code
    quantity: int = 1
    variant: str = ""
    needs_review: bool = False
    # Why it needs review (`orders.review_codes`): `unknown_code` with the code, or
    # `number_as_variant` with the number read as a size (`A1 90`: `90`). An explanation of
    # `needs_review`, not part of what was read: two readings that differ only here are equal.
    review_reason: str = field(default="", compare=False)
    review_value: str = field(default="", compare=False)


@dataclass(frozen=True)
class ParsedComment:
    intent: Intent
    lines: tuple[ParsedLine, ...] = ()  # for a cancel: lines ordered after it (`hủy A1 lấy A2`)
    phone: str | None = None  # 0xxxxxxxxx
    cancel_codes: tuple[str, ...] = ()  # for a cancel: the codes it names; empty means all
    fingerprint: str = ""  # the normalised text, for "the same text counts once"
    # The delivery address the comment carried, as written (without its delivery word and
    # without the phone), or None. Its words and numbers are never codes or quantities.
    address: str | None = None


def canonical_code(text: str) -> str:
    """`a01`, `A001`, `A1` -> `A1`; `AO-5` -> `AO5`; a variant code `a1-m` -> `A1-M`."""
    return grammar.canonical_code(text)


def fingerprint(normalised: str) -> str:
    """sha256 of the case-folded NFC text with whitespace collapsed: 64 hex characters, the
    column's width, whatever the comment's length."""
    collapsed = " ".join(normalised.split())
    return hashlib.sha256(collapsed.encode("utf-8")).hexdigest()


def parse_comment(text: str, table: CodeTable) -> ParsedComment:
    """The intent, order lines, phone and cancelled codes of one livestream comment."""
    normalised = grammar.normalise(text)
    head = normalised[:MAX_READ_CHARS]
    if "huy" in head:
        head = _names_out(head, grammar.as_typed(text, normalised))
    scan = scan_phones(head)
    phone = scan.phones[0] if scan.phones else None
    read, address = scan.text, None
    span = find_address(head, scan.spans, table.codes)
    if span is not None:
        # The delivery words and the address are not read for codes, quantities or cancels;
        # a line break stands in for them, so a number after them waits for a code of its own.
        read = _blank(head, scan.spans, (span.cut, span.end))
        written = grammar.as_typed(text, normalised)[span.start : span.end]
        # Control characters (a NUL) would make the row unstorable; they are no address.
        address = " ".join("".join(c if c.isprintable() else " " for c in written).split())
        address = address[:ADDRESS_LIMIT]
    tokens = grammar.tokenize(read, table.codes)
    reading = _Reader(tokens, table.max_qty).read()
    parsed = _decide(reading, table, phone, fingerprint(normalised))
    if parsed.intent == "question":
        # `ship về Gò Vấp bao lâu?` asks about delivery; it gives no address to deliver to.
        return parsed
    return replace(parsed, address=address)


def _names_out(head: str, typed: str) -> str:
    """`head` without the `Huy` of people's and streets' names (`Trần Huy Liệu`, `Nguyễn Văn
    Huy`): typed without marks, capitalised and next to another capitalised word, it is a name,
    not the cancel word `huy`. Offsets stay as they were."""
    if typed is head or typed == head:
        return head  # the case was not kept: nothing tells a name apart
    parts: list[str] = []
    position = 0
    for match in _CAPITAL_HUY.finditer(typed, 0, len(head)):
        start, end = match.span()
        before = _WORD_BEFORE.search(typed, max(0, start - 21), start)
        after = _WORD_AFTER.match(typed, end)
        if (before and _capitalised(before[1])) or (after and _capitalised(after[1])):
            parts.append(head[position:start])
            parts.append("   ")
            position = end
    if not parts:
        return head
    parts.append(head[position:])
    return "".join(parts)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def _blank(text: str, phones: Sequence[tuple[int, int]], address: tuple[int, int]) -> str:
    """`text` with each phone replaced by a space, as `scan_phones` does, and the address by
    a line break."""
    spans = sorted([(start, end, " ") for start, end in phones] + [(*address, "\n")])
    parts: list[str] = []
    position = 0
    for start, end, filler in spans:
        start = max(start, position)
        if end <= start:
            continue
        parts.append(text[position:start])
        parts.append(filler)
        position = end
    parts.append(text[position:])
    return "".join(parts)


class _Draft:
    """A line while the comment is being read."""

    __slots__ = ("code", "flagged", "kinds", "phase", "quantity", "variant")

    def __init__(self, code: str, phase: int) -> None:
        self.code = code
        self.phase = phase  # see _Reader.phase
        self.quantity: int | None = None
        self.variant: list[str] = []
        self.kinds = 0  # SIZE and COLOUR bits of the variant so far
        self.flagged: list[str] = []  # variant parts that were numbers too big to be quantities


class _Reader:
    """Gives the tokens meaning, left to right, in one pass."""

    def __init__(self, tokens: list[Token], max_qty: int) -> None:
        self.tokens = tokens
        self.max_qty = max_qty
        self.lines: list[_Draft] = []
        self.current: _Draft | None = None  # the code whose quantity and variant come next
        self.last: _Draft | None = None  # the latest line, even past a comma
        self.pending: Token | None = None  # a number before any code of its clause: `2 A1`
        # Variants before any code: kept for the default code's line, and carried to the next
        # code only when introduced (`lấy màu đen mã A1`); a bare `do` may be "because", not đỏ.
        self.pending_variant: list[str] = []
        self.introduced_variant: list[str] = []
        self.free_quantity: Token | None = None  # a number no code took: for the default code
        self.ordered = False
        self.asked = False
        self.cancelled = False
        self.cancel_is_firm = False  # a cancel word, not only `không lấy A1`
        self.still = False  # `còn` seen: a later `không` asks whether an item is left
        # 0: before any cancel word; 1: after one (codes named are cancelled);
        # 2: after an order word that follows a cancel (`hủy A1 lấy A2`: A2 is ordered).
        self.phase = 0
        self.item_before = False  # the previous token belongs to an item: a size may follow

    def read(self) -> _Reader:
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.kind
            item = False
            if kind == CODE:
                self._code(token)
                item = True
            elif kind == NUMBER:
                i = self._number_at(i, token, token.value)
                item = True
            elif kind == WORD:
                i, item = self._word(i, token)
            elif kind == QUESTION_MARK:
                self.asked = True
            elif kind == BREAK:
                self._end_clause()
            self.item_before = item
            i += 1
        self._end_clause()
        return self

    # -- items -------------------------------------------------------------------------------

    def _code(self, token: Token) -> None:
        line = self._new_line(token.text)
        line.variant.extend(self.introduced_variant)
        self.pending_variant, self.introduced_variant = [], []

    def _new_line(self, code: str) -> _Draft:
        """A line that takes the number waiting before it (`2 A1`)."""
        line = _Draft(code, self.phase)
        if self.pending is not None:
            self._quantity(line, self.pending)
            self.pending = None
        self.lines.append(line)
        self.current = self.last = line
        return line

    def _number_at(self, i: int, token: Token, value: int) -> int:
        """A number, with the unit that may follow it (`2 cái`, `2 bo`: a unit, not a cancel)."""
        following = self._peek(i + 1)
        if following is not None and following.kind == WORD and following.cats & vocab.UNIT:
            i += 1
        token.value = value
        current = self.current
        if current is not None and current.quantity is not None:
            if not token.plus:  # `A1 2 +1`: the +1 is an order word, not a second quantity
                # `2 A1 3 B3`: A1 has its quantity, so 3 waits for B3 (or, if no code comes,
                # goes to A1 for review: `A1 2 3`).
                self.pending = token
        elif current is not None:
            self._quantity(current, token)
        else:
            self.pending = token
        return i

    def _quantity(self, line: _Draft, token: Token) -> None:
        """A quantity, or when it cannot be one (`A1 90`: a kids' size) a variant to review."""
        if line.quantity is None and 1 <= token.value <= self.max_qty:
            line.quantity = token.value
            return
        line.variant.append(token.text)
        line.flagged.append(token.text)

    def _variant(self, part: str, kind: int = 0, *, introduced: bool = False) -> None:
        current = self.current
        last = self.last
        if current is None and last is not None and last.quantity is not None and last.kinds & kind:
            # `A1 2 cái size M, 1 cái size L`: past the comma, still A1.
            current = self._new_line(last.code)
        if current is not None:
            if current.quantity is not None and current.kinds & kind:
                # `A1 đen 2 trắng 1`, `A1 2 size M 1 size L`: the same code in a second variant,
                # with the number waiting before it if any, is a line of its own.
                current = self._new_line(current.code)
            current.variant.append(part)
            current.kinds |= kind
            return
        self.pending_variant.append(part)
        if introduced:
            self.introduced_variant.append(part)

    def _end_clause(self) -> None:
        """A comma, newline, `+` or `và`: a number left over binds to the line before it
        (`A1\\n2 cái`), and the next number waits for the next code."""
        if self.pending is not None:
            if self.last is None:
                self.free_quantity = self.pending
            else:
                self._quantity(self.last, self.pending)
            self.pending = None
        if self.pending_variant and self.last is not None:
            self.last.variant.extend(self.pending_variant)
            self.pending_variant, self.introduced_variant = [], []
        self.current = None

    def unnamed_item(self, code: str) -> _Draft:
        """The line of a comment that names no code (`chốt 2 size M`), for the default code."""
        line = _Draft(code, 0)
        if self.free_quantity is not None:
            self._quantity(line, self.free_quantity)
        line.variant.extend(self.pending_variant)
        return line

    # -- words -------------------------------------------------------------------------------

    def _word(self, i: int, token: Token) -> tuple[int, bool]:
        """Returns the index of the last token used, and whether it belongs to an item."""
        cats = token.cats
        if not cats:
            return i, False
        if cats & vocab.NEGATION and not (cats & vocab.COLOUR and not self.still):
            return self._negation(i), False
        if cats & vocab.STILL:
            self.still = True
            return i, False
        if cats & vocab.NUMBER_WORD:
            following = self._peek(i + 1)
            value = vocab.number_word(token.text)
            if value and following is not None and following.cats & vocab.UNIT:
                token.kind = NUMBER
                return self._number_at(i, token, value), True
            return i, False
        if cats & vocab.CANCEL:
            self._cancel(firm=True)
            return i, False
        if cats & vocab.ORDER:
            following = self._peek(i + 1)
            if (
                not cats & vocab.ORDER_VERB
                and following is not None
                and following.cats & (vocab.QUESTION)
            ):
                self.asked = True  # `xin giá`, `xin ib`: asking for the price, not ordering
                return i + 1, False
            self._order()
            return i, True
        if cats & vocab.QUESTION:
            self.asked = True
            return i, False
        if cats & vocab.SIZE_WORD:
            return self._size_word(i), True
        if cats & vocab.COLOUR_WORD:
            return self._colour_word(i)
        if cats & vocab.SIZE:
            if len(token.text) > 1 or self.item_before:  # `m lấy A1`: `m` is "I", not size M
                self._variant(token.text.upper(), vocab.SIZE)
                return i, True
            return i, False
        if cats & vocab.COLOUR:
            return self._colour(i, token)
        if cats & vocab.AND:
            self._end_clause()
        if cats & vocab.YET and self._ends_sentence(i):
            self.asked = True
        return i, bool(cats & (vocab.UNIT | vocab.MARKER))

    def _negation(self, i: int) -> int:
        before = self._peek(i - 1) if i else None
        if before is not None and before.kind == WORD and before.cats & vocab.STILL:
            self.asked = True  # `còn không`, `còn k`
            return i
        following = self._peek(i + 1)
        if following is not None and following.kind == WORD and following.cats & vocab.ORDER_VERB:
            # `không lấy nữa` cancels; `không lấy A1` cancels A1 (and nothing when no code).
            firm = False
            for j in range(i + 2, min(i + 2 + _MORE_REACH, len(self.tokens))):
                later = self.tokens[j]
                if later.kind == BREAK:
                    break
                if later.kind == WORD and later.cats & vocab.MORE:
                    firm = True
                    break
            self._cancel(firm=firm)
            return i + 1
        if self.still or self._ends_sentence(i):
            self.asked = True  # `còn A1 không`, `A1 size M không ạ`
        return i

    def _ends_sentence(self, i: int) -> bool:
        """Whether only politeness words (`ạ`, `nha`, `shop`) follow, up to a stop or the end."""
        tokens = self.tokens
        for j in range(i + 1, i + 2 + _PARTICLE_REACH):
            if j >= len(tokens) or tokens[j].kind in (BREAK, QUESTION_MARK):
                return True
            if not (tokens[j].kind == WORD and tokens[j].cats & vocab.PARTICLE):
                return False
        return False

    def _cancel(self, *, firm: bool) -> None:
        self.cancelled = True
        self.cancel_is_firm = self.cancel_is_firm or firm
        self.phase = 1
        self.current = None

    def _order(self) -> None:
        self.ordered = True
        if self.phase == 1:
            self.phase = 2

    def _size_word(self, i: int) -> int:
        """`size L`, `sz 38`, `cỡ M`: the next token is the size, even a number."""
        following = self._peek(i + 1)
        if following is None:
            return i
        if following.kind == NUMBER:
            self._variant(following.text, vocab.SIZE, introduced=True)
            return i + 1
        if following.kind == WORD and following.cats & vocab.SIZE:
            self._variant(following.text.upper(), vocab.SIZE, introduced=True)
            return i + 1
        return i

    def _colour_word(self, i: int) -> tuple[int, bool]:
        """`màu đen`, `màu 2`."""
        following = self._peek(i + 1)
        if following is None:
            return i, False
        if following.kind == NUMBER:
            self._variant(f"màu {following.text}", vocab.COLOUR, introduced=True)
            return i + 1, True
        if following.kind == WORD and following.cats & vocab.COLOUR:
            return self._colour(i + 1, following, introduced=True)
        return i, False

    def _colour(self, i: int, token: Token, *, introduced: bool = False) -> tuple[int, bool]:
        """A colour with its shades: `xanh dương`, `hong dat` -> `hồng đất`."""
        following = self._peek(i + 1)
        if token.text == "cam" and following is not None and following.text in ("on", "ơn"):
            return i + 1, False  # `cam on`: thanks, not orange
        words = [vocab.display(token.text)]
        while len(words) <= _SHADE_REACH and following is not None:
            if not (following.kind == WORD and following.cats & vocab.SHADE):
                break
            words.append(vocab.display(following.text))
            i += 1
            following = self._peek(i + 1)
        self._variant(" ".join(words), vocab.COLOUR, introduced=introduced)
        return i, True

    def _peek(self, i: int) -> Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None


def _decide(reading: _Reader, table: CodeTable, phone: str | None, print_: str) -> ParsedComment:
    """Intent by precedence: cancel, then question (unless an order word), order, default."""
    lines = reading.lines
    named = tuple(dict.fromkeys(line.code for line in lines if line.phase < 2))
    # `không lấy` without `nữa` cancels only what it names: "sao không lấy được" (why can't I
    # get it) must not empty a draft.
    if reading.cancelled and (reading.cancel_is_firm or named):
        after = tuple(_finish(line, table) for line in lines if line.phase == 2)
        return ParsedComment("cancel", after, phone, named, print_)
    if reading.asked and not reading.ordered:
        return ParsedComment("question", (), phone, (), print_)
    if lines:
        return ParsedComment(
            "order", tuple(_finish(line, table) for line in lines), phone, (), print_
        )
    if table.default_code and (phone is not None or reading.ordered):
        line = _finish(reading.unnamed_item(table.default_code), table)
        return ParsedComment("order", (line,), phone, (), print_)
    return ParsedComment("none", (), phone, (), print_)


def _finish(line: _Draft, table: CodeTable) -> ParsedLine:
    """The line as stored; a variant code of the table (`A1-M`) takes the variant it names."""
    codes = table.codes
    code, variant = line.code, line.variant
    if variant:
        whole = "-".join([code, *(grammar.variant_suffix(part) for part in variant)])
        first = f"{code}-{grammar.variant_suffix(variant[0])}"
        if whole in codes:
            code, variant = whole, []
        elif first in codes:
            code, variant = first, variant[1:]
    sku = codes.get(code)
    flagged = [part for part in variant if part in line.flagged]
    reason, value = "", ""
    if sku is None:
        reason, value = UNKNOWN_CODE, code
    elif flagged:
        reason, value = NUMBER_AS_VARIANT, flagged[0]
    return ParsedLine(
        code=code,
        sku=sku,
        quantity=line.quantity or 1,
        variant=" ".join(variant),
        needs_review=bool(reason),
        review_reason=reason,
        review_value=value,
    )
