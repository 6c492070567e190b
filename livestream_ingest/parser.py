"""The comment grammar of COMMENT_SYNTAX.md as one pure function.

STUB: the interface is fixed; the implementation is being written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Intent = Literal["order", "cancel", "question", "none"]
DEFAULT_MAX_QTY = 50


@dataclass(frozen=True)
class CodeTable:
    """What a live session knows when a comment is read."""

    codes: Mapping[str, str] = field(default_factory=dict)  # canonical code -> sku
    default_code: str | None = None  # canonical
    max_qty: int = DEFAULT_MAX_QTY


@dataclass(frozen=True)
class ParsedLine:
    code: str  # canonical, e.g. A1
    sku: str | None  # None: right syntax, unknown code
    quantity: int = 1
    variant: str = ""
    needs_review: bool = False


@dataclass(frozen=True)
class ParsedComment:
    intent: Intent
    lines: tuple[ParsedLine, ...] = ()
    phone: str | None = None  # 0xxxxxxxxx
    cancel_codes: tuple[str, ...] = ()  # for a cancel: the codes it names; empty means all
    fingerprint: str = ""  # the normalised text, for "the same text counts once"


def canonical_code(text: str) -> str:
    """`a01`, `A001`, `A1` -> `A1`."""
    raise NotImplementedError


def parse_comment(text: str, table: CodeTable) -> ParsedComment:
    raise NotImplementedError
