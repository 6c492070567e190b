"""What every `chotdon` subcommand module shares: the error a person can fix, and how tables
and long texts are printed. Kept apart from `cli.py` so its command modules can import it."""

from __future__ import annotations

from collections.abc import Sequence


class CliError(Exception):
    """A mistake on the command line that the person can fix; the message says how."""


def either(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)
