"""Helpers every carrier module shares at its HTTP edge: calling, decoding, times, names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx

from carriers.base import CarrierError, ErrorKind, UnreadableWebhook
from kernel.http import secrets
from kernel.json_body import load_json

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
TIMEOUT_S = 15.0


async def send(
    http: httpx.AsyncClient, carrier: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """One HTTP call; the network's failures and the carrier's 5xx become a retryable
    `CarrierError`, and a refused token a `CarrierError` of kind AUTH. Other answers are
    returned for the carrier module to read its own envelope."""
    kwargs.setdefault("timeout", TIMEOUT_S)
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise CarrierError(
            carrier, f"no answer in time ({error.__class__.__name__})", kind=ErrorKind.UNAVAILABLE
        ) from error
    except httpx.HTTPError as error:
        raise CarrierError(
            carrier, f"cannot reach the carrier: {error}", kind=ErrorKind.UNAVAILABLE
        ) from error
    if response.status_code >= 500 or response.status_code == 429:
        raise CarrierError(
            carrier,
            f"carrier answered HTTP {response.status_code}: {response.text[:300]}",
            kind=ErrorKind.UNAVAILABLE,
            status=response.status_code,
        )
    if response.status_code in (401, 403):
        raise CarrierError(
            carrier,
            f"token refused (HTTP {response.status_code}): {response.text[:300]}",
            kind=ErrorKind.AUTH,
            status=response.status_code,
        )
    return response


def json_of(carrier: str, response: httpx.Response) -> Any:
    """The body as JSON, or a retryable error: a carrier answering HTML is having a bad minute."""
    try:
        return load_json(response.content)
    except ValueError as error:
        raise CarrierError(
            carrier,
            f"answer is not JSON (HTTP {response.status_code}): {response.text[:200]}",
            kind=ErrorKind.UNAVAILABLE,
            status=response.status_code,
        ) from error


def decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    """A webhook body as a dict, JSON or form-encoded (GHTK documents form encoding but shows
    a JSON sample, so every route takes both). A JSON body is tried first whatever the header
    says, since carriers are not careful with it."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        raise UnreadableWebhook("empty body")
    if text[:1] in "{[":
        value = json_field(text, "body")
        if not isinstance(value, dict):
            raise UnreadableWebhook("JSON body is not an object")
        return value
    if "form" in content_type or "=" in text:
        fields = dict(parse_qsl(text, keep_blank_values=True))
        if fields:
            return fields
    raise UnreadableWebhook(f"body is neither JSON nor form-encoded ({content_type or 'no type'})")


def json_field(text: str, what: str) -> Any:
    """JSON inside a webhook (the whole body, or a form field carrying JSON text), read with
    the nesting limit every stored body is read with; `UnreadableWebhook` if it is not."""
    try:
        return load_json(text)
    except ValueError as error:
        raise UnreadableWebhook(f"{what} is not JSON: {error}") from error


def same_secret(given: object, expected: str | None) -> bool:
    """Constant-time; never raises, whatever was sent (`kernel.http.secrets`)."""
    return secrets.same_secret(given, expected)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case, from any mapping."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def vietnam_time(value: datetime) -> datetime:
    """Carriers send local wall-clock times without a zone; they mean Vietnam's."""
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)


def parse_time(value: Any, *formats: str) -> datetime | None:
    """The first of `formats` (or ISO 8601) that reads `value`, in Vietnam's time when the text
    names no zone; a number is a Unix timestamp. None for nothing readable."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):  # beyond the years a datetime holds
            return None
    text = str(value).strip()
    if text.isdigit():
        return parse_time(int(text))
    for fmt in formats:
        try:
            return vietnam_time(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return vietnam_time(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


_PREFIXES = (
    "thanh pho",
    "tp.",
    "tp",
    "tinh",
    "quan",
    "q.",
    "huyen",
    "h.",
    "thi xa",
    "tx.",
    "tx",
    "phuong",
    "p.",
    "xa",
    "x.",
    "thi tran",
    "tt.",
    "tt",
    "dac khu",
)


def name_key(name: str) -> str:
    """A place name reduced for matching against a carrier's master data: no diacritics, no
    case, no administrative prefix ("Quận 3" and "Q.3" and "quan 3" agree), leading zeros of a
    number dropped ("Phường 01" is "Phường 1")."""
    text = unicodedata.normalize("NFD", name.strip().lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").replace("đ", "d")
    text = re.sub(r"\s+", " ", text)
    for prefix in sorted(_PREFIXES, key=len, reverse=True):
        if text.startswith(prefix) and (
            len(text) == len(prefix) or not text[len(prefix)].isalpha()
        ):
            text = text[len(prefix) :].strip(" .")
            break
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()
