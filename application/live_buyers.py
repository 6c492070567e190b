"""One buyer's draft while a webhook body is being applied: pure, in memory.

The body's comments change these line lists one after another; the result is written to the
order once per buyer (see `comments.py`), so a buyer who comments ten times in one body costs one
`save_draft`, not ten. Lines already stored carry their `line_id`: the save keeps those rows
and adds only the new ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from application.comment_rows import CommentRow
from livestream.parser import ParsedLine, canonical_code
from orders.changes import TEXT_LIMITS, LineInput
from orders.drafts import OpenDraft


def canon(code: str | None) -> str:
    """Lines staff added by SKU carry the item's code as the catalog spells it (`A01`)."""
    try:
        return canonical_code(code or "")
    except ValueError:
        return (code or "").upper()


def line_view(line: ParsedLine, waitlisted: bool = False) -> dict[str, object]:
    """A parsed line as the comments view shows it."""
    view: dict[str, object] = {
        "code": line.code,
        "sku": line.sku,
        "quantity": line.quantity,
        "variant": line.variant,
        "needs_review": line.needs_review,
    }
    if waitlisted:
        view["waitlisted"] = True
    return view


def cancel_view(code: str, sku: str | None) -> dict[str, object]:
    """A code a cancel comment cancels, as the comments view shows it: the keys of an ordered
    line, with `cancel` set and no quantity."""
    return {
        "code": code,
        "sku": sku,
        "quantity": None,
        "variant": "",
        "needs_review": False,
        "cancel": True,
    }


def comment_line(line: ParsedLine, comment_id: str, *, waitlisted: bool) -> LineInput:
    return LineInput(
        quantity=line.quantity,
        sku=line.sku,
        code=line.code,
        variant=line.variant[: TEXT_LIMITS["variant"]],
        needs_review=line.needs_review,
        waitlisted=waitlisted,
        comment_id=comment_id,
        review_reason=line.review_reason,
        review_value=line.review_value[: TEXT_LIMITS["variant"]],
    )


@dataclass
class BuyerDraft:
    """A commenter's draft of one live, as the body so far leaves it."""

    from_id: str
    name: str
    draft: OpenDraft | None = None  # the stored draft, locked; None until one is made
    lines: list[LineInput] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)  # comment id -> fingerprint
    phone: str | None = None  # the newest phone given in a comment of this body
    address: str | None = None  # the newest address written in a comment of this body
    earlier: list[str] = field(default_factory=list)  # codes of orders that left draft
    lines_changed: bool = False
    # Ordered something in this body: the draft exists from then on, as it would had each
    # comment come in a body of its own, even if a cancel in the same body emptied it.
    ordered: bool = False
    fed: list[CommentRow] = field(default_factory=list)  # comments that made or changed the draft

    @classmethod
    def of(cls, from_id: str, name: str, draft: OpenDraft | None) -> BuyerDraft:
        return cls(from_id, name, draft, list(draft.lines) if draft is not None else [])

    @property
    def has_draft(self) -> bool:
        return self.draft is not None or bool(self.lines) or self.ordered

    def current_phone(self) -> str:
        return self.phone or (self.draft.buyer_phone if self.draft is not None else "")

    def feed(self, row: CommentRow) -> None:
        if not any(fed is row for fed in self.fed):
            self.fed.append(row)

    def feeds(self, row: CommentRow) -> bool:
        """Whether `row` counts in this draft (so an edit or removal of it changes the draft)."""
        if any(fed is row for fed in self.fed):
            return True
        return self.draft is not None and row.order_id == self.draft.id

    def has_lines_of(self, comment_id: str) -> bool:
        return any(line.comment_id == comment_id for line in self.lines)

    def is_duplicate(self, fingerprint: str) -> bool:
        """The same words already count in this draft; once their lines are gone they count
        again, so a buyer who cancelled can order the same thing anew."""
        if not fingerprint:
            return False
        present = {line.comment_id for line in self.lines if line.comment_id is not None}
        return any(self.fingerprints.get(cid) == fingerprint for cid in present)

    def add(self, comment_id: str, fingerprint: str, lines: Sequence[LineInput]) -> None:
        self.lines.extend(lines)
        self.fingerprints[comment_id] = fingerprint
        self.lines_changed = True
        self.ordered = True

    def drop(self, dropping: Callable[[LineInput], bool]) -> list[LineInput]:
        """Remove the lines `dropping` picks; returns them (their units count no more)."""
        gone = [line for line in self.lines if dropping(line)]
        if gone:
            self.lines = [line for line in self.lines if not dropping(line)]
            self.lines_changed = True
        return gone

    def cancel(self, codes: Sequence[str]) -> list[LineInput]:
        """The lines of the named codes, or every line when none is named."""
        wanted = {canon(code) for code in codes}
        return self.drop(lambda line: not wanted or canon(line.code) in wanted)

    def detach(self, row: CommentRow) -> list[LineInput]:
        """Take back what `row` put on the draft."""
        self.fed = [fed for fed in self.fed if fed is not row]
        return self.drop(lambda line: line.comment_id == row.comment_id)
