"""Database tests: the domain, the use cases and the app against a real database, in this
process.

What belongs here: a test that needs a real database (a SQLite file copied from the migrated
template, and PostgreSQL when `CHOTDON_TEST_POSTGRES_URL` is set: the `db_url` fixture runs it
on both) and runs everything it tests inside the pytest process. That includes the whole aiohttp
app served by pytest-aiohttp's in-process test server (`aiohttp_client`, `aiohttp_server`) on
loopback, the outbox worker and the inbox processor as asyncio tasks, and the render pool the app
itself starts. The TCP proxy `test_outages.py` puts between the app and PostgreSQL stands for
the database's network, not for an outside party, so those tests are here too.

What does not: a test that starts a process of its own (`chotdon serve`, the worker child, the
CLI as a command, `tests/inbox_child.py`, a `python -c` script) or that talks over HTTP to a
local fake of an outside party (the fake Bot API, carriers, POS, Graph API in `tests/fakes/`):
those are `tests/e2e/`. Pure code without a database is `tests/unit/`.
"""
