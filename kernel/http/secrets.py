"""Comparing a secret someone sent with ours, whatever they sent.

A secret arrives in a query string, a header or a JSON field, so it can be of any type and
hold anything: non-ASCII text, lone surrogates (`hmac.compare_digest` takes only ASCII `str`,
and UTF-8 refuses surrogates), megabytes. Every receiver asks here, so authentication answers
yes or no and never raises: a bad secret of any shape is a 401 or 403, not a 500.
"""

from __future__ import annotations

import hmac


def same_secret(given: object, expected: str | None) -> bool:
    """Constant-time; no configured secret authenticates nothing, and only text can match."""
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def _bytes(text: str) -> bytes:
    # `surrogatepass` encodes anything a `str` can hold, so no input makes this raise.
    return text.encode("utf-8", "surrogatepass")
