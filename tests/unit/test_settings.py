"""Settings as CONTRACT.md names them: defaults, and one clear line for a bad value."""

from __future__ import annotations

import pytest

from chotdon.errors import StartupError
from chotdon.settings import load_settings

VARIABLES = [
    "CHOTDON_DATABASE_URL", "CHOTDON_PUBLIC_URL", "CHOTDON_API_TOKEN", "CHOTDON_LANGUAGE",
    "CHOTDON_SHOP_NAME", "TELEGRAM_BOT_TOKEN", "TELEGRAM_STAFF_CHAT_ID", "TELEGRAM_API_URL",
    "GHN_TOKEN", "GHN_SHOP_ID", "GHTK_TOKEN", "VIETTELPOST_TOKEN", "AHAMOVE_TOKEN", "PORT",
    "GHN_API_URL", "SHOP_HANDOFF_URL", "CHOTDON_AUTO_MIGRATE", "CHOTDON_HIDE_PHONE_COMMENTS",
    "CHOTDON_PRIVATE_REPLY", "CHOTDON_LIVE_GRACE_MINUTES", "CHOTDON_DELIVERY_INSTRUCTION",
]  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_contracts():
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./chotdon.db"
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.api_token is None
    assert settings.language == "vi"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.facebook_graph_url == "https://graph.facebook.com"
    assert settings.auto_migrate is True
    assert settings.configured_carriers() == []
    assert (settings.hide_phone_comments, settings.private_reply) == (True, False)
    assert settings.live_grace_minutes == 10
    assert settings.delivery_instruction == "allow_viewing"


def test_a_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("CHOTDON_SHOP_NAME=Shop Hoa\nGHTK_TOKEN=abc\n")
    settings = load_settings()
    assert settings.shop_name == "Shop Hoa"
    assert settings.configured_carriers() == ["ghtk"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_STAFF_CHAT_ID", "the-group"),
        ("GHN_API_URL", "online-gateway.ghn.vn"),
        ("CHOTDON_DATABASE_URL", "mysql://localhost/x"),
        ("CHOTDON_LANGUAGE", "fr"),
        ("PORT", "http"),
        ("CHOTDON_AUTO_MIGRATE", "perhaps"),
        ("CHOTDON_LIVE_GRACE_MINUTES", "-5"),
        ("CHOTDON_DELIVERY_INSTRUCTION", "leave_at_door"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(StartupError) as stop:
        load_settings()
    message = str(stop.value)
    assert message.startswith(f"{variable}:") and "\n" not in message


def test_empty_values_mean_unset(monkeypatch):
    monkeypatch.setenv("TELEGRAM_STAFF_CHAT_ID", "")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", " ")
    settings = load_settings()
    assert settings.telegram_staff_chat_id is None and settings.telegram_bot_token is None


def test_auto_migrate_can_be_turned_off_and_port_is_read(monkeypatch):
    monkeypatch.setenv("CHOTDON_AUTO_MIGRATE", "0")
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.setenv("TELEGRAM_STAFF_CHAT_ID", "-1001234567890")
    settings = load_settings()
    assert settings.auto_migrate is False and settings.port == 5000
    assert settings.telegram_staff_chat_id == -1001234567890


@pytest.mark.parametrize(
    ("variables", "url"),
    [
        ({}, "http://127.0.0.1:8080"),
        ({"PORT": "8093"}, "http://127.0.0.1:8093"),
        ({"PORT": "8093", "CHOTDON_PUBLIC_URL": "https://shop.example/"}, "https://shop.example"),
    ],
)
def test_the_cli_reaches_the_service_on_its_port_unless_a_public_url_is_set(
    monkeypatch, variables, url
):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert load_settings().service_url() == url
