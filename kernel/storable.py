"""Text from outside (a webhook body, a carrier's answer, an exception about either) made fit to
store, whatever it holds.

PostgreSQL's `text` refuses NUL; SQLite's driver, PostgreSQL's and every UTF-8 log stream refuse
a lone surrogate, which JSON carries as a bare `\\ud800` escape (a comment cut in the middle of an
emoji, or a body built to hurt). Writing either fails the statement, and when the statement was
the one recording why a body failed, nothing could be recorded at all. Every text that came from
a body goes through `storable` on its way to a column or a log line, so what a body contains can
no longer decide whether it can be written.
"""

from __future__ import annotations

from typing import Final

# Long enough for any reason a person reads (an error, a carrier's note), short enough that a
# body of megabytes cannot be copied into every failure recorded about it.
REASON_LIMIT: Final = 1000


def storable(text: str, limit: int = REASON_LIMIT) -> str:
    """`text` with NUL dropped, each lone surrogate replaced by U+FFFD (a surrogate pair that
    arrived as two halves becomes its character again), cut to `limit` characters."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text[:limit] if limit >= 0 else text


def storable_or_none(text: str | None, limit: int = REASON_LIMIT) -> str | None:
    return None if text is None else storable(text, limit)


def describe(error: BaseException, limit: int = REASON_LIMIT) -> str:
    """`Type: message`, storable, for a failure to be recorded."""
    message = message_of(error, limit)
    name = type(error).__name__
    return storable(f"{name}: {message}" if message else name, limit)


def message_of(error: BaseException, limit: int = REASON_LIMIT) -> str:
    """An exception's message, storable. Never raises: an exception whose own `str` fails
    (some libraries' do, on arguments they did not expect) has none, since the record of a
    failure must not fail in turn."""
    try:
        message = str(error)
    except Exception:
        return ""
    return storable(message, limit)
