"""Bodies that have hurt the service or could: lone surrogates, NUL, deep nesting, huge
numbers, wrong types and bytes that are not UTF-8, on every route that takes a body, each
authenticated the route's own way (so it gets past the door and into the inbox) and a few
with the secret itself poisoned. Each class comes in the places the issue names and a few more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from chaos.backends import VIDEO_ID
from chaos.context import API_TOKEN, CARRIER_SECRETS
from chaos.driver import PAGE_ID, SECRET
from kernel.http import signatures
from livestream.simulate import SimulatedComment, webhook_body

DEPTH = 100_000
DEEP_LIST = b"[" * DEPTH + b"]" * DEPTH
DEEP_OBJECT = b'{"a":' * DEPTH + b"1" + b"}" * DEPTH
UNCLOSED = b"[" * DEPTH
HUGE_INT = b"9" * 5000
TELEGRAM_SECRET = "chaos-telegram-secret"


@dataclass(frozen=True)
class Poison:
    route: str
    label: str
    path: str
    body: bytes
    headers: dict[str, str | bytes] = field(default_factory=dict)


def json_bodies(build: Callable[[bytes], bytes]) -> Iterator[tuple[str, bytes]]:
    """The generic classes, with `build(value)` placing a JSON value where the route expects
    its main text (a tracking code, an update id)."""
    yield "lone surrogate", build(b'"\\ud800"')
    yield "surrogate pair reversed", build(b'"\\udc00\\ud800"')
    yield "NUL", build(b'"A\\u0000B"')
    yield "raw control bytes", build(b'"A\x01\x1fB"')
    yield "huge integer", build(HUGE_INT)
    yield "overflowing float", build(b"1e999999")
    yield "negative huge", build(b"-" + HUGE_INT)
    yield "wrong type: object", build(b"{}")
    yield "wrong type: list", build(b"[1,2]")
    yield "wrong type: bool", build(b"true")
    yield "deep nesting inside", build(DEEP_LIST)
    yield "not UTF-8", build(b'"\xff\xfe\xed\xa0\x80"')
    yield "deep list", DEEP_LIST
    yield "deep object", DEEP_OBJECT
    yield "unclosed nesting", UNCLOSED
    yield "top level list", b"[1]"
    yield "top level null", b"null"
    yield "top level number", HUGE_INT
    yield "empty body", b""
    yield "not JSON", b"\x00\xff garbage"


def facebook() -> Iterator[Poison]:
    def signed(label: str, body: bytes) -> Poison:
        headers: dict[str, str | bytes] = {
            "Content-Type": "application/json",
            signatures.HEADER: signatures.sign(SECRET, body),
        }
        return Poison("facebook", label, "/webhooks/facebook", body, headers)

    def comment(n: int, **fields: object) -> bytes:
        values: dict = {
            "video_id": VIDEO_ID,
            "comment_id": f"{PAGE_ID}_{VIDEO_ID}_poison{n}",
            "from_id": f"7{n:09d}",
            "from_name": f"Độc {n}",
            "message": "A1 1 0912345678",
            "created_time": 1_770_000_000,
        }
        values.update(fields)
        return webhook_body([SimulatedComment(**values)], page_id=PAGE_ID)

    texts = {"lone surrogate": "\ud800", "NUL": "\x00", "control": "\x01\x1b[31m"}
    n = 0
    for name, bad in texts.items():
        for where in ("message", "from_name", "comment_id", "from_id", "video_id"):
            n += 1
            value = f"A1 1 09123{bad}45678" if where == "message" else f"x{bad}{n}"
            yield signed(f"{name} in {where}", comment(n, **{where: value}))
    for label, created in (("huge", 10**30), ("negative", -(10**20)), ("float", 1e308)):
        n += 1
        yield signed(f"{label} created_time", comment(n, created_time=created))
    envelope = (
        b'{"object":"page","entry":[{"id":"%s","time":1,"changes":[{"field":"feed","value":%s}]}]}'
    )
    for label, value in json_bodies(lambda v: v):
        yield signed(f"{label} as the change's value", envelope % (PAGE_ID.encode(), value))
    for label, value in json_bodies(lambda v: v):
        body = b'{"object":"page","entry":[{"id":%s,"time":%s,"changes":%s}]}' % (
            value,
            value,
            value,
        )
        yield signed(f"{label} as the entry's fields", body)
    for label, body in json_bodies(lambda v: b'{"object":"page","entry":%s}' % v):
        yield signed(f"{label} as the entry list", body)
    n += 1
    wrong = comment(n).replace(b'"message":"A1 1 0912345678"', b'"message":5')
    yield signed("wrong type: message 5", wrong)
    yield signed("key a lone surrogate", b'{"object":"page","\\ud800":1}')


def carriers() -> Iterator[Poison]:
    ghn = CARRIER_SECRETS["GHN_WEBHOOK_TOKEN"]
    ghtk = CARRIER_SECRETS["GHTK_WEBHOOK_HASH"]
    vtp = CARRIER_SECRETS["VIETTELPOST_WEBHOOK_TOKEN"].encode()
    aha = CARRIER_SECRETS["AHAMOVE_WEBHOOK_KEY"]
    json_type: dict[str, str | bytes] = {"Content-Type": "application/json"}
    form_type: dict[str, str | bytes] = {"Content-Type": "application/x-www-form-urlencoded"}

    ghn_path = f"/webhooks/carriers/ghn?token={ghn}"
    for label, body in json_bodies(
        lambda v: b'{"OrderCode":%s,"Status":"delivered","Time":"2026-01-01T00:00:00Z"}' % v
    ):
        yield Poison("ghn", f"{label} as OrderCode", ghn_path, body, json_type)
    for label, body in json_bodies(lambda v: b'{"OrderCode":"LK1","Status":%s,"Time":%s}' % (v, v)):
        yield Poison("ghn", f"{label} as Status and Time", ghn_path, body, json_type)
    for label, token in (("lone surrogate", "%ED%A0%80"), ("NUL", "%00"), ("empty", "")):
        path = f"/webhooks/carriers/ghn?token={token}"
        yield Poison("ghn", f"{label} secret", path, b'{"OrderCode":"LK1"}', json_type)

    ghtk_path = f"/webhooks/carriers/ghtk?hash={ghtk}"
    for label, body in json_bodies(lambda v: b'{"label_id":%s,"status_id":5}' % v):
        yield Poison("ghtk", f"{label} as label_id", ghtk_path, body, json_type)
    for label, body in json_bodies(lambda v: b'{"label_id":"S1","status_id":%s}' % v):
        yield Poison("ghtk", f"{label} as status_id", ghtk_path, body, json_type)
    for label, form in (
        ("lone surrogate form", b"label_id=%ED%A0%80&status_id=5"),
        ("NUL form", b"label_id=A%00B&status_id=5"),
        ("not UTF-8 form", b"label_id=\xff\xfe&status_id=%FF"),
        ("huge form", b"label_id=S1&status_id=" + HUGE_INT),
    ):
        yield Poison("ghtk", label, ghtk_path, form, form_type)
    yield Poison("ghtk", "lone surrogate secret", "/webhooks/carriers/ghtk?hash=%ED%A0%80", b"{}")

    vtp_path = "/webhooks/carriers/viettelpost"
    for label, body in json_bodies(lambda v: b'{"TOKEN":%s}' % v):
        yield Poison("viettelpost", f"{label} as TOKEN", vtp_path, body, json_type)
    for label, body in json_bodies(
        lambda v: b'{"TOKEN":"%s","DATA":{"ORDER_NUMBER":%s,"ORDER_STATUS":501}}' % (vtp, v)
    ):
        yield Poison("viettelpost", f"{label} as ORDER_NUMBER", vtp_path, body, json_type)
    for label, body in json_bodies(lambda v: b'{"TOKEN":"%s","DATA":%s}' % (vtp, v)):
        yield Poison("viettelpost", f"{label} as DATA", vtp_path, body, json_type)

    aha_path = "/webhooks/carriers/ahamove"
    for label, body in json_bodies(lambda v: b'{"_id":%s,"status":"COMPLETED","path":%s}' % (v, v)):
        yield Poison("ahamove", label, aha_path, body, {**json_type, "apikey": aha})
    for label, key in (("lone surrogate", b"\xed\xa0\x80"), ("latin-1", b"\xff\xfe")):
        yield Poison("ahamove", f"{label} apikey", aha_path, b"{}", {**json_type, "apikey": key})
        yield Poison(
            "ahamove",
            f"{label} bearer",
            aha_path,
            b"{}",
            {**json_type, "Authorization": b"Bearer " + key},
        )


def telegram() -> Iterator[Poison]:
    headers: dict[str, str | bytes] = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
    }
    path = "/telegram/webhook"
    for label, body in json_bodies(lambda v: b'{"update_id":1,"message":%s}' % v):
        yield Poison("telegram", f"{label} as message", path, body, headers)
    text = (
        b'{"update_id":2,"message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"group"},'
        b'"from":{"id":1,"is_bot":false,"first_name":%s},"text":%s}}'
    )
    for label, body in json_bodies(lambda v: text % (v, v)):
        yield Poison("telegram", f"{label} in a text message", path, body, headers)
    for label, body in json_bodies(lambda v: b'{"update_id":%s}' % v):
        yield Poison("telegram", f"{label} as update_id", path, body, headers)
    for label, secret in (("lone surrogate", b"\xed\xa0\x80"), ("latin-1", b"\xff")):
        yield Poison(
            "telegram",
            f"{label} secret",
            path,
            b"{}",
            {"X-Telegram-Bot-Api-Secret-Token": secret},
        )


def api() -> Iterator[Poison]:
    headers: dict[str, str | bytes] = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {API_TOKEN}",
    }
    order = (
        b'{"customer":{"name":%s,"phone":"0912345678","address":%s},'
        b'"lines":[{"code":"A1","quantity":%s}],"shipping_fee":%s}'
    )
    for label, body in json_bodies(lambda v: order % (v, v, v, v)):
        yield Poison("api", f"{label} in a new order", "/api/orders", body, headers)
    for label, token in (("lone surrogate", b"\xed\xa0\x80"), ("latin-1", b"\xff")):
        yield Poison(
            "api", f"{label} token", "/api/orders", b"{}", {"Authorization": b"Bearer " + token}
        )


def every(with_telegram: bool) -> list[Poison]:
    found = [*facebook(), *carriers(), *api()]
    if with_telegram:
        found += telegram()
    return found
