"""The order history as staff read it, from events stored in machine words. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.wording.history import history_line
from tests.order_views import event

CREATE = event(
    "create",
    at=datetime(2026, 3, 14, 3, 0, tzinfo=UTC),
    actor="facebook",
    source="system",
    from_status=None,
    to_status="draft",
    details={"source": "livestream"},
)
EDIT = event(
    "edit",
    at=None,
    actor="Lan",
    source="staff",
    from_status="draft",
    to_status="draft",
    details={"fields": ["buyer_phone", "street", "ward"]},
)
CARRIER = event(
    "carrier_status",
    at=None,
    actor="ghn",
    source="carrier",
    from_status="shipping",
    to_status="shipping",
    details={"raw_status": "return", "status": "returned", "not_applied": "manual override"},
)
SHIP = event(
    "ship",
    at=None,
    actor="Lan",
    source="staff",
    from_status="draft",
    to_status="draft",
    details={"shipper": "ghtk", "requested": True, "attempt": 1},
)


@pytest.mark.parametrize(
    ("event", "language", "source", "said"),
    [
        (CREATE, "vi", "Hệ thống", "Tạo nháp: → Nháp · Nguồn: Livestream"),
        (CREATE, "en", "System", "Draft created: → Draft · Source: Livestream"),
        (EDIT, "vi", "Nhân viên", "Sửa: số điện thoại, địa chỉ, phường/xã"),
        (EDIT, "en", "Staff", "Edit: phone, address, ward"),
        (
            CARRIER,
            "vi",
            "Hãng vận chuyển",
            "Hãng báo trạng thái · Trạng thái hãng: return · Trạng thái: Đã hoàn"
            " · Không áp dụng: đã đổi trạng thái tay",
        ),
        (
            SHIP,
            "en",
            "Staff",
            "Ship · Shipper: GHTK · Asked the carrier · Attempt: 1",
        ),
    ],
)
def test_each_event_reads_in_the_shops_language(event, language, source, said):
    line = history_line(event, language)
    assert (line.source, line.text) == (source, said)


def test_an_event_kind_nobody_named_yet_still_shows_its_words():
    line = history_line(event("teleported", at=None, details={"to": "moon"}), "vi")
    assert line.text == "teleported · to: moon"
