"""The one way stored and received bodies are read as JSON: with a nesting limit checked before
the parser starts, so a body can never make it raise `RecursionError`.

Python's parser recurses once per `[` or `{`: 100,000 of them used to end every reader (a
receiver's secret check, the inbox processor's handlers) in `RecursionError`, answered 500 or
retried as a crash. No platform we read nests deeper than about ten levels (a Facebook comment
change is seven, a Telegram update with a reply about twelve), so `MAX_DEPTH` leaves room to
spare and a deeper body is simply unreadable, like one that is not JSON at all.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MAX_DEPTH: Final = 64
# A JSON string, so brackets inside one are not counted (possessive: no backtracking).
_STRING_BYTES: Final = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_STRING_TEXT: Final = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET_BYTES: Final = re.compile(rb"[^\[\]{}]++")
_NOT_BRACKET_TEXT: Final = re.compile(r"[^\[\]{}]++")
_OPENERS: Final = frozenset({ord("["), ord("{"), "[", "{"})


class UnreadableJson(ValueError):
    """Not one JSON document, or one nested deeper than `MAX_DEPTH`."""


def load_json(body: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The document in `body` (bytes in any encoding `json` detects), or `UnreadableJson`."""
    if nested_deeper_than(body, max_depth):
        raise UnreadableJson(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(body)
    except RecursionError:  # cannot happen after the check above; never let it out anyway
        raise UnreadableJson(f"nested deeper than {max_depth} levels") from None
    except ValueError as error:  # UnicodeDecodeError is one too
        raise UnreadableJson(str(error)) from None


def nested_deeper_than(body: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether brackets nest more than `limit` levels deep outside strings.

    Cheap for the bodies we expect: with no more opening brackets than `limit` in the whole
    body it cannot be deeper, and nothing is scanned. Otherwise strings are cut out and the
    brackets left are counted in one pass, without recursion. An unterminated string leaves
    its brackets counted, which can only call malformed JSON deeper than it is."""
    brackets: bytes | str
    if isinstance(body, str):
        if body.count("[") + body.count("{") <= limit:
            return False
        brackets = _NOT_BRACKET_TEXT.sub("", _STRING_TEXT.sub("", body))
    else:
        if body.count(b"[") + body.count(b"{") <= limit:
            return False
        brackets = _NOT_BRACKET_BYTES.sub(b"", _STRING_BYTES.sub(b"", body))
    depth = 0
    for bracket in brackets:
        if bracket in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
