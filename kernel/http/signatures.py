"""Facebook's `X-Hub-Signature-256`: HMAC-SHA256 of the raw body, keyed with the app secret.

Only the bytes as received can be checked: Facebook escapes non-ASCII text as `\\uXXXX`, so a
body parsed and serialised again (Vietnamese text especially) no longer matches its signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re

HEADER = "X-Hub-Signature-256"
LEGACY_HEADER = "X-Hub-Signature"  # SHA-1: refused, SHA-1 HMACs are no longer what Meta signs
PREFIX = "sha256="
_WELL_FORMED = re.compile(r"\s*sha256=[0-9a-fA-F]{64}\s*")


def sign(secret: str, body: bytes) -> str:
    """The header value Facebook would send with `body` (tests, benchmarks and simulators)."""
    return PREFIX + hmac.digest(secret.encode(), body, hashlib.sha256).hex()


def is_well_formed(header: str) -> bool:
    return _WELL_FORMED.fullmatch(header) is not None


def is_valid(secret: str, body: bytes, header: str) -> bool:
    """Constant-time, so the time taken says nothing about how much of a forgery matched."""
    try:
        received = bytes.fromhex(header.strip()[len(PREFIX) :])
    except ValueError:
        return False
    return hmac.compare_digest(hmac.digest(secret.encode(), body, hashlib.sha256), received)
