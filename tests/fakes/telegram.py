"""A local Telegram Bot API on loopback, answering as api.telegram.org does.

Reached the way python-telegram-bot v22 calls it: with `TELEGRAM_API_URL` = the fake's root,
`telegram.Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")`; methods are
POSTed to `{root}/bot{token}/{method}` (names are case-insensitive, as Telegram's are), files
are downloaded from `{root}/file/bot{token}/{file_path}`.

Wire format (`../shared/reference/telegram_pillow.md` §2): PTB sends
`application/x-www-form-urlencoded` for methods without files and `multipart/form-data` for
uploads (the file is the part named after the parameter, e.g. `photo`, or the part an
`attach://name` value points to); every value is a string, nested objects (`reply_markup`,
`allowed_updates`, `reply_parameters`, ...) are JSON strings inside the form. A JSON body and
query-string parameters are taken too, as Telegram takes them. Answers are
`{"ok": true, "result": ...}` with Bot API object shapes; refusals are
`{"ok": false, "error_code": N, "description": "...", "parameters": {...}}` with the same
HTTP status.

Refused as Telegram refuses (descriptions are Telegram's own where known): wrong token (401
`Unauthorized`), unknown method (404 `Not Found`), callback_data over 64 bytes
(`BUTTON_DATA_INVALID`), a web_app button in a group (`BUTTON_TYPE_INVALID`), empty text,
text over 4096 / caption over 1024 characters after entity parsing, malformed HTML with
`parse_mode=HTML`, an edit that changes nothing (`message is not modified: ...`), editing or
deleting a message that does not exist or was deleted, answering an unknown or already
answered callback query, a reply to a missing message, getUpdates while a webhook is set
(409), a second concurrent getUpdates (the first gets 409), flood control (429
`Too Many Requests: retry after N` with `parameters.retry_after`).

Flood control is a sliding window with an injectable clock: by default at most 20 counted
calls a minute to each group chat (chat id < 0) and 30 a second overall; sendMessage,
sendPhoto, sendDocument and the edits count. Only calls that succeed take a slot.

For tests: `messages` / `chat(chat_id)` / `message(chat_id, message_id)` are what the group
shows now (text, entities, caption, inline keyboard, deleted flag, edit count); `calls` records
every request (method, decoded params with uploads as `Upload`, clock time, status, answer);
`callback_update`, `text_update` and `reply_update` build the update JSON Telegram would send
(queue it for getUpdates with `queue=True` or `queue_update`, or POST it to a webhook route);
`fail_next(method, kind, times)` makes trouble; `user_deletes` removes a message as a member;
`never_started` holds the user ids who never started the bot: sending them a private message
is refused 403 `Forbidden: bot can't initiate conversation with a user`, as Telegram does.

Chosen here, not known from Telegram: the wording of a few rare refusals (sendChatAction with
an unknown action, setMyCommands with a bad command, unreadable bodies, the HTML messages are
tdlib's as remembered, not checked), the photo sizes made from an upload, ids, and that
callback queries never expire unless `callback_query_ttl_s` is set. Not supported: inline
messages (`inline_message_id`), sendMediaGroup, forum topics beyond echoing
`message_thread_id`, MarkdownV2 parsing (taken as plain text).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import itertools
import json
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_TOKEN = "123456789:AAFakeTokenForChotdonTests_0123456789"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
PHOTO_BYTES_LIMIT = 10 * 1024 * 1024
FILE_BYTES_LIMIT = 50 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
FORBIDDEN_NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"

# Fields PTB sends as JSON strings inside the form; integers and booleans are plain strings.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "media",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
        "from_chat_id",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
    }
)
COUNTED = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# getUpdates/setWebhook with no allowed_updates (or []) deliver all but these.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
BOT_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")

# Troubles `fail_next` can make.
HTTP500 = "http500"
BAD_GATEWAY = "bad_gateway"
TIMEOUT = "timeout"
TOO_MANY = "too_many"
LOST_ANSWER = "lost_answer"


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


class FakeClock:
    """A clock for the fake's flood windows and message dates; `advance` instead of sleeping."""

    def __init__(self, start: float = 1_764_600_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    name: str  # the part's name: "photo", "document", or an attach:// name
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Call:
    """One request the fake got and the answer it gave."""

    method: str  # as sent, e.g. "sendMessage"
    params: dict[str, Any]  # decoded: ints, bools, JSON fields parsed, files as `Upload`
    at: float  # the fake's clock
    content_type: str
    status: int = 0
    answer: Any = None  # the JSON body sent back
    fault: str | None = None  # the trouble from `fail_next` this call met, if any
    # When it arrived by this process's monotonic clock, whatever the fake's `clock` is: for
    # timing the service (bench/bot.py) against timestamps taken in the same process.
    received: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return self.answer.get("description") if isinstance(self.answer, dict) else None


@dataclass
class Message:
    """A message as the chat shows it now."""

    chat_id: int
    message_id: int
    date: int
    from_user: dict[str, Any]
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None  # inline keyboards only, as Telegram echoes
    photo: list[dict[str, Any]] | None = None
    document: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    message_thread_id: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    by_bot: bool = True
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons, row after row."""
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


@dataclass
class Trouble:
    method: str  # lower-case
    kind: str
    retry_after: int


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes


class FakeTelegram:
    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        username: str = "chotdon_test_bot",
        first_name: str = "Chốt Đơn",
        group_limit: int = 20,
        group_window_s: float = 60.0,
        overall_limit: int = 30,
        overall_window_s: float = 1.0,
        clock: Callable[[], float] = time.time,
        callback_query_ttl_s: float | None = None,
        require_https_webhook: bool = True,
        hold_s: float = 30.0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.group_limit = group_limit
        self.group_window_s = group_window_s
        self.overall_limit = overall_limit
        self.overall_window_s = overall_window_s
        self.clock = clock
        self.callback_query_ttl_s = callback_query_ttl_s
        self.require_https_webhook = require_https_webhook
        self.hold_s = hold_s  # the longest a `timeout`/`lost_answer` call is held (real time)

        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], Message] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}  # query id -> answer params
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[str, list[dict[str, str]]] = {}  # scope+language key -> commands
        self.webhook: dict[str, Any] | None = None  # url, secret_token, allowed_updates, ...
        self.allowed_updates: list[str] = []
        self.files: dict[str, StoredFile] = {}
        self.never_started: set[int] = set()  # private chats the bot may not open

        self._updates: list[dict[str, Any]] = []
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        self._poll_ended_by = ""
        self._update_ids = itertools.count(700_000_001)
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_numbers = itertools.count(1)
        self._queries: dict[str, float] = {}  # open callback query id -> when it was made
        self._group_sends: dict[int, deque[float]] = defaultdict(deque)
        self._overall_sends: deque[float] = deque()
        self._troubles: list[Trouble] = []
        self._released = asyncio.Event()

    # -- for tests: serving ----------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=FILE_BYTES_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        return app

    # -- for tests: what the group sees ------------------------------------------------------

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def refused(self, method: str | None = None) -> list[Call]:
        wanted = method.lower() if method else None
        return [c for c in self.calls if not c.ok and wanted in (None, c.method.lower())]

    def message(self, chat_id: int, message_id: int) -> Message | None:
        return self.messages.get((chat_id, message_id))

    def chat(self, chat_id: int, *, deleted: bool = False) -> list[Message]:
        """The chat's messages in order, without the deleted ones unless asked."""
        return sorted(
            (
                m
                for (c, _), m in self.messages.items()
                if c == chat_id and (deleted or not m.deleted)
            ),
            key=lambda m: m.message_id,
        )

    def bot_messages(self, chat_id: int) -> list[Message]:
        return [m for m in self.chat(chat_id) if m.by_bot]

    def user_deletes(self, chat_id: int, message_id: int) -> None:
        """A member deletes the message in the app (the bot is not told)."""
        self.messages[(chat_id, message_id)].deleted = True

    # -- for tests: trouble ----------------------------------------------------------------

    def fail_next(self, method: str, kind: str = HTTP500, times: int = 1, *, retry_after: int = 5):
        """The next `times` calls of `method` meet `kind`:

        - `http500`: HTTP 500 `{"ok": false, "error_code": 500, "description":
          "Internal Server Error"}`;
        - `bad_gateway`: HTTP 502 with nginx's HTML page;
        - `timeout`: held until `release()` (the client gives up first);
        - `too_many`: HTTP 429 with `retry_after`, whatever the flood windows say;
        - `lost_answer`: carried out, then the answer held until `release()`.
        """
        if kind not in {HTTP500, BAD_GATEWAY, TIMEOUT, TOO_MANY, LOST_ANSWER}:
            raise ValueError(f"unknown trouble {kind!r}")
        if kind in {TIMEOUT, LOST_ANSWER}:
            self._released.clear()
        self._troubles.extend(Trouble(method.lower(), kind, retry_after) for _ in range(times))

    def release(self) -> None:
        """Let held calls go (their clients are usually long gone)."""
        self._released.set()

    async def _hold(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), self.hold_s)

    # -- for tests: incoming updates -------------------------------------------------------

    @staticmethod
    def user(user_id: int, first_name: str = "Staff", **extra: Any) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, **extra}

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Make `update` waiting for getUpdates (long polls waiting get it at once)."""
        self._updates.append(update)
        self._updates_changed.set()
        return update

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    def callback_update(
        self,
        from_user: int | dict[str, Any],
        chat_id: int,
        message_id: int,
        data: str,
        *,
        queue: bool = False,
    ) -> dict[str, Any]:
        """A tap on an inline button of a message the chat shows (its current content)."""
        message = self.messages.get((chat_id, message_id))
        if message is None or message.deleted:
            raise ValueError(f"no message {message_id} in chat {chat_id} to tap on")
        query_id = str(next(self._query_ids))
        self._queries[query_id] = self.clock()
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": self._as_user(from_user),
                "message": self._message_json(message),
                "chat_instance": str(-7_000_000_000_000_000_000 - abs(chat_id)),
                "data": data,
            },
        }
        return self.queue_update(update) if queue else update

    def text_update(
        self,
        from_user: int | dict[str, Any],
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        queue: bool = False,
    ) -> dict[str, Any]:
        """A member writes `text` in the chat; `/command` gets its `bot_command` entity."""
        user = self._as_user(from_user)
        if reply_to is not None:
            replied = self.messages.get((chat_id, reply_to))
            if replied is None or replied.deleted:
                raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
        message = Message(
            chat_id=chat_id,
            message_id=next(self._message_ids[chat_id]),
            date=int(self.clock()),
            from_user=user,
            text=text,
            reply_to_message_id=reply_to,
            by_bot=False,
        )
        command = BOT_COMMAND_RE.match(text)
        if command:
            message.entities = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())}
            ]
        self.messages[(chat_id, message.message_id)] = message
        update = {"update_id": next(self._update_ids), "message": self._message_json(message)}
        return self.queue_update(update) if queue else update

    def reply_update(
        self,
        from_user: int | dict[str, Any],
        chat_id: int,
        reply_to: int,
        text: str,
        *,
        queue: bool = False,
    ) -> dict[str, Any]:
        """A member answers a bot message (e.g. a ForceReply prompt) with `text`."""
        return self.text_update(from_user, chat_id, text, reply_to=reply_to, queue=queue)

    # -- wire format -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        refused: ApiError | None = None
        try:
            params, uploads = await _read_params(request)
        except ApiError as error:
            params, uploads, refused = {}, {}, error
        call = Call(method, {**params, **uploads}, self.clock(), request.content_type)
        self.calls.append(call)
        trouble = self._take_trouble(method.lower())
        call.fault = trouble.kind if trouble else None
        if trouble is not None and trouble.kind != LOST_ANSWER:
            return await self._trouble_answer(call, trouble)
        try:
            if refused is not None:
                raise refused
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params, uploads)
            status, body = 200, {"ok": True, "result": result}
            if isinstance(result, _Described):
                body = {"ok": True, "result": result.result, "description": result.description}
        except ApiError as refusal:
            status = refusal.status
            body = {"ok": False, "error_code": refusal.status, "description": refusal.description}
            if refusal.parameters:
                body["parameters"] = refusal.parameters
        call.status, call.answer = status, body
        if trouble is not None:  # lost_answer: done, but the caller never hears
            await self._hold()
        return web.json_response(body, status=status)

    async def _trouble_answer(self, call: Call, trouble: Trouble) -> web.StreamResponse:
        if trouble.kind == TIMEOUT:
            call.status = 504
            await self._hold()
            return web.Response(status=504, text="released")
        if trouble.kind == BAD_GATEWAY:
            call.status, call.answer = 502, "<html>502 Bad Gateway</html>"
            return web.Response(
                status=502,
                text="<html><head><title>502 Bad Gateway</title></head><body><center>"
                "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
                content_type="text/html",
            )
        if trouble.kind == TOO_MANY:
            refusal = _too_many(trouble.retry_after)
            body = {
                "ok": False,
                "error_code": 429,
                "description": refusal.description,
                "parameters": refusal.parameters,
            }
            call.status, call.answer = 429, body
            return web.json_response(body, status=429)
        body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        call.status, call.answer = 500, body
        return web.json_response(body, status=500)

    def _take_trouble(self, method: str) -> Trouble | None:
        for trouble in self._troubles:
            if trouble.method == method:
                self._troubles.remove(trouble)
                return trouble
        return None

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        for stored in self.files.values():
            if stored.file_path == request.match_info["path"]:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # -- flood control -----------------------------------------------------------------------

    def _check_flood(self, chat_id: int) -> None:
        now = self.clock()
        waits = []
        overall = self._overall_sends
        while overall and overall[0] <= now - self.overall_window_s:
            overall.popleft()
        if len(overall) >= self.overall_limit:
            waits.append(overall[0] + self.overall_window_s - now)
        if chat_id < 0:
            group = self._group_sends[chat_id]
            while group and group[0] <= now - self.group_window_s:
                group.popleft()
            if len(group) >= self.group_limit:
                waits.append(group[0] + self.group_window_s - now)
        if waits:
            raise _too_many(max(1, math.ceil(max(waits))))

    def _take_slot(self, chat_id: int) -> None:
        now = self.clock()
        self._overall_sends.append(now)
        if chat_id < 0:
            self._group_sends[chat_id].append(now)

    # -- objects -------------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def _as_user(self, user: int | dict[str, Any]) -> dict[str, Any]:
        return self.user(user) if isinstance(user, int) else user

    @staticmethod
    def _chat_json(chat_id: int, user: dict[str, Any] | None = None) -> dict[str, Any]:
        if chat_id > 0:
            return {
                "id": chat_id,
                "type": "private",
                "first_name": (user or {}).get("first_name", "User"),
            }
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": "Staff"}
        if kind == "group":
            chat["all_members_are_administrators"] = False
        return chat

    def _message_json(self, message: Message, *, with_reply: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": message.message_id,
            "from": message.from_user,
            "chat": self._chat_json(message.chat_id, message.from_user),
            "date": message.date,
        }
        if message.message_thread_id is not None:
            out["message_thread_id"] = message.message_thread_id
        if message.reply_to_message_id is not None and with_reply:
            replied = self.messages.get((message.chat_id, message.reply_to_message_id))
            if replied is not None and not replied.deleted:
                out["reply_to_message"] = self._message_json(replied, with_reply=False)
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.text is not None:
            out["text"] = message.text
            if message.entities:
                out["entities"] = message.entities
        if message.photo is not None:
            out["photo"] = message.photo
        if message.document is not None:
            out["document"] = message.document
        if message.caption is not None:
            out["caption"] = message.caption
            if message.caption_entities:
                out["caption_entities"] = message.caption_entities
        if message.reply_markup is not None:
            out["reply_markup"] = message.reply_markup
        return out

    # -- checks shared by methods --------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        return chat_id

    def _markup(self, params: dict[str, Any], chat_id: int, *, inline_only: bool = False):
        """The inline keyboard the message will show (None: none); refuses bad buttons."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise bad_request("inline keyboard expected")
            if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
                raise bad_request("can't parse reply keyboard markup JSON object")
            return None  # reply keyboards and ForceReply are not echoed in the Message
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode())
                    if not 1 <= size <= CALLBACK_DATA_LIMIT:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "web_app" in button and chat_id < 0:
                    raise bad_request("BUTTON_TYPE_INVALID")
        if not any(rows):
            return None
        return {"inline_keyboard": rows}

    def _existing(self, params: dict[str, Any], not_found: str) -> Message:
        if "inline_message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not kept here
        chat_id = self._chat_id(params)
        if params.get("message_id") in (None, ""):
            raise bad_request("message identifier is not specified")
        message = self.messages.get((chat_id, params["message_id"]))
        if message is None or message.deleted:
            raise ApiError(400, not_found)
        return message

    def _reply_to(self, params: dict[str, Any], chat_id: int) -> int | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id if message_id is not None else params.get("reply_to_message_id")
        if message_id is None:
            return None
        replied = self.messages.get((chat_id, message_id))
        if replied is None or replied.deleted:
            allow = params.get("allow_sending_without_reply") or (
                isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            )
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def _new_message(self, chat_id: int, params: dict[str, Any], **content: Any) -> Message:
        message = Message(
            chat_id=chat_id,
            message_id=next(self._message_ids[chat_id]),
            date=int(self.clock()),
            from_user=self._bot_user(),
            reply_to_message_id=self._reply_to(params, chat_id),
            message_thread_id=params.get("message_thread_id"),
            **content,
        )
        self.messages[(chat_id, message.message_id)] = message
        self._take_slot(chat_id)
        return message

    def _store_file(self, data: bytes, kind: str, suffix: str) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"AgAC{kind[:3].upper()}{number:08d}fake",
            file_unique_id=f"AQAD{number:08d}",
            file_path=f"{kind}/file_{number}{suffix}",
            data=data,
        )
        self.files[stored.file_id] = stored
        return stored

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
        if params.get("caption") in (None, ""):
            return None, []
        caption, entities = _parse(params["caption"], params.get("parse_mode"))
        if params.get("caption_entities"):
            entities = params["caption_entities"]
        if len(caption) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
        return (caption or None), entities

    def _text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        raw = params.get("text")
        if raw is None or str(raw).strip() == "":
            raise bad_request("message text is empty")
        text, entities = _parse(str(raw), params.get("parse_mode"))
        if params.get("entities"):
            entities = params["entities"]
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        return text, entities

    # -- methods ---------------------------------------------------------------------------------
    # Each takes the decoded parameters and the uploaded files; returns the result or raises.

    async def _m_getme(self, params, uploads):
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logout(self, params, uploads):
        return True

    async def _m_setwebhook(self, params, uploads):
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return _Described(True, "Webhook is already deleted")
        if self.require_https_webhook:
            if not url.startswith("https://"):
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            port = re.match(r"https://[^/:]+(?::(\d+))?", url)
            if port and port.group(1) and port.group(1) not in {"80", "88", "443", "8443"}:
                raise bad_request(
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": self.allowed_updates,
            "max_connections": params.get("max_connections", 40),
        }
        self._end_poll("Conflict: terminated by setWebhook request")
        return _Described(True, "Webhook was set")

    async def _m_deletewebhook(self, params, uploads):
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if self.webhook is None:
            return _Described(True, "Webhook is already deleted")
        self.webhook = None
        return _Described(True, "Webhook was deleted")

    async def _m_getwebhookinfo(self, params, uploads):
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook is not None:
            info.update(
                url=self.webhook["url"],
                max_connections=self.webhook["max_connections"],
                ip_address="127.0.0.1",
            )
            if self.allowed_updates:
                info["allowed_updates"] = self.allowed_updates
        return info

    async def _m_getupdates(self, params, uploads):
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"])
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = params.get("limit") or 100
        limit = min(max(limit, 1), 100)
        timeout = max(params.get("timeout") or 0, 0)
        self._end_poll(
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, self._poll_ended_by)
            ready = [u for u in self._updates if self._allowed(u)]
            if isinstance(offset, int) and offset < 0:
                ready = ready[offset:]
            if ready or loop.time() >= deadline:
                return ready[:limit]
            self._updates_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_changed.wait(), deadline - loop.time())

    def _end_poll(self, why: str) -> None:
        """A getUpdates still waiting answers 409 `why`."""
        self._poll_generation += 1
        self._poll_ended_by = why
        self._updates_changed.set()

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_BY_DEFAULT

    async def _m_sendmessage(self, params, uploads):
        chat_id = self._chat_id(params)
        if chat_id in self.never_started:
            raise ApiError(403, FORBIDDEN_NOT_STARTED)
        text, entities = self._text(params)
        markup = self._markup(params, chat_id)
        self._check_flood(chat_id)
        message = self._new_message(
            chat_id, params, text=text, entities=entities, reply_markup=markup
        )
        return self._message_json(message)

    async def _m_editmessagetext(self, params, uploads):
        message = self._existing(params, EDIT_NOT_FOUND)
        text, entities = self._text(params)
        markup = self._markup(params, message.chat_id, inline_only=True)
        if not message.by_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        self._check_flood(message.chat_id)
        message.text, message.entities, message.reply_markup = text, entities, markup
        return self._edited(message)

    async def _m_editmessagecaption(self, params, uploads):
        message = self._existing(params, EDIT_NOT_FOUND)
        caption, entities = self._caption(params)
        markup = self._markup(params, message.chat_id, inline_only=True)
        if not message.by_bot:
            raise bad_request("message can't be edited")
        if message.text is not None:
            raise bad_request("there is no caption in the message to edit")
        current = (message.caption, message.caption_entities, message.reply_markup)
        if (caption, entities, markup) == current:
            raise ApiError(400, NOT_MODIFIED)
        self._check_flood(message.chat_id)
        message.caption, message.caption_entities, message.reply_markup = (
            caption,
            entities,
            markup,
        )
        return self._edited(message)

    async def _m_editmessagereplymarkup(self, params, uploads):
        message = self._existing(params, EDIT_NOT_FOUND)
        markup = self._markup(params, message.chat_id, inline_only=True)
        if not message.by_bot:
            raise bad_request("message can't be edited")
        if markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._check_flood(message.chat_id)
        message.reply_markup = markup
        return self._edited(message)

    def _edited(self, message: Message) -> dict[str, Any]:
        message.edit_date = int(self.clock())
        message.edits += 1
        self._take_slot(message.chat_id)
        return self._message_json(message)

    async def _m_deletemessage(self, params, uploads):
        message = self._existing(params, DELETE_NOT_FOUND)
        message.deleted = True
        return True

    async def _m_answercallbackquery(self, params, uploads):
        query_id = str(params.get("callback_query_id") or "")
        made = self._queries.get(query_id)
        ttl = self.callback_query_ttl_s
        if made is None or query_id in self.callback_answers:
            raise ApiError(400, QUERY_TOO_OLD)
        if ttl is not None and self.clock() - made > ttl:
            raise ApiError(400, QUERY_TOO_OLD)
        if len(params.get("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(params)
        return True

    async def _m_sendphoto(self, params, uploads):
        chat_id = self._chat_id(params)
        caption, entities = self._caption(params)
        markup = self._markup(params, chat_id)
        upload = _upload_for(params, uploads, "photo")
        if upload is None:
            existing = self.files.get(str(params.get("photo") or ""))
            if existing is None or not existing.file_path.startswith("photos/"):
                raise bad_request("there is no photo in the request")
            sizes = self._photo_sizes_of(existing)
        else:
            if len(upload.data) > PHOTO_BYTES_LIMIT:
                raise bad_request("PHOTO_SAVE_FILE_INVALID")
            width, height = _image_size(upload.data)
            if width + height > 10_000 or max(width, height) > 20 * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            sizes = self._photo_sizes(upload.data, width, height)
        self._check_flood(chat_id)
        message = self._new_message(
            chat_id,
            params,
            photo=sizes,
            caption=caption,
            caption_entities=entities,
            reply_markup=markup,
        )
        return self._message_json(message)

    def _photo_sizes(self, data: bytes, width: int, height: int) -> list[dict[str, Any]]:
        sizes = []
        for side in (90, 320, 800, 1280):
            scale = min(1.0, side / max(width, height))
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            if sizes and (w, h) == (sizes[-1]["width"], sizes[-1]["height"]):
                break
            stored = self._store_file(data, "photos", ".jpg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(data),
                    "width": w,
                    "height": h,
                }
            )
        return sizes

    def _photo_sizes_of(self, stored: StoredFile) -> list[dict[str, Any]]:
        width, height = _image_size(stored.data)
        return self._photo_sizes(stored.data, width, height)

    async def _m_senddocument(self, params, uploads):
        chat_id = self._chat_id(params)
        caption, entities = self._caption(params)
        markup = self._markup(params, chat_id)
        upload = _upload_for(params, uploads, "document")
        if upload is None:
            existing = self.files.get(str(params.get("document") or ""))
            if existing is None:
                raise bad_request("there is no document in the request")
            data, filename, mime = existing.data, existing.file_path.rsplit("/", 1)[-1], None
        else:
            if not upload.data:
                raise bad_request("file must be non-empty")
            if len(upload.data) > FILE_BYTES_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            data, filename, mime = upload.data, upload.filename, upload.content_type
        suffix = "." + filename.rsplit(".", 1)[-1] if filename and "." in filename else ""
        stored = self._store_file(data, "documents", suffix)
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
        }
        if filename:
            document["file_name"] = filename
        if mime:
            document["mime_type"] = mime
        self._check_flood(chat_id)
        message = self._new_message(
            chat_id,
            params,
            document=document,
            caption=caption,
            caption_entities=entities,
            reply_markup=markup,
        )
        return self._message_json(message)

    async def _m_getfile(self, params, uploads):
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _m_sendchataction(self, params, uploads):
        chat_id = self._chat_id(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    async def _m_setmycommands(self, params, uploads):
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_RE.match(
                str(command.get("command", "")).lower()
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _m_getmycommands(self, params, uploads):
        return self.commands.get(self._commands_key(params), [])

    async def _m_deletemycommands(self, params, uploads):
        self.commands.pop(self._commands_key(params), None)
        return True


@dataclass(frozen=True)
class _Described:
    """A result Telegram answers with a `description` beside it (setWebhook, deleteWebhook)."""

    result: Any
    description: str


def _too_many(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _decode(name: str, value: str) -> Any:
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as error:
            raise bad_request(f"can't parse {name} JSON object") from error
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername" chat ids
    if name in BOOL_FIELDS:
        return value.lower() in {"true", "1"}
    return value


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = {k: _decode(k, v) for k, v in request.query.items()}
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError as error:
            raise bad_request("can't parse JSON object") from error
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        params.update({k: _decode(k, v) if isinstance(v, str) else v for k, v in body.items()})
    elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                uploads[name] = Upload(name, value.filename, value.content_type, value.file.read())
            else:
                params[name] = _decode(name, str(value))
    return params, uploads


def _upload_for(params: dict[str, Any], uploads: dict[str, Upload], name: str) -> Upload | None:
    if name in uploads:
        return uploads[name]
    value = params.get(name)
    if isinstance(value, str) and value.startswith("attach://"):
        return uploads.get(value.removeprefix("attach://"))
    return None


def _image_size(data: bytes) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError) as error:
        raise bad_request("IMAGE_PROCESS_FAILED") from error


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- HTML parse mode: a well-formedness check of the tags Telegram allows -----------------------

HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)?([^<>]*)(>?)")
HREF_RE = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _parse(raw: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The text a user sees and its entities; refuses what Telegram cannot parse."""
    if (parse_mode or "").upper() != "HTML":
        return raw.strip(), []
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    open_tags: list[tuple[str, int, dict[str, Any]]] = []  # name, utf-16 start, extra
    position = 0
    utf16 = 0

    def emit(text: str) -> None:
        nonlocal utf16
        text = html.unescape(text)
        out.append(text)
        utf16 += _utf16_len(text)

    for match in TAG_RE.finditer(raw):
        emit(raw[position : match.start()])
        position = match.end()
        offset = len(raw[: match.start()].encode())
        closing, name, rest, end = match.groups()
        if not closing and not name:  # "a < b": escape it as &lt;
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "" at byte offset {offset}'
            )
        if not end:
            raise bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        name = (name or "").lower()
        if closing:
            if not open_tags:
                raise bad_request(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            expected, start, extra = open_tags.pop()
            if name != expected:
                raise bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                    f'expected "</{expected}>", found "</{name}>"'
                )
            if utf16 > start:
                entities.append(
                    {"type": HTML_TAGS[name], "offset": start, "length": utf16 - start, **extra}
                )
            continue
        if name not in HTML_TAGS:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
            )
        extra: dict[str, Any] = {}
        if name == "a":
            href = HREF_RE.search(rest)
            url = next((g for g in href.groups() if g is not None), "") if href else ""
            if url:
                extra["url"] = html.unescape(url)
        if name == "span" and 'class="tg-spoiler"' not in rest.replace("'", '"'):
            raise bad_request(
                f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte '
                f"offset {offset}"
            )
        open_tags.append((name, utf16, extra))
    emit(raw[position:])
    if open_tags:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f"{open_tags[-1][0]}"
        )
    text = "".join(out)
    stripped = text.lstrip()
    shift = _utf16_len(text) - _utf16_len(stripped)
    if shift:
        for entity in entities:
            entity["offset"] = max(0, entity["offset"] - shift)
    text = stripped.rstrip()
    end = _utf16_len(text)
    for entity in entities:  # entities end where the trimmed text ends
        entity["length"] = min(entity["offset"] + entity["length"], end) - entity["offset"]
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, [
        e for e in entities if e["length"] > 0 and (e["type"] != "text_link" or "url" in e)
    ]
