"""A local Graph API for the hide and private-reply calls, answering as graph.facebook.com does.

It checks the Page token (query, form field or `Authorization` header, as Graph accepts),
refuses with Facebook's error envelope and codes, keeps comments' state (hidden, replied to)
so a second private reply is refused, can be told to fail the next N requests (5xx or
throttling) and records every request for assertions.

Error bodies are modelled on the reference (`../shared/reference/facebook_live.md` §3-4) and
on real answers quoted in public issue threads: 100/33 "Unsupported post request. Object with
ID ..." with type GraphMethodException, 190 OAuthException, code 2 with `is_transient`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try "
    "again.",
}


@dataclass(frozen=True)
class Recorded:
    method: str
    version: str
    path: str  # without the version: "/{comment-id}" or "/{page-id}/messages"
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive, as HTTP headers are
    form: dict[str, str]
    json: Any


@dataclass
class Comment:
    id: str
    from_id: str
    hidden: bool = False
    replied: bool = False


@dataclass
class Trouble:
    status: int
    error: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    # Do the work, then answer with the error: the send that happened but whose answer was lost.
    after_effect: bool = False


class FakeGraph:
    def __init__(self, *, access_token: str = "fake-page-token", page_id: str = "100200300"):
        self.access_token = access_token
        self.page_id = page_id
        self.comments: dict[str, Comment] = {}
        self.requests: list[Recorded] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []  # (comment id, message) per reply
        self._troubles: deque[Trouble] = deque()
        self._traces = itertools.count(1)
        self._messages = itertools.count(1)
        self._open = asyncio.Event()
        self._open.set()

    def add_comment(self, comment_id: str, *, from_id: str | None = None) -> Comment:
        comment = Comment(comment_id, from_id or f"psid-{comment_id}")
        self.comments[comment_id] = comment
        return comment

    def fail_next(self, times: int, trouble: Trouble) -> None:
        self._troubles.extend(trouble for _ in range(times))

    def server_errors(self, times: int = 1, *, after_effect: bool = False) -> None:
        error = {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException",
            "is_transient": True,
            "code": 2,
        }
        self.fail_next(times, Trouble(500, error, after_effect=after_effect))

    def rate_limited(self, times: int = 1, *, code: int = 32, regain_minutes: int = 0) -> None:
        """Throttling as Graph reports it: HTTP 400 with the code; with `regain_minutes`, the
        BUC usage header saying when access comes back."""
        headers = {}
        if regain_minutes:
            usage = {
                self.page_id: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 12,
                        "total_time": 14,
                        "estimated_time_to_regain_access": regain_minutes,
                    }
                ]
            }
            headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
        error = {"message": RATE_LIMIT_MESSAGES[code], "type": "OAuthException", "code": code}
        self.fail_next(times, Trouble(400, error, headers))

    def stall(self) -> None:
        """Hold every request until `release()`, for timeouts."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/{node}/messages", self._messages_edge)
        app.router.add_post("/{version}/{node}", self._node)
        return app

    # -- wire format ------------------------------------------------------------------------

    def _error(
        self, status: int, error: dict[str, Any], headers: dict[str, str] | None = None
    ) -> web.Response:
        body = {"error": {**error, "fbtrace_id": f"AFakeTrace{next(self._traces)}"}}
        return web.json_response(body, status=status, headers=headers)

    async def _record(self, request: web.Request) -> Recorded:
        form: dict[str, str] = {}
        body: Any = None
        if request.content_type == "application/json":
            body = await request.json()
        else:
            form = {key: str(value) for key, value in (await request.post()).items()}
        recorded = Recorded(
            method=request.method,
            version=request.match_info["version"],
            path=request.path.removeprefix(f"/{request.match_info['version']}"),
            query=dict(request.query),
            headers=CIMultiDict(request.headers),
            form=form,
            json=body,
        )
        self.requests.append(recorded)
        return recorded

    def _token_of(self, recorded: Recorded) -> str | None:
        scheme, _, credentials = recorded.headers.get("Authorization", "").partition(" ")
        if scheme in ("Bearer", "OAuth") and credentials:
            return credentials
        from_json = recorded.json.get("access_token") if isinstance(recorded.json, dict) else None
        return recorded.query.get("access_token") or recorded.form.get("access_token") or from_json

    def _refused_token(self, recorded: Recorded) -> web.Response | None:
        token = self._token_of(recorded)
        if token is None:
            message = "An access token is required to request this resource."
            return self._error(400, {"message": message, "type": "OAuthException", "code": 104})
        if token != self.access_token:
            message = "Invalid OAuth access token - Cannot parse access token"
            return self._error(400, {"message": message, "type": "OAuthException", "code": 190})
        return None

    def _missing_object(self, object_id: str) -> web.Response:
        message = (
            f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation. Please read "
            "the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        )
        error = {"message": message, "type": "GraphMethodException", "code": 100}
        return self._error(400, {**error, "error_subcode": 33})

    def _invalid(self, message: str) -> web.Response:
        return self._error(
            400, {"message": f"(#100) {message}", "type": "OAuthException", "code": 100}
        )

    async def _answer(
        self, request: web.Request, handle: Callable[[Recorded], web.Response]
    ) -> web.Response:
        recorded = await self._record(request)
        await self._open.wait()
        trouble = self._troubles.popleft() if self._troubles else None
        if trouble and not trouble.after_effect:
            return self._error(trouble.status, trouble.error, trouble.headers)
        answer = self._refused_token(recorded) or handle(recorded)
        if trouble:
            return self._error(trouble.status, trouble.error, trouble.headers)
        return answer

    # -- endpoints --------------------------------------------------------------------------

    async def _node(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._hide)

    async def _messages_edge(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._private_reply)

    def _hide(self, recorded: Recorded) -> web.Response:
        comment_id = recorded.path.strip("/")
        comment = self.comments.get(comment_id)
        if comment is None:
            return self._missing_object(comment_id)
        fields = recorded.json if isinstance(recorded.json, dict) else recorded.form
        hidden = str(fields.get("is_hidden", "")).lower()
        if hidden not in ("true", "false"):
            return self._invalid("Param is_hidden must be a boolean")
        comment.hidden = hidden == "true"
        return web.json_response({"success": True})

    def _private_reply(self, recorded: Recorded) -> web.Response:
        node = recorded.path.strip("/").removesuffix("/messages")
        if node not in (self.page_id, "me"):
            return self._missing_object(node)
        fields = recorded.json if isinstance(recorded.json, dict) else recorded.form
        recipient, message = _object(fields.get("recipient")), _object(fields.get("message"))
        if not recipient:
            return self._invalid("The parameter recipient is required")
        if not message:
            return self._invalid("The parameter message is required")
        comment = self.comments.get(str(recipient.get("comment_id")))
        if comment is None:
            error = {"message": "(#100) No matching user found", "type": "OAuthException"}
            return self._error(400, {**error, "code": 100, "error_subcode": 2018001})
        if comment.replied:
            error = {"message": "(#10900) Activity already replied to", "type": "OAuthException"}
            return self._error(400, {**error, "code": 10900})
        comment.replied = True
        self.sent.append((comment.id, message))
        return web.json_response(
            {"recipient_id": comment.from_id, "message_id": f"m_fake{next(self._messages)}"}
        )


def _object(value: Any) -> dict[str, Any]:
    """Graph takes an object as JSON in a JSON body, or as a JSON-encoded form field."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
