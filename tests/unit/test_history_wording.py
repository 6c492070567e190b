"""The order history as staff read it, from events stored in machine words. Pure."""

from __future__ import annotations

import pytest

from application.wording.history import history_line

CREATE = {
    "at": "2026-03-14T03:00:00+00:00",
    "actor": "facebook",
    "source": "system",
    "action": "create",
    "from_status": None,
    "to_status": "draft",
    "details": {"source": "livestream"},
}
EDIT = {
    "actor": "Lan",
    "source": "staff",
    "action": "edit",
    "from_status": "draft",
    "to_status": "draft",
    "details": {"fields": ["buyer_phone", "street", "ward"]},
}
CARRIER = {
    "actor": "ghn",
    "source": "carrier",
    "action": "carrier_status",
    "from_status": "shipping",
    "to_status": "shipping",
    "details": {"raw_status": "return", "status": "returned", "not_applied": "manual override"},
}
SHIP = {
    "actor": "Lan",
    "source": "staff",
    "action": "ship",
    "from_status": "draft",
    "to_status": "draft",
    "details": {"shipper": "ghtk", "requested": True, "attempt": 1},
}


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
    line = history_line({"action": "teleported", "details": {"to": "moon"}}, "vi")
    assert line.text == "teleported · to: moon"
