"""The chaos suite (`make chaos`): real `chotdon serve` processes on SQLite and PostgreSQL, hurt
the way production hurts them (kill -9, poison bodies, slow clients, a full disk, a database
that goes away), while a driver sends signed comments as Facebook would. Each scenario counts
what was acknowledged against what was stored, and the suite exits non-zero on any loss,
duplicate or failed check. `python -m chaos --help` says how to run it.
"""
