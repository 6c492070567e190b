"""What a scenario found: its counts, its checks, one line each, and the summary table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    """One promise the scenario tested, and what it saw."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Counts:
    """Comments as Facebook and the shop see them. `accepted`: comment ids answered 200 at
    least once; `stored`: those recorded with their order line; `duplicated`: comment ids
    recorded, or put on an order, more than once."""

    accepted: int
    stored: int
    lost: int
    duplicated: int
    drafts: int
    buyers: int


@dataclass
class Outcome:
    scenario: str
    backend: str
    counts: Counts | None = None
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else it did, e.g. "3 web kills"
    skipped: str = ""  # why it did not run, when it did not
    seconds: float = 0.0

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def passed(self) -> bool:
        return not self.skipped and not self.failed

    @property
    def verdict(self) -> str:
        return "SKIP" if self.skipped else "PASS" if self.passed else "FAIL"

    def line(self) -> str:
        head = f"{self.scenario} {self.backend}: "
        if self.skipped:
            return head + f"skipped ({self.skipped})"
        c = self.counts
        counted = (
            f"accepted {c.accepted} / stored {c.stored} / lost {c.lost} / duplicated "
            f"{c.duplicated}; drafts {c.drafts} for {c.buyers} buyers"
            if c
            else "nothing counted"
        )
        return head + "; ".join([counted, *self.notes]) + f" [{self.verdict}]"

    def detail_lines(self) -> list[str]:
        return [f"    {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in self.checks]


def summary(outcomes: Sequence[Outcome]) -> str:
    header = ("scenario", "backend", "accepted", "stored", "lost", "dup", "drafts", "buyers")
    rows = [(*header, "result", "seconds", "failed checks")]
    for o in outcomes:
        c = o.counts
        numbers = (
            (c.accepted, c.stored, c.lost, c.duplicated, c.drafts, c.buyers) if c else ("-",) * 6
        )
        failed = ", ".join(check.name for check in o.failed) or o.skipped or "-"
        rows.append(
            (o.scenario, o.backend, *map(str, numbers), o.verdict, f"{o.seconds:.1f}", failed)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    )
