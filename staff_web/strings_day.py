"""The pages' words for a shop's day after the live (issue 16): why a line needs checking and
accepting it, the ward filter, the read-only edit page, the action bar's "more" menu and the
question before collecting COD. Vietnamese first, English second, the same keys (tested);
`staff_web.strings.labels` adds them to every page's table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

DAY: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "review.accept": "Đồng ý",
        "review.accept_title": "Đồng ý cách đọc này, bỏ dấu cần kiểm tra",
        "review.pick_item": "Chọn sản phẩm ở trang sửa đơn",
        "done.accept_line": "Đã đồng ý dòng cần kiểm tra.",
        "review.not_found": "Dòng này không còn cần kiểm tra (đã được xử lý). Đây là đơn hiện tại.",
        "edit.ward_filter": "Gõ để lọc phường/xã",
        "edit.read_only": "Chỉ xem: đơn ở trạng thái {status} không sửa được.",
        "edit.more": "Thêm",
        "confirm.collect_cod": "Đã nhận {amount} tiền thu hộ của đơn {code}?",
        "confirm.cancel": "Hủy đơn {code}?",
    },
    "en": {
        "review.accept": "Accept",
        "review.accept_title": "Accept this reading and clear the mark",
        "review.pick_item": "Pick the item on the edit page",
        "done.accept_line": "Line accepted as read.",
        "review.not_found": "This line no longer needs checking (already handled). "
        "Here is the order as it is now.",
        "edit.ward_filter": "Type to filter wards",
        "edit.read_only": "Read only: an order in status {status} cannot be edited.",
        "edit.more": "More",
        "confirm.collect_cod": "Collected {amount} COD for order {code}?",
        "confirm.cancel": "Cancel order {code}?",
    },
}
