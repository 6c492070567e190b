"""`configure_logging` as `chotdon serve` runs it, in a fresh Python process: the masks of
`tests/unit/test_log_redaction.py` installed on the real root logger, with the environment
a process starts with."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import clean_environment

CONFIGURED = """
import logging
from chotdon.serve import configure_logging
from chotdon.settings import Settings
settings = Settings(_env_file=None)
configure_logging(settings)
logging.getLogger("chotdon.x").warning("calling with %s", "SeCrEt-ghn-1234")
logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot1:abc/getMe")
logging.getLogger("httpx").warning("kept: GET https://x.example/?access_token=SeCrEt-page")
"""


def test_configure_logging_masks_secrets_quiets_libraries_and_names_short_secrets(tmp_path):
    env = clean_environment(GHN_TOKEN="SeCrEt-ghn-1234", CHOTDON_API_TOKEN="short")
    done = subprocess.run(
        [sys.executable, "-c", CONFIGURED],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "SeCrEt" not in done.stderr
    assert "calling with ***" in done.stderr
    assert "HTTP Request" not in done.stderr  # httpx's INFO line per call is off
    assert "kept: GET https://x.example/?access_token=***" in done.stderr
    assert "CHOTDON_API_TOKEN is shorter than 8 characters" in done.stderr
    assert "short" not in done.stderr.replace("is shorter", "")
