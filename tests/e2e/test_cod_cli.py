"""`chotdon cod import FILE` as a cashier types it: a real process on a real database file with
orders a carrier delivered, the report it prints in the shop's language, and its exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from application.services import OrderService
from chotdon.migrate import upgrade
from kernel.database import create_engine, session_factory
from tests.cod_orders import (
    COD,
    HEADER,
    VIETNAMESE_HEADER,
    csv_bytes,
    delivered,
    in_days,
    xlsx_bytes,
)
from tests.conftest import in_thread
from tests.factories import seed_items
from tests.helpers import clean_environment


def chotdon(directory: Path, url: str, *args: str, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chotdon", *args],
        cwd=directory,
        env=clean_environment(CHOTDON_DATABASE_URL=url, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _seed(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        await seed_items(session_factory(engine))
        service = OrderService(session_factory(engine))
        orders = {code: (await delivered(service, code)).id for code in ("GHNC1", "GHNC2", "GHNC3")}
    finally:
        await engine.dispose()
    return orders


async def _statuses(url: str, ids: dict[str, int]) -> dict[str, str]:
    engine = create_engine(url)
    try:
        service = OrderService(session_factory(engine))
        return {code: (await service.detail(order_id)).status for code, order_id in ids.items()}
    finally:
        await engine.dispose()


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, str, dict[str, int]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chotdon.db'}"
    upgrade(url)
    return tmp_path, url, in_thread(_seed(url))


def test_a_statement_file_is_reconciled_and_reported_in_vietnamese(shop) -> None:
    directory, url, ids = shop
    file = directory / "ghn.csv"
    file.write_bytes(
        csv_bytes(
            [
                VIETNAMESE_HEADER,
                ("GHNC1", "330.000", "15.000", in_days(5)),
                ("GHNC2", "300.000", "15.000", in_days(5)),
                ("KHONGCO", "100.000", "0", in_days(5)),
            ],
            bom=True,
        )
    )
    result = chotdon(directory, url, "cod", "import", str(file))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(
        "Bảng đối soát ghn.csv: 1 đơn đã thu COD (330.000 ₫, phí 15.000 ₫), 0 đơn đã thu từ "
        "trước, 1 dòng lệch, 1 dòng không rõ, 1 đơn thiếu."
    ), out
    assert "Số tiền thu hộ khác với công nợ của đơn: công nợ 330.000 ₫, bảng ghi 300.000 ₫" in out
    assert "dòng 4  KHONGCO  Không có đơn nào có mã vận đơn này" in out
    assert "GHNC3" in out and "Đã giao hơn 3 ngày mà bảng đối soát không có" in out
    assert in_thread(_statuses(url, ids)) == {
        "GHNC1": "complete",
        "GHNC2": "wait_for_cod",
        "GHNC3": "wait_for_cod",
    }

    again = chotdon(directory, url, "cod", "import", str(file), CHOTDON_LANGUAGE="en")
    assert again.returncode == 0, again.stderr
    assert "0 orders collected (0 VND, fees 0 VND), 1 already collected" in again.stdout


def test_an_xlsx_file_through_the_cli(shop) -> None:
    directory, url, ids = shop
    file = directory / "ghn.xlsx"
    file.write_bytes(xlsx_bytes([HEADER, ("GHNC3", COD, 9_000, in_days(0))], title="GHN"))
    result = chotdon(directory, url, "cod", "import", str(file), CHOTDON_LANGUAGE="en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Statement ghn.xlsx: 1 orders collected (330,000 VND")
    assert in_thread(_statuses(url, ids))["GHNC3"] == "complete"


def test_a_refused_file_exits_non_zero_with_one_line(shop) -> None:
    directory, url, ids = shop
    file = directory / "khong-tieu-de.csv"
    file.write_bytes(csv_bytes([("GHNC1", COD)]))
    result = chotdon(directory, url, "cod", "import", str(file))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "chotdon: Không nhận file khong-tieu-de.csv: Không tìm thấy dòng tiêu đề"
    ), result.stderr
    assert in_thread(_statuses(url, ids))["GHNC1"] == "wait_for_cod"

    missing = chotdon(directory, url, "cod", "import", str(directory / "nope.csv"))
    assert missing.returncode == 1 and "Cannot read" in missing.stderr
