"""The access log, without a line for every webhook delivery that went well, and without the
secrets URLs carry.

During a live Facebook delivers thousands of comments a minute; a line for each would bury
everything else in the log and cost the receiver a tenth of its time. Deliveries are counted in
`/metrics` (`chotdon_http_requests_total`); the ones that were refused are still logged, and
those are the ones whose URLs hold a wrong or a right secret (`?token=`, `?hash=`,
`hub.verify_token`), so every request line, Referer and User-Agent goes through
`log_redaction.redact_url` before it is written (in the message and in the record's `extra`
fields alike). Configured secret values anywhere else in a line are masked by the filter
`chotdon.serve.configure_logging` installs.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web
from aiohttp.web_log import AccessLogger

from chotdon.log_redaction import redact_url

QUIET_PREFIX = "/webhooks/"
# The fields of aiohttp's format that hold text a client chose: `%r` and the `%{...}i` headers.
CLIENT_TEXT = ("first_request_line", "request_header")


class AccessLog(AccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status < 400 and request.path.startswith(QUIET_PREFIX):
            return
        super().log(request, response, time)

    def _format_line(
        self, request: web.BaseRequest, response: web.StreamResponse, time: float
    ) -> Iterable[tuple[str | tuple[str, str], str]]:
        return [
            (key, _redacted(key, value))
            for key, value in super()._format_line(request, response, time)
        ]


def _redacted(key: str | tuple[str, str], value: object) -> str:
    name = key if isinstance(key, str) else key[0]
    if name in CLIENT_TEXT and isinstance(value, str):
        return redact_url(value)
    return value  # type: ignore[return-value]
