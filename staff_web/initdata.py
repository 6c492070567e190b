"""Telegram Mini App init data: checking that Telegram signed it (and signing it, for tests
and demos), as `../shared/reference/telegram_pillow.md` §4 lays the algorithm out.

- The raw string is split with `parse_qsl(strict_parsing=True)` before anything is decoded:
  a name like "A + - ? /" carries encoded separators.
- Only `hash` is left out of the data-check string. `signature` (Bot API 8.0's Ed25519
  field) stays in: the HMAC covers it, and libraries that drop it reject genuine data.
- The secret is HMAC-SHA256 with the constant `b"WebAppData"` as the *key* and the bot token
  as the message; the swapped order is a known, silent bug.
- The hash is compared in constant time, as bytes (a non-ASCII "hash" is refused, not a
  TypeError). A key given twice is refused: which copy would the HMAC and we each read?
- `auth_date` older than `max_age` or more than a minute ahead of our clock is refused:
  init data is a bearer credential, and a copy of an old one must not sign anyone in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

MAX_AGE: Final = timedelta(hours=1)
FUTURE_SKEW: Final = timedelta(minutes=1)
HASH_FIELD: Final = "hash"


class InitDataError(ValueError):
    """Why the init data was refused; `reason` is a short code for logs and tests."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InitData:
    """Init data Telegram signed: who opened the Mini App, when, and with which start_param."""

    user_id: int
    user: Mapping[str, Any]
    auth_date: datetime
    start_param: str | None
    fields: Mapping[str, str] = field(repr=False)


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != HASH_FIELD)


def compute_hash(fields: Mapping[str, str], bot_token: str) -> str:
    check = data_check_string(fields).encode()
    return hmac.new(secret_key(bot_token), check, hashlib.sha256).hexdigest()


def sign_init_data(fields: Mapping[str, str], bot_token: str) -> str:
    """The raw init data string Telegram would hand a Mini App for `fields` (values as
    strings, `user` as JSON text): URL-encoded, with its `hash`. For tests and the demo."""
    unsigned = {key: value for key, value in fields.items() if key != HASH_FIELD}
    return urlencode({**unsigned, HASH_FIELD: compute_hash(unsigned, bot_token)})


def parse_fields(raw: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("duplicate_field")
    return fields


def validate_init_data(
    raw: str,
    bot_token: str,
    *,
    now: datetime,
    max_age: timedelta = MAX_AGE,
) -> InitData:
    """The init data if Telegram signed it for this bot lately and it names a user; else
    `InitDataError` (reasons: malformed, duplicate_field, no_hash, bad_hash, no_auth_date,
    stale, future, no_user)."""
    if not raw:
        raise InitDataError("malformed")
    fields = parse_fields(raw)
    given = fields.get(HASH_FIELD)
    if not given:
        raise InitDataError("no_hash")
    expected = compute_hash(fields, bot_token)
    if not hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace")):
        raise InitDataError("bad_hash")
    auth_date = _auth_date(fields.get("auth_date"))
    if now - auth_date > max_age:
        raise InitDataError("stale")
    if auth_date - now > FUTURE_SKEW:
        raise InitDataError("future")
    user = _user(fields.get("user"))
    return InitData(
        user_id=user["id"],
        user=user,
        auth_date=auth_date,
        start_param=fields.get("start_param") or None,
        fields=fields,
    )


def _auth_date(value: str | None) -> datetime:
    if not value or not value.isascii() or not value.isdigit():
        raise InitDataError("no_auth_date")
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        raise InitDataError("no_auth_date") from None


def _user(value: str | None) -> dict[str, Any]:
    """The `user` object; its `id` must be a whole number (JSON booleans are not)."""
    if not value:
        raise InitDataError("no_user")
    try:
        user = json.loads(value)
    except ValueError:
        raise InitDataError("no_user") from None
    if not isinstance(user, dict):
        raise InitDataError("no_user")
    user_id = user.get("id")
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise InitDataError("no_user")
    return user
