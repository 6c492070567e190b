"""Secrets kept out of log lines: masked where they sit in URLs, and wherever else they appear.

Three layers, so that no one of them has to be perfect:
- `redact_url` masks what a URL carries that is secret by its place: the values of query
  parameters whose names say "secret" (`token`, `hash`, `hub.verify_token`, `access_token`,
  `apikey`, ...), the one-time token of a login link (`/login/<token>`), the token of a buyer's
  tracking page (`/t/<token>`), and a Bot API token
  (`/bot<id>:<token>`). The access log (`chotdon.access_log`) writes request lines through it.
- `quiet_libraries` turns the libraries that log every URL they call (httpx, httpcore,
  python-telegram-bot, ...) down to WARNING.
- `SecretFilter`, on the root logger's handlers, rewrites every record before it is written:
  the same URL masks over the whole line, and every configured secret value (as typed,
  percent-encoded, JSON- or repr-escaped, character by character) replaced wherever it
  appears, exception text included: one regular expression, compiled once from the settings
  (about 4 us a line).

A secret shorter than `MIN_SECRET_LENGTH` is not masked by value: it would turn every line
that happens to contain those few characters into noise, and a secret that short is guessable
anyway. `short_secrets` names such settings so start-up can say so.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, quote_plus

MASK: Final = "***"
MIN_SECRET_LENGTH: Final = 8

# Query parameters whose values are secrets by name, compared in lower case. `hub.challenge`
# is not among them: it is a nonce Facebook sends to be echoed, and useful in a refused line.
SENSITIVE_PARAMETERS: Final = frozenset(
    {
        "token",
        "hash",
        "hub.verify_token",
        "access_token",
        "refresh_token",
        "id_token",
        "secret",
        "secret_token",
        "client_secret",
        "appsecret_proof",
        "apikey",
        "api_key",
        "key",
        "signature",
        "sig",
        "password",
        "passwd",
        "auth",
        "jwt",
        "csrf_token",
    }
)
# Libraries that log each URL they call or each request they build, at INFO or DEBUG.
LIBRARY_LOGGERS: Final = ("httpx", "httpcore", "telegram", "hpack", "aiohttp.client", "urllib3")

_PARAMETER_NAMES = "|".join(
    re.escape(name) for name in sorted(SENSITIVE_PARAMETERS, key=len, reverse=True)
)
# Where a URL holds a secret by its place, in any text: a query value of a sensitive name (up
# to the next separator, quote or space, so a URL cut short in a message is masked too), a
# login link's or a tracking page's token, a Bot API token in a path.
_PLACED = re.compile(
    rf"(?P<param>[?&;](?i:{_PARAMETER_NAMES})=)[^&;#\s\"'<>]+"
    r"|(?P<login>/login/|/t/)[^/?#\s\"'<>]+"
    r"|(?P<bot>/bot)\d+:[A-Za-z0-9_-]+"
)


def _placed(match: re.Match[str]) -> str:
    prefix = match.group("param") or match.group("login") or match.group("bot")
    return prefix + MASK


def redact_url(text: str) -> str:
    """`text` (a request line, a URL, a Referer) with the secrets URLs carry by place masked."""
    return _PLACED.sub(_placed, text)


def _character(c: str) -> str:
    """An expression for one character of a secret as it may be written: as typed,
    percent-encoded (in either case), escaped as JSON or a Python repr would, `+` for a
    space."""
    if c.isascii() and (c.isalnum() or c in "-._~"):
        return re.escape(c)
    # A variable read from undecodable bytes holds lone surrogates: still a secret.
    encoded = quote(c, safe="", errors="surrogatepass")
    forms = {
        c,
        encoded,
        encoded.lower(),
        quote_plus(c, errors="surrogatepass"),
        json.dumps(c)[1:-1],
        json.dumps(c, ensure_ascii=False)[1:-1],
        repr(c)[1:-1],
    }
    if c == "/":
        forms.add("\\/")  # JSON may escape a slash
    if c == "'":
        forms.add("\\'")  # repr escapes it in a string that holds both quotes
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"


def _expression(secret: str) -> str:
    """One secret, whichever way each of its characters was encoded: a URL's path and its query
    encode different characters, and a line may show either or both."""
    return "".join(_character(c) for c in secret)


@dataclass(frozen=True)
class SecretMask:
    """The configured secret values and the one expression that finds them in a line."""

    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, secrets: Iterable[str | None]) -> SecretMask:
        kept = {secret for secret in secrets if secret and len(secret) >= MIN_SECRET_LENGTH}
        if not kept:
            return cls(None)
        # Longest first, so a secret that contains another is masked whole. Case-sensitive
        # (percent-encoding is spelled in both cases instead): fifteen times faster.
        ordered = sorted(kept, key=len, reverse=True)
        return cls(re.compile("|".join(_expression(s) for s in ordered)))

    def redact(self, text: str) -> str:
        """Every secret value masked, then every secret a URL holds by place."""
        if self.pattern is not None:
            text = self.pattern.sub(MASK, text)
        return redact_url(text)


def short_secrets(secrets: dict[str, str | None]) -> list[str]:
    """The names of the secrets set but too short to be masked by value."""
    return [name for name, value in secrets.items() if value and len(value) < MIN_SECRET_LENGTH]


class SecretFilter(logging.Filter):
    """Installed on handlers: every record they write is rewritten with `SecretMask.redact`,
    its message, its exception and its stack text alike. It never drops a record."""

    def __init__(self, mask: SecretMask) -> None:
        super().__init__()
        self.mask = mask

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as it would
            return True
        redacted = self.mask.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask.redact(record.stack_info)
        return True


def install(mask: SecretMask, handlers: Iterable[logging.Handler]) -> None:
    """Put one `SecretFilter` on each handler, replacing one installed before (settings may
    have changed between two calls, as in tests)."""
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(old)
        handler.addFilter(SecretFilter(mask))


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Library loggers that write URLs (with their tokens) for every call, down to `level`."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
