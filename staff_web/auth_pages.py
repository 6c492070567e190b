"""The few pages of signing in, in Vietnamese and English: built here rather than from the
pages' templates, so that signing in works (and is tested) whatever the pages look like, and
a broken template can never lock staff out. Every value is HTML-escaped.

The Mini App page's script is inline with a per-response nonce (see `security.csp`) and loads
nothing from telegram.org: it only needs `location.hash`, and the service must work (and its
tests run) without reaching the internet.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Final

STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "title": "Đăng nhập",
        "how": "Trang này chỉ dành cho nhân viên của shop. Để đăng nhập:",
        "how.bot": (
            "Nhắn <code>/web</code> cho bot của shop trên Telegram (trong nhóm nhân viên hoặc "
            "chat riêng); bot gửi bạn một liên kết đăng nhập."
        ),
        "how.cli": (
            "Hoặc người quản lý máy chủ chạy <code>chotdon login-link TELEGRAM_ID</code> và gửi "
            "bạn liên kết."
        ),
        "how.once": "Mỗi liên kết dùng được một lần, trong 15 phút.",
        "link.dead.title": "Liên kết không còn dùng được",
        "link.dead": (
            "Liên kết đăng nhập này đã được dùng hoặc đã hết hạn (mỗi liên kết chỉ dùng được "
            "một lần, trong 15 phút)."
        ),
        "link.again": "Lấy liên kết mới: nhắn <code>/web</code> cho bot của shop trên Telegram.",
        "link.preview": "Liên kết đăng nhập chotdon.",
        "miniapp.title": "Đang đăng nhập…",
        "miniapp.wait": "Đang đăng nhập bằng Telegram…",
        "miniapp.none": (
            "Không thấy dữ liệu đăng nhập của Telegram: hãy mở trang này từ nút trong Telegram, "
            "hoặc đăng nhập bằng liên kết."
        ),
        "miniapp.bad.title": "Không đăng nhập được",
        "miniapp.bad": (
            "Dữ liệu đăng nhập từ Telegram không hợp lệ hoặc đã quá cũ. Hãy đóng và mở lại "
            "ứng dụng từ Telegram."
        ),
        "miniapp.not_staff": (
            "Tài khoản Telegram này không phải nhân viên của shop (not staff). Nhờ quản lý "
            "thêm bạn: /staff add TELEGRAM_ID VAI_TRÒ TÊN."
        ),
        "miniapp.off": "Bot Telegram chưa được cấu hình (TELEGRAM_BOT_TOKEN), nên chưa đăng nhập "
        "bằng Mini App được.",
        "to_login": "Cách đăng nhập",
        "csrf.title": "Biểu mẫu đã hết hạn",
        "csrf": "Biểu mẫu đã hết hạn: hãy tải lại trang rồi thử lại.",
        "signed_out.title": "Chưa đăng nhập",
        "signed_out": "Bạn cần đăng nhập trước.",
        "managers.title": "Chỉ dành cho quản lý",
        "managers": "Chỉ quản lý mới làm được việc này.",
        "unavailable.title": "Xin thử lại sau giây lát",
        "unavailable": (
            "Hệ thống tạm thời chưa lưu hoặc đọc được dữ liệu (cơ sở dữ liệu không trả lời, "
            "đang bận hoặc hết chỗ trống). Chưa có gì bị mất: xin thử lại sau giây lát."
        ),
        "unavailable.again": "Thử lại",
    },
    "en": {
        "title": "Sign in",
        "how": "These pages are for the shop's staff. To sign in:",
        "how.bot": (
            "Send <code>/web</code> to the shop's bot on Telegram (in the staff group or in a "
            "private chat); the bot sends you a sign-in link."
        ),
        "how.cli": (
            "Or whoever runs the server runs <code>chotdon login-link TELEGRAM_ID</code> and "
            "sends you the link."
        ),
        "how.once": "Each link works once, for 15 minutes.",
        "link.dead.title": "This link no longer works",
        "link.dead": (
            "This sign-in link has been used or has expired (each link works once, for 15 minutes)."
        ),
        "link.again": "Get a new one: send <code>/web</code> to the shop's bot on Telegram.",
        "link.preview": "A chotdon sign-in link.",
        "miniapp.title": "Signing in…",
        "miniapp.wait": "Signing in with Telegram…",
        "miniapp.none": (
            "No Telegram sign-in data here: open this page from its button in Telegram, or "
            "sign in with a link."
        ),
        "miniapp.bad.title": "Could not sign in",
        "miniapp.bad": (
            "The sign-in data from Telegram is invalid or too old. Close the app and open it "
            "again from Telegram."
        ),
        "miniapp.not_staff": (
            "This Telegram account is not staff of the shop. Ask a manager to add you: "
            "/staff add TELEGRAM_ID ROLE NAME."
        ),
        "miniapp.off": "The Telegram bot is not configured (TELEGRAM_BOT_TOKEN), so the Mini App "
        "cannot sign anyone in.",
        "to_login": "How to sign in",
        "csrf.title": "Form expired",
        "csrf": "This form has expired: reload the page and try again.",
        "signed_out.title": "Not signed in",
        "signed_out": "Please sign in first.",
        "managers.title": "Managers only",
        "managers": "Only managers can do this.",
        "unavailable.title": "Please try again in a moment",
        "unavailable": (
            "The service cannot store or read data just now (the database does not answer, "
            "is busy or is out of space). Nothing was lost: please try again in a moment."
        ),
        "unavailable.again": "Try again",
    },
}

STYLE: Final = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;max-width:36rem;"
    "color:#1d1d1f;background:#fff}h1{font-size:1.4rem}code{background:#f2f2f2;"
    "padding:0 .25em;border-radius:3px}.refused{border-left:4px solid #c0392b;padding-left:1rem}"
)

# Reads tgWebAppData from the hash (Telegram's way) or the query (for tests), tells a
# Telegram client the page is ready, and posts the data as a plain form so the browser follows
# the redirect and keeps the cookie. `postEvent` is the Mini App bridge without Telegram's
# script: window.TelegramWebviewProxy on phones, postMessage to the parent on the web client.
MINIAPP_SCRIPT: Final = """
(function () {
  function post(type) {
    try {
      if (window.TelegramWebviewProxy) { window.TelegramWebviewProxy.postEvent(type, ""); }
      else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({eventType: type, eventData: ""}), "*");
      }
    } catch (e) { /* not in Telegram */ }
  }
  var data = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData")
    || new URLSearchParams(location.search).get("tgWebAppData");
  post("web_app_ready");
  post("web_app_expand");
  if (!data) {
    document.getElementById("wait").hidden = true;
    document.getElementById("none").hidden = false;
    return;
  }
  var form = document.getElementById("signin");
  form.elements.init_data.value = data;
  form.submit();
})();
"""


def words(language: str) -> Mapping[str, str]:
    return STRINGS.get(language, STRINGS["vi"])


def _page(language: str, title: str, body: str, *, nonce: str = "", script: str = "") -> str:
    lang = "en" if language == "en" else "vi"
    tail = f'<script nonce="{html.escape(nonce)}">{script}</script>' if script else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="same-origin">'
        f"<title>{html.escape(title)} · chotdon</title><style>{STYLE}</style></head>"
        f"<body>{body}{tail}</body></html>"
    )


def login_page(language: str, *, notice: str | None = None) -> str:
    """How to sign in; `notice` (a key of the table) says why the visitor is here."""
    s = words(language)
    lead = f'<p class="refused">{s[notice]}</p>' if notice else ""
    body = (
        f"<main><h1>{s['title']}</h1>{lead}<p>{s['how']}</p><ol><li>{s['how.bot']}</li>"
        f"<li>{s['how.cli']}</li></ol><p>{s['how.once']}</p></main>"
    )
    return _page(language, s["title"], body)


def dead_link_page(language: str) -> str:
    s = words(language)
    body = (
        f'<main><h1>{s["link.dead.title"]}</h1><p class="refused">{s["link.dead"]}</p>'
        f'<p>{s["link.again"]}</p><p><a href="/login">{s["to_login"]}</a></p></main>'
    )
    return _page(language, s["link.dead.title"], body)


def preview_page(language: str) -> str:
    """What a link-preview robot gets instead of using up the link."""
    s = words(language)
    return _page(language, s["title"], f"<main><p>{s['link.preview']}</p></main>")


def refused_page(language: str, title_key: str, message_key: str) -> str:
    s = words(language)
    body = (
        f'<main><h1>{s[title_key]}</h1><p class="refused">{s[message_key]}</p>'
        f'<p><a href="/login">{s["to_login"]}</a></p></main>'
    )
    return _page(language, s[title_key], body)


def unavailable_page(language: str, again: str) -> str:
    """While the database cannot serve: built without it and without the pages' templates.
    `again` is the path to try again (a GET repeats the request; a form goes back to `/`)."""
    s = words(language)
    body = (
        f'<main><h1>{s["unavailable.title"]}</h1><p class="refused">{s["unavailable"]}</p>'
        f'<p><a href="{html.escape(again)}">{s["unavailable.again"]}</a></p></main>'
    )
    return _page(language, s["unavailable.title"], body)


def miniapp_page(language: str, nonce: str) -> str:
    s = words(language)
    body = (
        f'<main><h1>chotdon</h1><p id="wait">{s["miniapp.wait"]}</p>'
        f'<p id="none" class="refused" hidden>{s["miniapp.none"]} '
        f'<a href="/login">{s["to_login"]}</a></p>'
        '<form id="signin" method="post" action="/miniapp/session" hidden>'
        '<input type="hidden" name="init_data" value=""></form>'
        f'<noscript><p class="refused">{s["miniapp.none"]}</p></noscript></main>'
    )
    return _page(language, s["miniapp.title"], body, nonce=nonce, script=MINIAPP_SCRIPT)
