"""Unit tests: pure code in this process, nothing else.

What belongs here: functions and objects that need no database, no socket and no other process:
the comment parser, the lifecycle table, cards, keyboards and callback data, typed values, the
wording tables, render (bills and labels drawn in memory), settings read from a dict or a `.env`
in `tmp_path`, the log masks, the flood limiter on a hand-driven clock. Reading the repository's
own files and writing to `tmp_path` is fine.

What does not: anything that opens a database (SQLite file or PostgreSQL), a socket (also an
in-process aiohttp test server or a local fake) or a child process. `conftest.py` here makes
such a test fail, so the layer stays what `make test-unit` promises: fast and needing nothing.
A module that needs any of those goes to `tests/database/` or `tests/e2e/` (see their rules).
"""
