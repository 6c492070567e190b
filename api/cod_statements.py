"""Carriers' COD statements: `POST /api/cod-statements` (multipart, part `file`) reconciles one
(`application.cod_statements`), `GET /api/cod-statements` lists past uploads, newest first, and
`GET /api/cod-statements/{statement_id}` is one upload's report again.

The upload is streamed part by part rather than read with `request.post()`, so the statement's
own limit (`application.cod_files.MAX_BYTES`) holds instead of the service's smaller one for
forms; a larger file is refused with 413 before it is read whole.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from api.deps import API
from api.errors import ApiError
from api.replies import reply
from application.cod_files import MAX_BYTES, TOO_LARGE, StatementRefused
from application.cod_statements import (
    Mismatch,
    Missing,
    Settled,
    StatementReport,
    StatementSummary,
    Unknown,
    import_statement,
    list_statements,
    statement_report,
)
from application.wording.statements import refusal_text
from orders.actors import Actor

PART: Final = "file"
READ_CHUNK: Final = 64 * 1024
MAX_INT32: Final = 2**31 - 1


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/cod-statements", post_statement)
    app.router.add_get("/api/cod-statements", get_statements)
    app.router.add_get("/api/cod-statements/{statement_id}", get_statement)


async def post_statement(request: web.Request) -> web.Response:
    deps = request.app[API]
    filename, data = await _read_file(request)
    try:
        report = await import_statement(deps.orders, data, filename, Actor.api())
    except StatementRefused as refused:
        raise _refusal(request, refused) from None
    return reply(encode_report(report))


async def get_statements(request: web.Request) -> web.Response:
    statements = await list_statements(request.app[API].orders)
    return reply({"statements": [encode_summary(summary) for summary in statements]})


async def get_statement(request: web.Request) -> web.Response:
    text = request.match_info["statement_id"]
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else 0
    report = (
        await statement_report(request.app[API].orders, number)
        if 1 <= number <= MAX_INT32
        else None
    )
    if report is None:
        raise ApiError(404, "not_found", f"There is no COD statement {text!r}.")
    return reply(encode_report(report))


async def _read_file(request: web.Request) -> tuple[str, bytes]:
    """The `file` part's name and bytes; other parts are skipped. A body that is not
    multipart, or has no `file` part, is refused as the file reader would name it."""
    if not request.content_type.startswith("multipart/"):
        raise _refusal(request, StatementRefused("no_file"))
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name != PART:
                await part.release()
                continue
            # Browsers and aiohttp's client percent-encode some characters of a file's name.
            return unquote(part.filename or ""), await _capped(request, part)
    except (HttpProcessingError, ValueError, AssertionError, RuntimeError):  # malformed
        raise ApiError(
            422, "invalid_input", "The multipart body could not be read.", field=PART
        ) from None
    raise _refusal(request, StatementRefused("no_file"))


async def _capped(request: web.Request, part: BodyPartReader) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(READ_CHUNK):
        data += chunk
        if len(data) > MAX_BYTES:
            raise _refusal(request, StatementRefused(TOO_LARGE, limit=MAX_BYTES))
    return bytes(data)


def _refusal(request: web.Request, refused: StatementRefused) -> ApiError:
    language = request.app[API].printing.shop.language
    status, code = (413, "too_large") if refused.reason == TOO_LARGE else (422, "invalid_input")
    return ApiError(
        status,
        code,
        refusal_text(refused.reason, refused.params, language),
        reason=refused.reason,
        params=dict(refused.params),
    )


def encode_report(report: StatementReport) -> dict[str, Any]:
    """The contract's answer (`matched`, `already`, `mismatched`, `unknown`) and ours beside
    it: `missing`, the upload's id and money, and which orders were collected."""
    return {
        "statement_id": report.statement_id,
        "matched": len(report.matched),
        "already": len(report.already),
        "mismatched": [_mismatch(item) for item in report.mismatched],
        "unknown": [_unknown(item) for item in report.unknown],
        "missing": [_missing(item) for item in report.missing],
        "collected": report.collected,
        "fees": report.fees,
        "carrier": report.carrier,
        "filename": report.filename,
        "uploaded_by": report.uploaded_by,
        "uploaded_at": report.uploaded_at.isoformat(),
        "paid_at": report.paid_on.isoformat() if report.paid_on else None,
        "matched_orders": [_settled(item) for item in report.matched],
        "already_orders": [_settled(item) for item in report.already],
    }


def encode_summary(summary: StatementSummary) -> dict[str, Any]:
    return {
        "id": summary.statement_id,
        "filename": summary.filename,
        "carrier": summary.carrier,
        "uploaded_by": summary.uploaded_by,
        "uploaded_at": summary.uploaded_at.isoformat(),
        "matched": summary.matched,
        "already": summary.already,
        "mismatched": summary.mismatched,
        "unknown": summary.unknown,
        "missing": summary.missing,
        "collected": summary.collected,
        "fees": summary.fees,
    }


def _mismatch(item: Mismatch) -> dict[str, Any]:
    return {
        "tracking_code": item.tracking_code,
        "reason": item.reason,
        "expected": item.expected,
        "got": item.got,
        "line": item.line,
        "order_id": item.order_id,
        "code": item.code or None,
    }


def _unknown(item: Unknown) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tracking_code": item.tracking_code,
        "reason": item.reason,
        "line": item.line,
    }
    if item.problem:
        body["problem"] = item.problem
        body["value"] = item.value
    return body


def _missing(item: Missing) -> dict[str, Any]:
    return {
        "tracking_code": item.tracking_code,
        "order_id": item.order_id,
        "code": item.code,
        "expected": item.expected,
        "reason": item.reason,
        "delivered_at": item.delivered_at.isoformat() if item.delivered_at else None,
    }


def _settled(item: Settled) -> dict[str, Any]:
    return {
        "tracking_code": item.tracking_code,
        "order_id": item.order_id,
        "code": item.code,
        "amount": item.amount,
        "fee": item.fee,
        "line": item.line,
    }
