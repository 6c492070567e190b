"""The masks behind "no secret in any log line", on generated secrets, URLs and records: a
configured secret in any spelling, a secret a URL carries by place, an access-log line for any
request target, and `configure_logging` as `chotdon serve` runs it."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote, quote_plus

from aiohttp.test_utils import make_mocked_request
from aiohttp.web import Response
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from chotdon.access_log import AccessLog
from chotdon.log_redaction import (
    MASK,
    MIN_SECRET_LENGTH,
    SENSITIVE_PARAMETERS,
    SecretFilter,
    SecretMask,
    redact_url,
)

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
URL_SAFE = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1)
secrets = st.text(min_size=MIN_SECRET_LENGTH, max_size=40).filter(lambda s: MASK[0] not in s)


def spellings(secret: str) -> set[str]:
    encoded = quote(secret, safe="", errors="surrogatepass")
    return {
        secret,
        encoded,
        re.sub("%[0-9A-F]{2}", lambda hex_: hex_.group().lower(), encoded),
        quote(secret, errors="surrogatepass"),
        quote_plus(secret, errors="surrogatepass"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }


@FEW
@given(secret=secrets, before=st.text(max_size=30), after=st.text(max_size=30))
@example(secret="SeCrEt-verify+7f3a/Qx=9", before="?hub.verify_token=", after="&x=1")
@example(secret="mật-khẩu shop 2026", before='{"k": "', after='"}')
@example(secret="\udcff-from-bad-bytes", before="", after="")
@example(secret="000000'\"", before="", after="")
def test_a_configured_secret_is_masked_however_it_is_spelled(secret, before, after):
    mask = SecretMask.of([secret, "another-secret-value"])
    for spelling in spellings(secret):
        line = mask.redact(f"{before}{spelling}{after}")
        assert spelling not in line, (spelling, line)
        assert MASK in line


@FEW
@given(secret=st.text(max_size=MIN_SECRET_LENGTH - 1))
def test_a_short_secret_is_not_masked_by_value(secret):
    assume(secret and secret not in "***")
    assert SecretMask.of([secret]).pattern is None


@FEW
@given(
    name=st.sampled_from(sorted(SENSITIVE_PARAMETERS)),
    upper=st.booleans(),
    value=st.text(min_size=1, max_size=40),
)
@example(name="hub.verify_token", upper=False, value="guess")
@example(name="token", upper=True, value="a&b")
def test_a_query_value_of_a_sensitive_name_is_masked(name, upper, value):
    name = name.upper() if upper else name
    encoded = quote(value, safe="", errors="surrogatepass")
    line = redact_url(f'"GET /webhooks/x?a=1&{name}={encoded}&hub.challenge=42 HTTP/1.1" 401')
    assert f"{name}={MASK}&" in line
    assert "?a=1&" in line and "&hub.challenge=42 " in line  # the rest is still there


@FEW
@given(token=URL_SAFE, bot_id=st.integers(1, 10**12), rest=st.sampled_from(["", "?next=/", "/x"]))
def test_login_and_bot_api_tokens_in_paths_are_masked(token, bot_id, rest):
    assert redact_url(f"GET /login/{token}{rest} HTTP/1.1") == f"GET /login/{MASK}{rest} HTTP/1.1"
    for path in (f"/bot{bot_id}:{token}{rest}", f"/file/bot{bot_id}:{token}{rest}"):
        assert f":{token}" not in redact_url(f"POST https://api.telegram.org{path}")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@FEW
@given(
    name=st.sampled_from(sorted(SENSITIVE_PARAMETERS)),
    value=URL_SAFE,
    path=st.sampled_from(["/webhooks/carriers/ghn", "/api/orders", "/"]),
)
def test_the_access_log_masks_every_request_line_and_referer(name, value, path):
    value = "v-" + value  # never a bare digit, which a status code could spell
    logger = logging.getLogger(f"test.access.{id(value)}")
    lines = Lines()
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    target = f"{path}?{name}={value}&page=2"
    request = make_mocked_request(
        "GET", target, headers={"Referer": f"https://shop.example/login/{value}"}
    )
    try:
        AccessLog(logger).log(request, Response(status=401), 0.01)
    finally:
        logger.removeHandler(lines)
    [line] = lines.lines
    assert f"={value}" not in line and f"/{value}" not in line
    assert f"{path}?{name}={MASK}&page=2" in line and f"/login/{MASK}" in line


@FEW
@given(message=st.text(max_size=40), args=st.lists(st.text(max_size=10), max_size=3))
def test_the_filter_never_drops_a_record_nor_raises(message, args):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, message, tuple(args), None)
    assert SecretFilter(SecretMask.of(["the-secret-value"])).filter(record) is True


def test_a_secret_in_an_exception_is_masked_in_its_traceback():
    logger = logging.getLogger("test.exception.secret")
    lines = Lines()
    lines.addFilter(SecretFilter(SecretMask.of(["SeCrEt-in-a-traceback"])))
    logger.addHandler(lines)
    logger.propagate = False
    try:
        raise ValueError("token SeCrEt-in-a-traceback refused at /login/abcdef")
    except ValueError:
        logger.exception("failed")
    finally:
        logger.removeHandler(lines)
    [line] = lines.lines
    assert "SeCrEt" not in line and "abcdef" not in line
    assert "ValueError: token *** refused at /login/***" in line


def test_a_tracking_pages_token_is_masked() -> None:
    """Whoever reads the log must not be able to open a buyer's page."""
    line = redact_url("GET /t/Xy_9-abcdefghijklmnopq HTTP/1.1")
    assert line == f"GET /t/{MASK} HTTP/1.1"
