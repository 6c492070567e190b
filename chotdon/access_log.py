"""The access log, without a line for every webhook delivery that went well.

During a live Facebook delivers thousands of comments a minute; a line for each would bury
everything else in the log and cost the receiver a tenth of its time. Deliveries are counted in
`/metrics` (`chotdon_http_requests_total`); the ones that were refused are still logged.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_log import AccessLogger

QUIET_PREFIX = "/webhooks/"


class AccessLog(AccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status < 400 and request.path.startswith(QUIET_PREFIX):
            return
        super().log(request, response, time)
