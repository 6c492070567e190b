"""`chotdon live open/close/list` and `chotdon simulate FILE.jsonl`.

STUB: filled in by the ingest work.
"""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any, on_database: Any) -> None:
    """Add the `live` and `simulate` subcommands to the `chotdon` parser."""
    del commands, on_database
