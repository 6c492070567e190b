"""End-to-end tests: chotdon as the world meets it, across real processes or real HTTP to the
local fakes of the parties it talks to.

What belongs here: a test that starts a process (`chotdon serve` with its worker child, the
`chotdon` CLI as a person types it, the child scripts `tests/inbox_child.py` and
`tests/outbox_child.py`, a fresh `python -c`) or that has chotdon talk over HTTP on loopback to
a local fake from `tests/fakes/`: the staff bot against the fake Bot API, the carriers' fakes,
the shop's POS, the Graph API (also a carrier client alone against its fake). A module that
mixes such tests with in-process database tests was split where that was cheap, else it is here.

The browser tests drive Chromium against the service and live in `tests/browser/` beside this
folder, with their own rule (`make test-browser`).
"""
