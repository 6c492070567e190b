"""A small Graph API client for acting on live comments: hide one, answer one privately.

Everything Facebook can say goes out of here as a result or as one `GraphError`, already
sorted into "try again later" and "retrying cannot help", so the outbox handlers decide
nothing from status codes. Facts are from `../shared/reference/facebook_live.md` (sections 3
and 4); what that page marks UNCONFIRMED, or what comes from general knowledge, is said so
where it is used.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from livestream.sources import PolledComment

# Pinned so a Meta release cannot change the answers under us. v26.0 is the newest version the
# reference saw (its webhook field reference is a v26.0 capture); Meta's changelog lists it as
# released 29 July 2026 with no end date yet. Hide (since v2.2) and private replies through
# /{page-id}/messages are long-standing, but were not re-tested on v26.0 (UNCONFIRMED).
GRAPH_API_VERSION = "v26.0"
TIMEOUT_S = 10.0

# Throttling: 32 (Page / BUC) and 613 (Send API) are in the reference; 4 and 17 (app and user
# level) it calls general knowledge; 341 ("application limit reached") and the BUC codes 80001
# (Pages) and 80006 (Messenger) come from Meta's error and rate-limit pages, not re-read.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80006})
# "An unknown error" / "service temporarily unavailable": Meta says to retry these.
TRANSIENT_CODES = frozenset({1, 2})
ALREADY_REPLIED = 10900  # one private reply per comment, ever (reference §3)
# A standard message more than 24 hours after the buyer's last one (messenger_money.md).
OUTSIDE_WINDOW_SUBCODE = 2018278


class GraphError(Exception):
    """Facebook said no, or could not be reached. `retryable` is the only thing callers need to
    branch on; the rest is kept for people reading the order's history."""

    def __init__(
        self,
        code: int | None,
        subcode: int | None,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES or self.status == 429

    def __str__(self) -> str:
        if self.code is None and self.status is None:  # never reached Facebook
            return self.message
        where = f"code {self.code}" if self.code is not None else f"HTTP {self.status}"
        if self.subcode is not None:
            where += f", subcode {self.subcode}"
        return f"{self.message} ({where})"


@dataclass(frozen=True)
class SentMessage:
    recipient_id: str
    message_id: str


@dataclass(frozen=True)
class LiveVideoInfo:
    """`GET /{live-video-id}?fields=video,title,status`: the video a LiveVideo streams (what
    comments name), its title and its status in lower case."""

    live_video_id: str
    video_id: str
    title: str
    status: str


def _int(value: object) -> int | None:
    if not isinstance(value, str | int | float):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def wait_hint(headers: Mapping[str, str]) -> float | None:
    """Seconds Facebook asks us to stay away, if it says.

    `X-Business-Use-Case-Usage` carries `estimated_time_to_regain_access` in minutes per
    business (reference §4). A plain `Retry-After` is not documented for Graph; it is read too
    because a proxy in front may send it.
    """
    hints: list[float] = []
    retry_after = _int(headers.get("retry-after"))
    if retry_after is not None:
        hints.append(float(retry_after))
    raw = headers.get("x-business-use-case-usage")
    if raw:
        try:
            usage = json.loads(raw)
        except ValueError:
            usage = None
        if isinstance(usage, dict):
            for entries in usage.values():
                for entry in entries if isinstance(entries, list) else []:
                    minutes = _int(entry.get("estimated_time_to_regain_access"))
                    if minutes:
                        hints.append(minutes * 60.0)
    return max(hints) if hints else None


def error_from(status: int, body: Any, headers: Mapping[str, str]) -> GraphError:
    """Sort a failed answer. 5xx, 429 and throttling codes may pass; any other 4xx (bad
    parameter, permission, expired token, deleted comment, already replied) will not."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = str(error.get("message") or f"HTTP {status} without a Graph error body")
    retryable = (
        status >= 500
        or status == 429
        or code in RATE_LIMIT_CODES
        or code in TRANSIENT_CODES
        or error.get("is_transient") is True
    )
    result = GraphError(code, subcode, message, retryable=retryable, status=status)
    if result.rate_limited:
        result.retry_after = wait_hint(headers)
    return result


USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
USAGE_FIELDS = ("call_count", "total_time", "total_cputime")


def usage_percent(headers: Mapping[str, str]) -> float | None:
    """The highest share of a call budget Graph says is used, 0-100, over the app, the Page
    and the business use case (reference §4: each header holds percentages); None when no
    header says."""
    found: list[float] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [usage] if name != "x-business-use-case-usage" else _buc_entries(usage)
        for entry in entries:
            if isinstance(entry, dict):
                found.extend(
                    float(value)
                    for key in USAGE_FIELDS
                    if (value := _int(entry.get(key))) is not None
                )
    return max(found) if found else None


def _buc_entries(usage: Any) -> list[Any]:
    if not isinstance(usage, dict):
        return []
    return [entry for entries in usage.values() if isinstance(entries, list) for entry in entries]


@dataclass(frozen=True)
class CommentPage:
    """One page of a video's comments, newest first, and where the next (older) one is."""

    comments: list[PolledComment]
    next_url: str | None
    usage: float | None  # usage_percent of the answer's headers


COMMENT_QUERY = {"filter": "stream", "order": "reverse_chronological", "limit": "100"}


@dataclass(frozen=True, slots=True)
class GraphPage:
    """The Page chotdon acts for: where the Graph API is, its token and its id (None: `me`)."""

    graph_url: str
    access_token: str | None
    page_id: str | None = None


class GraphClient:
    """Calls on behalf of one Page with its Page access token, over an injected client.

    The token goes in an `Authorization: Bearer` header rather than `?access_token=`, so it
    never lands in URL logs. Graph documents the query parameter; the header is what Meta
    documents for the WhatsApp Cloud API on the same host (UNCONFIRMED for Pages endpoints;
    switch `_headers` to a query parameter if a real Page refuses it).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        access_token: str,
        page_id: str | None = None,
        version: str = GRAPH_API_VERSION,
        timeout: float = TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.version = version
        # With a Page token `me` is the Page itself: the Send API's own examples post to
        # /me/messages. Used only when FACEBOOK_PAGE_ID is not set.
        self.page_id = page_id or "me"
        self.timeout = timeout
        self._token = access_token
        self._clock = clock
        # Calls made while throttled still count against the limit (reference §4), so once
        # Facebook names a wait, calls of that kind fail here without being sent until it ends.
        self._paused_until: dict[str, float] = {}

    async def hide_comment(self, comment_id: str) -> None:
        """POST /{comment-id} is_hidden=true; hiding an already hidden comment succeeds."""
        body = await self._post("hide_comment", [comment_id], data={"is_hidden": "true"})
        if body.get("success") is not True:
            raise GraphError(None, None, f"hide not confirmed: {body!r}", retryable=False)

    async def private_reply(
        self,
        comment_id: str,
        text: str,
        quick_replies: Sequence[Mapping[str, Any]] = (),
    ) -> SentMessage:
        """POST /{page-id}/messages with `recipient.comment_id`: the one Messenger message this
        comment may ever get. (`recipient.post_id`, for visitor posts, is the documented other
        variant; the legacy /{comment-id}/private_replies edge was removed after v3.2.) The
        answer's `recipient_id` is the buyer's Page-scoped id."""
        return await self._send("private_reply", {"comment_id": comment_id}, text, quick_replies)

    async def instagram_reply(
        self,
        comment_id: str,
        text: str,
        quick_replies: Sequence[Mapping[str, Any]] = (),
    ) -> SentMessage:
        """A private reply to an Instagram comment through Instagram messaging: POST
        /me/messages with `recipient.comment_id` and the Page token (the Page the Instagram
        account is linked to). Instagram allows it only while the live is on (reference
        messenger_money.md); the endpoint and the quick replies on Instagram are UNCONFIRMED."""
        return await self._send(
            "instagram_reply", {"comment_id": comment_id}, text, quick_replies, node="me"
        )

    async def live_video(self, live_video_id: str) -> LiveVideoInfo:
        """GET /{live-video-id}?fields=video,title,status (reference §1.6-1.7: the LiveVideo's
        `video.id` is the id its comments carry). An answer without a video cannot be used."""
        body = await self._call(
            "live_video", [live_video_id], params={"fields": "video,title,status"}
        )
        video = body.get("video")
        video_id = video.get("id") if isinstance(video, dict) else None
        if not isinstance(video_id, str | int) or isinstance(video_id, bool) or not str(video_id):
            raise GraphError(None, None, f"no video id in {body!r}", retryable=False)
        title, status = body.get("title"), body.get("status")
        return LiveVideoInfo(
            live_video_id=live_video_id,
            video_id=str(video_id).strip(),
            title=title if isinstance(title, str) else "",
            status=status.strip().lower() if isinstance(status, str) else "",
        )

    async def send_message(self, psid: str, text: str) -> SentMessage:
        """A standard answer to a buyer who wrote to the Page: allowed within 24 hours of the
        buyer's last message (`messaging_type: RESPONSE`); later, Graph refuses it."""
        return await self._send("send_message", {"id": psid}, text, (), messaging="RESPONSE")

    async def send_image(self, psid: str, url: str) -> SentMessage:
        """An image by URL, as a standard answer (same window as `send_message`): the Send
        API's `message.attachment` of type `image` with `payload.url`, which Facebook fetches
        (JPG, PNG or GIF) when the message is sent. A message holds text or an attachment,
        never both, so an image is a message of its own. `is_reusable` false: the picture is
        this order's and Facebook need not keep it for other messages. Throttled as
        `send_message` is: both spend the Send API's one budget."""
        attachment = {"type": "image", "payload": {"url": url, "is_reusable": False}}
        return await self._post_message(
            "send_message", {"id": psid}, {"attachment": attachment}, messaging="RESPONSE"
        )

    async def _send(
        self,
        operation: str,
        recipient: dict[str, str],
        text: str,
        quick_replies: Sequence[Mapping[str, Any]],
        *,
        messaging: str | None = None,
        node: str | None = None,
    ) -> SentMessage:
        message: dict[str, Any] = {"text": text}
        if quick_replies:
            message["quick_replies"] = [dict(reply) for reply in quick_replies]
        return await self._post_message(
            operation, recipient, message, messaging=messaging, node=node
        )

    async def _post_message(
        self,
        operation: str,
        recipient: dict[str, str],
        message: dict[str, Any],
        *,
        messaging: str | None = None,
        node: str | None = None,
    ) -> SentMessage:
        body: dict[str, Any] = {"recipient": recipient}
        if messaging:
            body["messaging_type"] = messaging
        body["message"] = message
        answer = await self._post(operation, [node or self.page_id, "messages"], json=body)
        recipient_id, message_id = answer.get("recipient_id"), answer.get("message_id")
        if not message_id:
            raise GraphError(None, None, f"no message_id in {answer!r}", retryable=False)
        return SentMessage(str(recipient_id or ""), str(message_id))

    def _url(self, parts: list[str]) -> str:
        # IDs come from webhooks: quote them so one can never reach another path.
        return "/".join([self.base_url, self.version, *(quote(part, safe="") for part in parts)])

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def _post(
        self,
        operation: str,
        parts: list[str],
        *,
        data: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return await self._call(operation, parts, data=data, json=json, method="POST")

    async def _call(
        self,
        operation: str,
        parts: list[str],
        *,
        data: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        method: str = "GET",
    ) -> dict[str, Any]:
        body, _ = await self._request(
            operation, method, self._url(parts), data=data, json=json, params=params
        )
        return body

    async def _request(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], Mapping[str, str]]:
        """One call, its answer sorted: the body of a success with the answer's headers (usage),
        else a `GraphError`; a wait Facebook names holds further calls of `operation` back."""
        wait = self._paused_until.get(operation, 0.0) - self._clock()
        if wait > 0:
            raise GraphError(
                None,
                None,
                f"Facebook rate limit: not calling {operation} for another {wait:.0f} s",
                retryable=True,
                retry_after=wait,
            )
        try:
            response = await self.http.request(
                method,
                url,
                data=data,
                json=json,
                params=params,
                headers=self._headers(),
                timeout=self.timeout,
            )
        except httpx.TimeoutException as error:
            raise GraphError(None, None, f"timeout: {error!r}", retryable=True) from error
        except httpx.TransportError as error:
            raise GraphError(
                None, None, f"cannot reach Graph: {error!r}", retryable=True
            ) from error
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict) and "error" not in body:
            return body, response.headers
        refusal = error_from(response.status_code, body, response.headers)
        if refusal.retry_after:
            self._paused_until[operation] = self._clock() + refusal.retry_after
        raise refusal

    async def live_comments(self, video_id: str, next_url: str | None = None) -> CommentPage:
        """GET /{video-id}/comments, newest first, 100 a page; `next_url` is a page's
        `paging.next`. A `next` on another host than Graph's is not followed (it would carry
        the token elsewhere): the page ends there."""
        url = self._url([video_id, "comments"])
        # Graph's default fields for a comment are id, message, from and created_time.
        params: dict[str, str] | None = dict(COMMENT_QUERY)
        if next_url is not None:
            url, params = next_url, None
        body, headers = await self._request("live_comments", "GET", url, params=params)
        paging = body.get("paging")
        following = paging.get("next") if isinstance(paging, dict) else None
        data = body.get("data")
        return CommentPage(
            comments=[c for item in data or [] if (c := _polled(item)) is not None]
            if isinstance(data, list)
            else [],
            next_url=following if isinstance(following, str) and self._ours(following) else None,
            usage=usage_percent(headers),
        )

    def _ours(self, url: str) -> bool:
        mine, theirs = urlsplit(self.base_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)


def _polled(item: Any) -> PolledComment | None:
    """A comment of the answer; None for one without an id or a readable time (Graph leaves
    the id out without the MODERATE task: such a comment cannot be keyed, so it is skipped)."""
    if not isinstance(item, dict):
        return None
    comment_id, created = item.get("id"), item.get("created_time")
    if not isinstance(comment_id, str) or not comment_id.strip() or not isinstance(created, str):
        return None
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    author = item.get("from")
    author = author if isinstance(author, dict) else {}
    message = item.get("message")
    return PolledComment(
        id=comment_id.strip(),
        message=message if isinstance(message, str) else "",
        from_id=str(author.get("id") or ""),
        from_name=str(author.get("name") or ""),
        created_time=when,
    )


@dataclass(frozen=True)
class PageIdentity:
    page_id: str
    name: str


async def fetch_page(
    http: httpx.AsyncClient,
    page: GraphPage,
    *,
    version: str = GRAPH_API_VERSION,
) -> PageIdentity:
    """`GET /{page-id}?fields=id,name` with the Page's own token: the cheapest call that says
    whether the token still works for this Page (`chotdon pages list`). A refusal or an
    unreachable Graph is a `GraphError`."""
    node = quote(page.page_id or "me", safe="")
    url = f"{page.graph_url.rstrip('/')}/{version}/{node}"
    try:
        response = await http.get(
            url,
            params={"fields": "id,name"},
            headers={"Authorization": f"Bearer {page.access_token}"},
            timeout=TIMEOUT_S,
        )
    except httpx.TransportError as error:
        raise GraphError(None, None, f"cannot reach Graph: {error!r}", retryable=True) from error
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.is_success or not isinstance(body, dict) or "error" in body:
        raise error_from(response.status_code, body, response.headers)
    found = str(body.get("id") or "")
    if page.page_id and found != page.page_id:
        message = f"the token belongs to Page {found or '?'}, not to Page {page.page_id}"
        raise GraphError(None, None, message, retryable=False)
    return PageIdentity(found, str(body.get("name") or ""))
