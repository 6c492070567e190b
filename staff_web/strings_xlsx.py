"""The words of the orders list's Excel export link, Vietnamese and English, with the same
keys; `staff_web.strings.labels` merges them into the pages' table. The file's own words are
`application.wording.xlsx`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

XLSX: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "xlsx.export": "Xuất Excel",
        "xlsx.export_title": "Tải {count} đơn của tab này (theo bộ lọc) về file Excel",
    },
    "en": {
        "xlsx.export": "Export to Excel",
        "xlsx.export_title": "Download the {count} orders of this tab (as filtered) in Excel",
    },
}
