"""`chotdon inbox list [--failed]`, `chotdon inbox retry ID`.

STUB: filled in by the inbox work.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any, on_database: Any) -> None:
    """Add the `inbox` subcommands to the `chotdon` parser."""
    del commands, on_database
    _ = argparse
