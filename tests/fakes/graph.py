"""A local Graph API for the hide, private-reply and Send API calls, answering as
graph.facebook.com does.

It checks the Page token (query, form field or `Authorization` header, as Graph accepts),
refuses with Facebook's error envelope and codes, keeps comments' state (hidden, replied to)
so a second private reply is refused (10900), answers a private reply with the commenter's
Page-scoped id (stable per commenter), refuses a standard message (`recipient.id`) sent more
than 24 hours after the buyer's last message, or before the buyer ever wrote (10 / 2018278: a
private reply does not open the window; `buyer_wrote` does), checks quick replies as the Send
API limits them, takes a message of text or of one attachment (`image`... by `payload.url`),
never both nor neither, can be told to fail the next N requests (5xx or throttling) and
records every request for assertions.

Error bodies are modelled on the reference (`../shared/reference/facebook_live.md` §3-4) and
on real answers quoted in public issue threads: 100/33 "Unsupported post request. Object with
ID ..." with type GraphMethodException, 190 OAuthException, code 2 with `is_transient`.

Several Pages (`add_page`), each with its own token: a token no Page holds is refused with 190,
and a Page's token used on another Page's object (its comments, its `/messages`, the Page
itself) with 200, the permissions error. `GET /{page-id}?fields=id,name` answers the Page's id
and name to its own token (`chotdon pages list`). Each request records the token it carried.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    token: str | None = None  # the access token it carried, wherever it was put


@dataclass
class Comment:
    id: str
    from_id: str  # the commenter's Page-scoped id: what a private reply's answer names
    hidden: bool = False
    replied: bool = False
    page_id: str = ""  # the Page whose live it is on; empty: the first Page


@dataclass(frozen=True)
class Page:
    id: str
    token: str
    name: str


@dataclass(frozen=True)
class LiveComment:
    """A comment on a live video as `GET /{video-id}/comments` lists it."""

    id: str
    message: str
    from_id: str
    from_name: str
    created_time: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "from": {"id": self.from_id, "name": self.from_name},
            "created_time": self.created_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        }


COMMENTS_LIMIT = 100  # the most Graph gives in one page


@dataclass
class LiveVideo:
    """A LiveVideo node as `GET /{live-video-id}?fields=video,title,status` shows it."""

    id: str
    video_id: str
    title: str = ""
    status: str = "LIVE"  # the node's upper-case spelling


WINDOW = timedelta(hours=24)  # standard messaging: within 24 hours of the buyer's message
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20
MAX_PAYLOAD = 1000
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
ATTACHMENT_TYPES = ("image", "audio", "video", "file")


@dataclass
class Trouble:
    status: int
    error: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    # Do the work, then answer with the error: the send that happened but whose answer was lost.
    after_effect: bool = False


class FakeGraph:
    def __init__(
        self,
        *,
        access_token: str = "fake-page-token",
        page_id: str = "100200300",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.access_token = access_token
        self.page_id = page_id
        self.pages: dict[str, Page] = {page_id: Page(page_id, access_token, "Fake Page")}
        self.clock = clock
        self.comments: dict[str, Comment] = {}
        self.lives: dict[str, LiveVideo] = {}
        self.requests: list[Recorded] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []  # (comment id, message) per reply
        # (PSID, the whole request body) per standard message sent to `recipient.id`
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.last_written: dict[str, datetime] = {}  # PSID -> the buyer's last message
        self._troubles: deque[Trouble] = deque()
        self._traces = itertools.count(1)
        self._messages = itertools.count(1)
        self._open = asyncio.Event()
        self._open.set()
        self.videos: dict[str, list[LiveComment]] = {}  # by video id, in the order written
        self.comment_reads: list[float] = []  # time.monotonic() of each comments request
        self._usage: dict[str, str] = {}  # usage headers sent with every answer

    def add_page(self, page_id: str, token: str, name: str = "") -> Page:
        """Another Page of the shop, answering to its own token only."""
        page = Page(page_id, token, name or f"Page {page_id}")
        self.pages[page_id] = page
        return page

    def add_comment(
        self,
        comment_id: str,
        *,
        from_id: str | None = None,
        commenter: str | None = None,
        page_id: str | None = None,
    ) -> Comment:
        """A comment a Page (`page_id`, default the first) may act on; `commenter` (the
        Facebook user id a webhook names) gets the same PSID on every comment, `from_id` sets
        the PSID itself."""
        psid = from_id or (self.psid_of(commenter) if commenter else f"psid-{comment_id}")
        comment = Comment(comment_id, psid, page_id=page_id or self.page_id)
        self.comments[comment_id] = comment
        return comment

    def add_live(
        self, live_id: str, video_id: str, *, title: str = "", status: str = "LIVE"
    ) -> LiveVideo:
        """A LiveVideo of the Page: what the service asks when a `live_videos` webhook comes."""
        live = LiveVideo(live_id, video_id, title, status)
        self.lives[live_id] = live
        return live

    @staticmethod
    def psid_of(commenter: str) -> str:
        """The Page-scoped id a commenter has in Messenger: stable, not the same as theirs."""
        return f"psid-{commenter}"

    def buyer_wrote(self, psid: str, at: datetime | None = None) -> None:
        """The buyer `psid` wrote to the Page at `at` (now): the Page may answer for 24 hours.
        Tests call it with what they put in the webhook body they send."""
        when = at or self.clock()
        if psid not in self.last_written or self.last_written[psid] < when:
            self.last_written[psid] = when

    def add_video(self, video_id: str) -> None:
        """A live video with no comments yet (an unknown id is refused, code 100)."""
        self.videos.setdefault(video_id, [])

    def add_live_comment(
        self,
        video_id: str,
        comment_id: str,
        message: str,
        *,
        from_id: str = "",
        from_name: str = "",
        created_time: datetime | None = None,
    ) -> LiveComment:
        """A comment written on the live `video_id`: listed by `/{video_id}/comments` from now
        on (newest first), and one the Page may hide or answer."""
        comment = LiveComment(comment_id, message, from_id, from_name, created_time or self.clock())
        self.videos.setdefault(video_id, []).append(comment)
        self.comments.setdefault(
            comment_id, Comment(comment_id, self.psid_of(from_id) if from_id else "")
        )
        return comment

    def report_usage(self, percent: int | None) -> None:
        """Every answer from now on says the Page used `percent` of its call budget (as
        `X-Page-Usage` does, in percent); None stops saying it."""
        if percent is None:
            self._usage = {}
            return
        usage = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        self._usage = {"X-Page-Usage": json.dumps(usage)}

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
        app.router.add_get("/{version}/{node}", self._read_node)
        app.router.add_get("/{version}/{node}/comments", self._comments_edge)
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
        if request.method == "GET":
            pass
        elif request.content_type == "application/json":
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
        recorded = dataclasses.replace(recorded, token=self._token_of(recorded))
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
        if self._page_of_token(token) is None:
            message = "Invalid OAuth access token - Cannot parse access token"
            return self._error(400, {"message": message, "type": "OAuthException", "code": 190})
        return None

    def _page_of_token(self, token: str | None) -> Page | None:
        return next((page for page in self.pages.values() if page.token == token), None)

    def _not_yours(self, recorded: Recorded, page_id: str) -> web.Response | None:
        """Another Page's token on this Page's object: Graph's permissions error."""
        page = self._page_of_token(recorded.token)
        if page is not None and page.id == page_id:
            return None
        message = "(#200) Permissions error: the access token does not belong to this Page"
        return self._error(403, {"message": message, "type": "OAuthException", "code": 200})

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

    async def _comments_edge(self, request: web.Request) -> web.Response:
        self.comment_reads.append(time.monotonic())
        answer = await self._answer(request, lambda recorded: self._comments(request, recorded))
        answer.headers.update(self._usage)
        return answer

    def _comments(self, request: web.Request, recorded: Recorded) -> web.Response:
        """Newest first when asked (`order=reverse_chronological`), `limit` a page (at most
        100, 25 by default), `after` the cursor of the page before; `paging.next` is a whole
        URL back to this fake carrying the token, as Graph's does."""
        video_id = recorded.path.strip("/").removesuffix("/comments")
        if video_id not in self.videos:
            return self._missing_object(video_id)
        listed = sorted(self.videos[video_id], key=lambda c: c.created_time)
        if recorded.query.get("order") == "reverse_chronological":
            listed.reverse()
        try:
            limit = min(COMMENTS_LIMIT, max(1, int(recorded.query.get("limit", "25"))))
        except ValueError:
            return self._invalid("Param limit must be an integer")
        start = 0
        after = recorded.query.get("after")
        if after:
            last_id = _uncursor(after)
            ids = [comment.id for comment in listed]
            if last_id not in ids:
                return self._invalid("The after cursor is not valid")
            start = ids.index(last_id) + 1
        page = listed[start : start + limit]
        body: dict[str, Any] = {"data": [comment.as_json() for comment in page]}
        if page:
            paging: dict[str, Any] = {
                "cursors": {"before": _cursor(page[0].id), "after": _cursor(page[-1].id)}
            }
            if start + limit < len(listed):
                query = {**recorded.query, "after": _cursor(page[-1].id)}
                query.setdefault("access_token", self.access_token)
                paging["next"] = str(request.url.with_query(query))
            body["paging"] = paging
        return web.json_response(body)

    async def _node(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._hide)

    def _live_video(self, recorded: Recorded) -> web.Response:
        """`GET /{live-video-id}?fields=...`: only the fields asked for, and `id`."""
        live_id = recorded.path.strip("/")
        live = self.lives.get(live_id)
        if live is None:
            message = (
                f"Unsupported get request. Object with ID '{live_id}' does not exist, cannot be "
                "loaded due to missing permissions, or does not support this operation."
            )
            error = {"message": message, "type": "GraphMethodException", "code": 100}
            return self._error(400, {**error, "error_subcode": 33})
        fields = {name.strip() for name in recorded.query.get("fields", "").split(",")}
        body: dict[str, Any] = {"id": live.id}
        if "video" in fields:
            body["video"] = {"id": live.video_id}
        if "title" in fields and live.title:
            body["title"] = live.title
        if "status" in fields:
            body["status"] = live.status
        return web.json_response(body)

    async def _messages_edge(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._private_reply)

    async def _read_node(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._node_info)

    def _node_info(self, recorded: Recorded) -> web.Response:
        """`GET /{node}`: a LiveVideo when one has that id, else a Page."""
        if recorded.path.strip("/") in self.lives:
            return self._live_video(recorded)
        return self._page_info(recorded)

    def _page_info(self, recorded: Recorded) -> web.Response:
        """`GET /{page-id}` (or `/me`) with `fields=id,name`, to the Page's own token."""
        node = recorded.path.strip("/")
        if node == "me":
            page = self._page_of_token(recorded.token)
            node = page.id if page else node
        page = self.pages.get(node)
        if page is None:
            return self._missing_object(node)
        refused = self._not_yours(recorded, page.id)
        if refused is not None:
            return refused
        fields = recorded.query.get("fields", "id").split(",")
        values = {"id": page.id, "name": page.name}
        return web.json_response({k: values[k] for k in fields if k in values} | {"id": page.id})

    def _hide(self, recorded: Recorded) -> web.Response:
        comment_id = recorded.path.strip("/")
        comment = self.comments.get(comment_id)
        if comment is None:
            return self._missing_object(comment_id)
        refused = self._not_yours(recorded, comment.page_id)
        if refused is not None:
            return refused
        fields = recorded.json if isinstance(recorded.json, dict) else recorded.form
        hidden = str(fields.get("is_hidden", "")).lower()
        if hidden not in ("true", "false"):
            return self._invalid("Param is_hidden must be a boolean")
        comment.hidden = hidden == "true"
        return web.json_response({"success": True})

    def _private_reply(self, recorded: Recorded) -> web.Response:
        """`/{page}/messages`: a private reply (`recipient.comment_id`) or a standard message
        (`recipient.id`)."""
        node = recorded.path.strip("/").removesuffix("/messages")
        if node == "me":
            page = self._page_of_token(recorded.token)
            node = page.id if page else node
        if node not in self.pages:
            return self._missing_object(node)
        refused = self._not_yours(recorded, node)
        if refused is not None:
            return refused
        fields = recorded.json if isinstance(recorded.json, dict) else recorded.form
        recipient, message = _object(fields.get("recipient")), _object(fields.get("message"))
        if not recipient:
            return self._invalid("The parameter recipient is required")
        if not message:
            return self._invalid("The parameter message is required")
        refused = self._refused_message(message)
        if refused is not None:
            return refused
        if "id" in recipient and "comment_id" not in recipient:
            return self._standard_message(str(recipient["id"]), fields, message)
        comment = self.comments.get(str(recipient.get("comment_id")))
        if comment is None:
            error = {"message": "(#100) No matching user found", "type": "OAuthException"}
            return self._error(400, {**error, "code": 100, "error_subcode": 2018001})
        if comment.page_id != node:
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

    def _refused_message(self, message: dict[str, Any]) -> web.Response | None:
        """What the Send API checks in `message`: text or an attachment (exactly one of them,
        as its reference says), and quick replies within limits."""
        text, attachment = message.get("text"), message.get("attachment")
        if text is not None and attachment is not None:
            return self._invalid("Only one of message[text] or message[attachment] may be set")
        if attachment is not None:
            return self._refused_attachment(attachment) or self._refused_quick_replies(message)
        if not isinstance(text, str) or not text:
            return self._invalid("The parameter message[text] is required")
        if len(text) > 2000:
            return self._invalid("Param message[text] must be UTF-8 encoded and at most 2000")
        return self._refused_quick_replies(message)

    def _refused_attachment(self, attachment: Any) -> web.Response | None:
        """`{"type": "image" | "audio" | "video" | "file", "payload": {"url", "is_reusable"?}}`
        (or a saved asset's `attachment_id`); templates are not modelled and are refused. A
        URL Facebook could not fetch is not checked here: the test fetches it itself."""
        if not isinstance(attachment, dict):
            return self._invalid("param message[attachment] must be an object")
        if attachment.get("type") not in ATTACHMENT_TYPES:
            return self._invalid(
                "param message[attachment][type] must be one of " + ", ".join(ATTACHMENT_TYPES)
            )
        payload = attachment.get("payload")
        if not isinstance(payload, dict):
            return self._invalid("param message[attachment][payload] must be an object")
        url, saved = payload.get("url"), payload.get("attachment_id")
        if (url is None) == (saved is None):
            return self._invalid("message[attachment][payload] needs url or attachment_id")
        if url is not None and not (
            isinstance(url, str) and url.startswith(("https://", "http://"))
        ):
            return self._invalid("param message[attachment][payload][url] must be a valid URL")
        if not isinstance(payload.get("is_reusable", False), bool):
            return self._invalid("param message[attachment][payload][is_reusable] must be a bool")
        return None

    def _refused_quick_replies(self, message: dict[str, Any]) -> web.Response | None:
        quick = message.get("quick_replies", [])
        if not isinstance(quick, list) or len(quick) > MAX_QUICK_REPLIES:
            return self._invalid(f"param message[quick_replies] has more than {MAX_QUICK_REPLIES}")
        for reply in quick:
            if not isinstance(reply, dict) or reply.get("content_type") != "text":
                return self._invalid("param message[quick_replies][content_type] must be text")
            title, payload = reply.get("title"), reply.get("payload")
            if not isinstance(title, str) or not 0 < len(title) <= MAX_TITLE:
                return self._invalid(f"Param title must be at most {MAX_TITLE} characters")
            if not isinstance(payload, str) or not 0 < len(payload) <= MAX_PAYLOAD:
                return self._invalid(f"Param payload must be at most {MAX_PAYLOAD} characters")
        return None

    def _standard_message(
        self, psid: str, fields: dict[str, Any], message: dict[str, Any]
    ) -> web.Response:
        kind = fields.get("messaging_type")
        if kind not in MESSAGING_TYPES:
            return self._invalid(
                "param messaging_type must be one of " + ", ".join(MESSAGING_TYPES)
            )
        wrote = self.last_written.get(psid)
        if kind != "MESSAGE_TAG" and (wrote is None or self.clock() - wrote > WINDOW):
            error = {
                "message": "(#10) This message is sent outside of allowed window.",
                "type": "OAuthException",
                "code": 10,
                "error_subcode": 2018278,
            }
            return self._error(400, error)
        self.messages.append((psid, {**fields, "message": message}))
        return web.json_response(
            {"recipient_id": psid, "message_id": f"m_fake{next(self._messages)}"}
        )


def _object(value: Any) -> dict[str, Any]:
    """Graph takes an object as JSON in a JSON body, or as a JSON-encoded form field."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _cursor(comment_id: str) -> str:
    return base64.urlsafe_b64encode(comment_id.encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        return ""
