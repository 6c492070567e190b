"""Signing in (one-time login links, Telegram Mini App init data), session cookies, CSRF and
staff-only access for the pages.

Routes:
- `GET /login`: how to sign in.
- `GET /login/{token}[?next=/path]`: a one-time link (`chotdon login-link`, the bot's `/web`)
  becomes a session cookie and a 303 to `next` (a local path) or `/`; used, expired or
  unknown: 403 saying so and how to get a new one.
- `POST /logout` (a page route: signed in, CSRF-checked): the session ends.
- `GET /miniapp`: the Telegram Mini App's page; its inline script posts the init data to
- `POST /miniapp/session`: Telegram's signature checked (`initdata`), the user must be
  staff; then a session and a 303 to the order the button was for (`start_param`
  `order_<id>` -> `/orders/<id>/edit`) or `/`.

The middleware guards every other path except the machine routes (`/api/`, `/webhooks/`,
`/telegram/`, `/healthz`, `/metrics`, `/static/`) and the buyers' tracking pages (`/t/<token>`,
`staff_web.views.tracking`): no live session -> 303 to `/login?next=`
for GET/HEAD, 403 for anything else; with one, `request[STAFF_KEY]` (re-read from the staff
row on every request, so removing someone or changing their role counts at once) and
`request[CSRF_KEY]`. Every POST/PUT/PATCH/DELETE to a page must carry the session's CSRF token
(form field `CSRF_FIELD` or header `X-CSRF-Token`), compared in constant time. It runs inside
the service's metrics and error middlewares (it is appended after them), so its redirects and
refusals are counted like any answer.

The cookie `chotdon_session` is HttpOnly, Path=/, Secure when `CHOTDON_PUBLIC_URL` is https;
SameSite=Lax for a link's session, SameSite=None for a Mini App's, since the web client shows
the app in an iframe on web.telegram.org, where a Lax cookie is never sent. (Not Partitioned:
Python 3.11's `http.cookies` cannot write that attribute.)
Lax or not, a form from elsewhere lacks the CSRF token.

Every HTML answer gets a Content-Security-Policy (scripts only from this origin or with the
response's nonce, framing only by Telegram), nosniff and Referrer-Policy same-origin.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final
from urllib.parse import quote, urlsplit

from aiohttp import web

from application import web_logins as auth
from application import web_sessions
from kernel.database import Outage
from kernel.http.errors import UNAVAILABLE_PAGE
from kernel.tables import utcnow
from staff_web import auth_pages, initdata
from staff_web.context import CSRF_FIELD, CSRF_KEY, STAFF_KEY, StaffView, current_staff
from staff_web.deps import PAGES

log = logging.getLogger(__name__)

COOKIE: Final = "chotdon_session"
CSRF_HEADER: Final = "X-CSRF-Token"
SESSION_ID_KEY: Final = web.RequestKey("web_session_id", int)  # the session row's id
NONCE_KEY: Final = web.RequestKey("csp_nonce", str)  # this response's script nonce
CLOCK = web.AppKey[Callable[[], datetime]]("web_clock")  # tests may set it; default utcnow

OPEN_PREFIXES: Final = ("/api/", "/webhooks/", "/telegram/", "/static/")
# and what is under them; the icon, which browsers fetch before anyone signs in; `/t/<token>`,
# the buyers' public tracking page
OPEN_PATHS: Final = ("/healthz", "/metrics", "/login", "/miniapp", "/favicon.ico", "/t")
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES: Final = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Robots that fetch a link to draw its preview: they must not use up a one-time link.
PREVIEW_AGENTS: Final = re.compile(
    r"TelegramBot|facebookexternalhit|Facebot|Slackbot|Twitterbot|WhatsApp|Discordbot|"
    r"SkypeUriPreview|Zalo|LinkedInBot|Googlebot|bingbot",
    re.IGNORECASE,
)
ORDER_START: Final = re.compile(r"^order_([0-9]{1,18})$")
FRAME_ANCESTORS: Final = "'self' https://web.telegram.org https://*.telegram.org"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup(app: web.Application) -> None:
    """Adds the middleware, the sign-in routes and the page shown while the database cannot
    serve."""
    app.middlewares.append(security_middleware)
    app[UNAVAILABLE_PAGE] = unavailable_page
    app.router.add_get("/login", login_help)
    app.router.add_get("/login/{token}", login_with_link)
    app.router.add_post("/logout", logout)
    app.router.add_get("/miniapp", miniapp)
    app.router.add_post("/miniapp/session", miniapp_session)


# -- for the pages ----------------------------------------------------------------------------


def require_manager(request: web.Request) -> StaffView:
    """The signed-in staff member if a manager, else 403 (staff, catalog and sessions are
    the managers' to change)."""
    staff = current_staff(request)
    if not staff.is_manager:
        raise web.HTTPForbidden(
            text=_words_page(request, "managers.title", "managers"),
            content_type="text/html",
        )
    return staff


def csp_nonce(request: web.Request) -> str:
    """A nonce for this response's inline `<script nonce=...>`: asking for it adds it to the
    page's Content-Security-Policy."""
    nonce = request.get(NONCE_KEY)
    if not isinstance(nonce, str):
        nonce = secrets.token_urlsafe(16)
        request[NONCE_KEY] = nonce
    return nonce


def session_id(request: web.Request) -> int | None:
    """The signed-in session's row id (to mark "this device" in a list of sessions)."""
    value = request.get(SESSION_ID_KEY)
    return value if isinstance(value, int) else None


def unavailable_page(request: web.Request, _outage: Outage) -> web.Response | None:
    """For a person's page (the sign-in pages too), a page in their language saying to try
    again in a moment; None for the machine routes, which get JSON."""
    if request.path.startswith(OPEN_PREFIXES) or request.path in ("/healthz", "/metrics"):
        return None
    again = safe_next(request.path_qs) if request.method in SAFE_METHODS else "/"
    response = _html(request, auth_pages.unavailable_page(_language(request), again), status=503)
    _harden(request, response)
    return response


def is_page_route(path: str) -> bool:
    """Whether `path` is a staff page the middleware guards."""
    if path.startswith(OPEN_PREFIXES):
        return False
    return not any(path == open_ or path.startswith(open_ + "/") for open_ in OPEN_PATHS)


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this site (not `//evil`, not `/\\evil`, no scheme, no
    control characters, not the sign-in pages themselves), else `/`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not is_page_route(parts.path) or parts.path == "/logout":
        return "/"
    return value


def start_target(start_param: str | None) -> str:
    """Where a Mini App button sends staff: `order_<id>` -> the order's edit page."""
    match = ORDER_START.match(start_param or "")
    return f"/orders/{int(match.group(1))}/edit" if match else "/"


def csp(nonce: str | None = None) -> str:
    script = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return (
        f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        f"frame-ancestors {FRAME_ANCESTORS}"
    )


# -- middleware -------------------------------------------------------------------------------


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if is_page_route(request.path):
            response = await _guarded(request, handler)
        else:
            response = await handler(request)
    except web.HTTPException as error:  # a redirect or refusal raised by a page
        _harden(request, error)
        raise
    _harden(request, response)
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(COOKIE)
    signed = await _signed_in(request, token) if token else None
    if signed is None:
        refusal = _not_signed_in(request)
        if token:  # a stale cookie: let the browser forget it
            refusal.del_cookie(COOKIE, path="/")
        return refusal
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, signed.csrf_token):
        log.info("web: %s %s refused, CSRF token missing or wrong", request.method, request.path)
        return _html(request, _words_page(request, "csrf.title", "csrf"), status=403)
    member = signed.member
    request[STAFF_KEY] = member
    request[CSRF_KEY] = signed.csrf_token
    request[SESSION_ID_KEY] = signed.session_id
    return await handler(request)


async def _signed_in(request: web.Request, token: str) -> auth.Signed | None:
    return await web_sessions.signed_in(request.app[PAGES].orders, token, now=_now(request))


def _not_signed_in(request: web.Request) -> web.Response:
    if request.method in ("GET", "HEAD"):
        target = "/login?next=" + quote(request.path_qs, safe="/")
        return web.Response(status=303, headers={"Location": target})
    return _html(request, _words_page(request, "signed_out.title", "signed_out"), status=403)


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    given: object = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in FORM_TYPES:
        given = (await request.post()).get(CSRF_FIELD)  # cached: the handler reads it again
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _harden(request: web.Request, response: web.StreamResponse) -> None:
    if response.prepared:
        return
    headers = response.headers
    if is_page_route(request.path) or response.content_type == "text/html":
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        nonce = request.get(NONCE_KEY)
        policy = csp(nonce if isinstance(nonce, str) else None)
        headers.setdefault("Content-Security-Policy", policy)


# -- sign-in routes ---------------------------------------------------------------------------


async def login_help(request: web.Request) -> web.Response:
    return _html(request, auth_pages.login_page(_language(request)))


async def login_with_link(request: web.Request) -> web.Response:
    language = _language(request)
    agent = request.headers.get("User-Agent", "")
    if request.method == "HEAD" or PREVIEW_AGENTS.search(agent):
        return _html(request, auth_pages.preview_page(language))
    now = _now(request)
    started = await web_sessions.redeem_link(
        request.app[PAGES].orders, request.match_info["token"], user_agent=agent, now=now
    )
    if started is None:
        log.info("web: a used, expired or unknown login link was refused")
        return _html(request, auth_pages.dead_link_page(language), status=403)
    log.info("web: %s signed in with a login link", started.member.name)
    response = web.Response(status=303, headers={"Location": safe_next(request.query.get("next"))})
    _set_cookie(request, response, started, miniapp=False)
    return response


async def logout(request: web.Request) -> web.Response:
    current = session_id(request)
    if current is not None:
        await web_sessions.end_session(request.app[PAGES].orders, current)
    response = web.Response(status=303, headers={"Location": "/login"})
    response.del_cookie(COOKIE, path="/")
    return response


async def miniapp(request: web.Request) -> web.Response:
    nonce = csp_nonce(request)
    return _html(request, auth_pages.miniapp_page(_language(request), nonce))


async def miniapp_session(request: web.Request) -> web.Response:
    pages = request.app[PAGES]
    if not pages.telegram_bot_token:
        return _html(request, _words_page(request, "miniapp.bad.title", "miniapp.off"), status=503)
    form = await request.post()
    raw = form.get("init_data")
    now = _now(request)
    try:
        data = initdata.validate_init_data(
            raw if isinstance(raw, str) else "", pages.telegram_bot_token, now=now
        )
    except initdata.InitDataError as error:
        log.info("web: Mini App init data refused (%s)", error.reason)
        return _html(request, _words_page(request, "miniapp.bad.title", "miniapp.bad"), status=403)
    agent = request.headers.get("User-Agent", "")
    try:
        started = await web_sessions.start_miniapp_session(
            pages.orders, data.user_id, user_agent=agent, now=now
        )
    except auth.NotStaff:
        log.info("web: Mini App sign-in by Telegram id %s refused: not staff", data.user_id)
        return _html(
            request, _words_page(request, "miniapp.bad.title", "miniapp.not_staff"), status=403
        )
    log.info("web: %s signed in through the Mini App", started.member.name)
    response = web.Response(status=303, headers={"Location": start_target(data.start_param)})
    _set_cookie(request, response, started, miniapp=True)
    return response


# -- helpers ----------------------------------------------------------------------------------


def _set_cookie(
    request: web.Request, response: web.Response, started: auth.NewSession, *, miniapp: bool
) -> None:
    secure = request.app[PAGES].public_url.startswith("https://")
    cross_site = miniapp and secure  # SameSite=None is only accepted with Secure
    response.set_cookie(
        COOKIE,
        started.token,
        max_age=int(auth.SESSION_MAX.total_seconds()),
        path="/",
        httponly=True,
        secure=secure,
        samesite="None" if cross_site else "Lax",
    )
    response.headers["Cache-Control"] = "no-store"


def _now(request: web.Request) -> datetime:
    clock = request.app.get(CLOCK)
    return clock() if clock is not None else utcnow()


def _language(request: web.Request) -> str:
    return request.app[PAGES].language


def _words_page(request: web.Request, title_key: str, message_key: str) -> str:
    return auth_pages.refused_page(_language(request), title_key, message_key)


def _html(request: web.Request, page: str, *, status: int = 200) -> web.Response:
    response = web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response
