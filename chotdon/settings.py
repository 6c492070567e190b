"""Settings from the environment and `.env`, checked once at start-up.

Nothing reads the environment at import time; `load_settings()` is called by the CLI and the
result is passed down, so tests build their own.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from chotdon.errors import StartupError
from orders.shipper_kinds import CARRIERS
from orders.vietqr import BankAccount


def _url(value: str | None, *, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    if value is None or value == "":
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in schemes or not rest or " " in value:
        raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
    return value.rstrip("/")


PAGE_ID_LIMIT = 64


def parse_pages(text: str) -> dict[str, str]:
    """`PAGE_ID:TOKEN,PAGE_ID:TOKEN` as Page id -> token; spaces around items and an empty
    item (a trailing comma) are forgiven. A malformed item raises `ValueError` naming its
    place, never its text: it may be a token pasted on its own."""
    pages: dict[str, str] = {}
    items = [item.strip() for item in text.split(",")]
    for number, item in enumerate(items, start=1):
        if not item:
            continue
        page_id, sep, token = item.partition(":")
        page_id, token = page_id.strip(), token.strip()
        if not sep or not token:
            raise ValueError(f"item {number} is not PAGE_ID:TOKEN")
        if not (page_id.isascii() and page_id.isdigit() and len(page_id) <= PAGE_ID_LIMIT):
            raise ValueError(f"item {number}: a Page id is digits only (PAGE_ID:TOKEN)")
        if any(c.isspace() or c in ":," for c in token) or not token.isprintable():
            raise ValueError(f"item {number}: the token of Page {page_id} is not one word")
        if page_id in pages:
            raise ValueError(f"Page {page_id} is listed twice")
        pages[page_id] = token
    if not pages:
        raise ValueError("holds no PAGE_ID:TOKEN")
    return pages


DEFAULT_PORT = 8080  # `chotdon serve` without `--port` or `PORT`


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=True,
        populate_by_name=True,
    )

    database_url: str = Field(
        "sqlite+aiosqlite:///./chotdon.db", validation_alias="CHOTDON_DATABASE_URL"
    )
    # Not in CONTRACT.md (it is silent). Unset: on SQLite a file of its own beside the main one
    # (see `inbox_url`); on PostgreSQL the main database.
    inbox_database_url: str | None = Field(None, validation_alias="CHOTDON_INBOX_DATABASE_URL")
    # `chotdon serve` runs the inbox and outbox workers in a child process, on the second core.
    worker_process: bool = Field(True, validation_alias="CHOTDON_WORKER_PROCESS")
    public_url: str = Field("http://127.0.0.1:8080", validation_alias="CHOTDON_PUBLIC_URL")
    api_token: str | None = Field(None, validation_alias="CHOTDON_API_TOKEN")
    language: Literal["vi", "en"] = Field("vi", validation_alias="CHOTDON_LANGUAGE")
    auto_migrate: bool = Field(True, validation_alias="CHOTDON_AUTO_MIGRATE")
    shop_name: str = Field("", validation_alias="CHOTDON_SHOP_NAME")
    shop_phone: str = Field("", validation_alias="CHOTDON_SHOP_PHONE")
    shop_address: str = Field("", validation_alias="CHOTDON_SHOP_ADDRESS")
    # Not in CONTRACT.md (it is silent): what the shipping note tells the carrier about the
    # parcel at the door: the buyer may look inside, may not, or may try the goods on.
    delivery_instruction: Literal["allow_viewing", "no_viewing", "allow_trying"] = Field(
        "allow_viewing", validation_alias="CHOTDON_DELIVERY_INSTRUCTION"
    )
    port: int | None = Field(None, validation_alias="PORT", ge=1, le=65535)
    # Not in CONTRACT.md (it is silent): below this much free space on the disk of a SQLite
    # file (the database or the webhook inbox), `/healthz` answers 503 as if the disk were full.
    min_free_disk_mb: int = Field(16, validation_alias="CHOTDON_MIN_FREE_DISK_MB", ge=0)
    # Not in CONTRACT.md (it is silent): `make run` sets it. On an empty database `serve`
    # loads the samples and replays the sample livestream; it always prints a login link.
    demo: bool = Field(False, validation_alias="CHOTDON_DEMO")
    # Not in CONTRACT.md (it is silent): `serve` closes a connection that has not sent a whole
    # request (headers and body) this long after its first byte (`chotdon.connections`).
    # Facebook's bodies are at most 1 MiB and arrive in well under a second.
    request_deadline_seconds: float = Field(
        30.0, validation_alias="CHOTDON_REQUEST_DEADLINE_SECONDS", gt=0, le=3600
    )
    # Unset: as many open connections as the file limit leaves room for (`chotdon.open_files`);
    # set: at most this many (never more than that room).
    max_connections: int | None = Field(None, validation_alias="CHOTDON_MAX_CONNECTIONS", ge=1)

    facebook_app_secret: str | None = Field(None, validation_alias="FACEBOOK_APP_SECRET")
    facebook_verify_token: str | None = Field(None, validation_alias="FACEBOOK_VERIFY_TOKEN")
    facebook_page_id: str | None = Field(None, validation_alias="FACEBOOK_PAGE_ID")
    facebook_page_access_token: str | None = Field(
        None, validation_alias="FACEBOOK_PAGE_ACCESS_TOKEN"
    )
    # Several Pages: `PAGE_ID:TOKEN,PAGE_ID:TOKEN`, beside or instead of the two above (the
    # union; this one wins for a Page in both). Read with `facebook_page_tokens()`.
    facebook_pages: str | None = Field(None, validation_alias="FACEBOOK_PAGES")
    facebook_graph_url: str = Field(
        "https://graph.facebook.com", validation_alias="FACEBOOK_GRAPH_URL"
    )
    # Not in CONTRACT.md (it is silent): how the service treats comments on a live.
    hide_phone_comments: bool = Field(True, validation_alias="CHOTDON_HIDE_PHONE_COMMENTS")
    private_reply: bool = Field(False, validation_alias="CHOTDON_PRIVATE_REPLY")
    live_grace_minutes: int = Field(
        10, validation_alias="CHOTDON_LIVE_GRACE_MINUTES", ge=0, le=24 * 60
    )
    # Catch-up polling of open lives' comments (`application.comment_poller`); 0 turns it off.
    comment_poll_seconds: float = Field(
        10.0, validation_alias="CHOTDON_COMMENT_POLL_SECONDS", ge=0, le=3600
    )
    # The share of the Page's call budget polling may use, by Graph's usage headers.
    poll_budget_percent: int = Field(
        50, validation_alias="CHOTDON_POLL_BUDGET_PERCENT", ge=1, le=100
    )
    instagram_auto_open: bool = Field(False, validation_alias="CHOTDON_INSTAGRAM_AUTO_OPEN")

    telegram_bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_staff_chat_id: int | None = Field(None, validation_alias="TELEGRAM_STAFF_CHAT_ID")
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias="TELEGRAM_API_URL")
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    # Not in CONTRACT.md (it is silent): the Mini App's direct link as BotFather's `/newapp`
    # gives it, e.g. `https://t.me/chotdon_bot/app` (its Web App URL at BotFather must be
    # `{CHOTDON_PUBLIC_URL}/miniapp`). Set: a card's Edit menu gets a URL button
    # `{TELEGRAM_MINIAPP_URL}?startapp=order_{id}` opening the order's edit page in Telegram
    # (a URL button, since groups refuse web_app buttons). Unset: no button.
    telegram_miniapp_url: str | None = Field(None, validation_alias="TELEGRAM_MINIAPP_URL")

    ghn_api_url: str = Field(
        "https://online-gateway.ghn.vn/shiip/public-api", validation_alias="GHN_API_URL"
    )
    ghn_token: str | None = Field(None, validation_alias="GHN_TOKEN")
    ghn_shop_id: int | None = Field(None, validation_alias="GHN_SHOP_ID")
    ghn_webhook_token: str | None = Field(None, validation_alias="GHN_WEBHOOK_TOKEN")

    ghtk_api_url: str = Field(
        "https://services.giaohangtietkiem.vn", validation_alias="GHTK_API_URL"
    )
    ghtk_token: str | None = Field(None, validation_alias="GHTK_TOKEN")
    ghtk_client_source: str | None = Field(None, validation_alias="GHTK_CLIENT_SOURCE")
    ghtk_webhook_hash: str | None = Field(None, validation_alias="GHTK_WEBHOOK_HASH")

    viettelpost_api_url: str = Field(
        "https://partner.viettelpost.vn", validation_alias="VIETTELPOST_API_URL"
    )
    viettelpost_token: str | None = Field(None, validation_alias="VIETTELPOST_TOKEN")
    viettelpost_webhook_token: str | None = Field(
        None, validation_alias="VIETTELPOST_WEBHOOK_TOKEN"
    )

    # Ahamove's v3 production host is unconfirmed (reference/carriers.md 4.1): v1 is the default.
    ahamove_api_url: str = Field("https://api.ahamove.com", validation_alias="AHAMOVE_API_URL")
    ahamove_token: str | None = Field(None, validation_alias="AHAMOVE_TOKEN")
    ahamove_webhook_key: str | None = Field(None, validation_alias="AHAMOVE_WEBHOOK_KEY")
    ahamove_service_id: str | None = Field(None, validation_alias="AHAMOVE_SERVICE_ID")

    shop_handoff_url: str | None = Field(None, validation_alias="SHOP_HANDOFF_URL")
    shop_handoff_secret: str | None = Field(None, validation_alias="SHOP_HANDOFF_SECRET")

    # The shop's receiving bank account (VietQR codes ask money into it) and the key its
    # transfer notifications (SePay's webhook) must carry.
    bank_bin: str | None = Field(None, validation_alias="CHOTDON_BANK_BIN")
    bank_account: str | None = Field(None, validation_alias="CHOTDON_BANK_ACCOUNT")
    bank_account_name: str = Field("", validation_alias="CHOTDON_BANK_ACCOUNT_NAME")
    bank_webhook_key: str | None = Field(None, validation_alias="CHOTDON_BANK_WEBHOOK_KEY")

    @field_validator(
        "public_url",
        "facebook_graph_url",
        "telegram_api_url",
        "ghn_api_url",
        "ghtk_api_url",
        "viettelpost_api_url",
        "ahamove_api_url",
        "shop_handoff_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _url(value)

    @field_validator("telegram_miniapp_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        return _url(value, schemes=("https",))

    @field_validator("database_url", "inbox_database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def inbox_url(self) -> str:
        """Where webhook bodies are stored before they are answered.

        SQLite has one writer per file: with the inbox in the main file, every acknowledgement
        would queue behind the processing of earlier bodies, so by default bodies land in a
        file of their own (`chotdon.db` -> `chotdon-inbox.db`) that only the receiver writes
        (`kernel.inbox.landing`). PostgreSQL keeps them in the one database."""
        if self.inbox_database_url:
            return self.inbox_database_url
        url = make_url(self.database_url)
        path = url.database or ""
        if url.get_backend_name() != "sqlite" or path in ("", ":memory:"):
            return self.database_url
        stem, dot, suffix = path.rpartition(".")
        inbox = f"{stem}-inbox.{suffix}" if dot and "/" not in suffix else f"{path}-inbox"
        return url.set(database=inbox).render_as_string(hide_password=False)

    @field_validator(
        "api_token",
        "facebook_app_secret",
        "facebook_verify_token",
        "facebook_page_id",
        "facebook_page_access_token",
        "facebook_pages",
        "telegram_bot_token",
        "telegram_webhook_secret",
        "ghn_token",
        "ghn_webhook_token",
        "ghtk_token",
        "ghtk_client_source",
        "ghtk_webhook_hash",
        "viettelpost_token",
        "viettelpost_webhook_token",
        "ahamove_token",
        "ahamove_webhook_key",
        "ahamove_service_id",
        "shop_handoff_secret",
        "bank_bin",
        "bank_account",
        "bank_webhook_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bank_bin")
    @classmethod
    def _bank_bin(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{6}", value.strip()):
            raise ValueError("must be the bank's six-digit NAPAS BIN, e.g. 970436")
        return value.strip() if value else value

    @field_validator("bank_account")
    @classmethod
    def _bank_account(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9A-Za-z]{1,19}", value.strip()):
            raise ValueError("must be the account number: letters and digits, at most 19")
        return value.strip() if value else value

    @field_validator("facebook_pages")
    @classmethod
    def _page_list(cls, value: str | None) -> str | None:
        if value is not None:
            parse_pages(value)  # refuses a malformed list, naming no token
        return value

    @field_validator(
        "telegram_staff_chat_id", "ghn_shop_id", "port", "max_connections", mode="before"
    )
    @classmethod
    def _empty_number_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def secrets(self) -> dict[str, str | None]:
        """Every setting that is a secret, by its variable's name: what log lines must never
        show (`chotdon.log_redaction`)."""
        found = {_variable(Settings, name): getattr(self, name) for name in SECRET_FIELDS}
        for variable, url in (
            ("CHOTDON_DATABASE_URL", self.database_url),
            ("CHOTDON_INBOX_DATABASE_URL", self.inbox_database_url),
        ):
            if url:
                found[f"{variable} password"] = make_url(url).password
        for page_id, token in self.facebook_page_tokens().items():
            found[f"FACEBOOK_PAGES token of Page {page_id}"] = token
        return found

    def facebook_page_tokens(self) -> dict[str, str]:
        """`FACEBOOK_PAGES` as Page id -> token, in the order written."""
        return parse_pages(self.facebook_pages) if self.facebook_pages else {}

    def service_url(self) -> str:
        """Where the service on this machine answers: `CHOTDON_PUBLIC_URL` when it is set,
        else 127.0.0.1 on the port `chotdon serve` takes (`PORT`, else 8080). What the CLI
        posts to and links to, so `PORT=8093 make run` and `chotdon simulate` meet."""
        if "public_url" in self.model_fields_set:
            return self.public_url.rstrip("/")
        return f"http://127.0.0.1:{self.port or DEFAULT_PORT}"

    def bank(self) -> BankAccount | None:
        """The account VietQR codes ask money into, when both its BIN and number are set."""
        if not (self.bank_bin and self.bank_account):
            return None
        return BankAccount(self.bank_bin, self.bank_account, self.bank_account_name.strip())

    def configured_carriers(self) -> list[str]:
        """A carrier with no token is simply not offered."""
        return [name for name in CARRIERS if getattr(self, f"{name}_token")]


SECRET_FIELDS = (
    "api_token",
    "facebook_app_secret",
    "facebook_verify_token",
    "facebook_page_access_token",
    "facebook_pages",
    "telegram_bot_token",
    "telegram_webhook_secret",
    "ghn_token",
    "ghn_webhook_token",
    "ghtk_token",
    "ghtk_webhook_hash",
    "viettelpost_token",
    "viettelpost_webhook_token",
    "ahamove_token",
    "ahamove_webhook_key",
    "shop_handoff_secret",
    "bank_webhook_key",
)


def _variable(settings_cls: type[BaseSettings], field_name: str) -> str:
    field = settings_cls.model_fields.get(field_name)
    alias = field.validation_alias if field else None
    return alias if isinstance(alias, str) else field_name


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or a `StartupError` naming the first bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        variable = name if name.isupper() else _variable(Settings, name)
        raise StartupError(f"{variable}: {first['msg']}") from None
