"""Build `orders/data/old_districts.json`: the districts and provinces in force before July 2025,
each pointing at the province (of the 34) it belongs to now.

Buyers still write `Quận 1`, `Q.3`, `Cầu Giấy` or `Bình Dương`, and often no province; the
installed `vietnam-provinces` (2025.x) only knows the 34 provinces and their wards. The old
districts come from an older release of the same package, whose data has them:

    pip download vietnam-provinces==0.6.0 --no-deps -d /tmp/vp
    unzip -o /tmp/vp/vietnam_provinces-0.6.0-py3-none-any.whl -d /tmp/vp
    python -m tools.old_districts /tmp/vp/vietnam_provinces/data/nested-divisions.json

The old province -> new province table is Resolution 202/2025/QH15 (arrangement of provincial
units), written out below by hand. Run it again only if either source changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from orders.addresses import PROVINCE_KINDS, fold

OUT = Path(__file__).resolve().parent.parent / "orders" / "data" / "old_districts.json"

# Resolution 202/2025/QH15: each of the 34 provinces (by its 2025 code) and the pre-2025
# provinces it was made of (as the old lists name them, without "Tỉnh"/"Thành phố").
MERGED_INTO: dict[int, tuple[str, ...]] = {
    1: ("Hà Nội",),
    4: ("Cao Bằng",),
    8: ("Tuyên Quang", "Hà Giang"),
    11: ("Điện Biên",),
    12: ("Lai Châu",),
    14: ("Sơn La",),
    15: ("Lào Cai", "Yên Bái"),
    19: ("Thái Nguyên", "Bắc Kạn"),
    20: ("Lạng Sơn",),
    22: ("Quảng Ninh",),
    24: ("Bắc Ninh", "Bắc Giang"),
    25: ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    31: ("Hải Phòng", "Hải Dương"),
    33: ("Hưng Yên", "Thái Bình"),
    37: ("Ninh Bình", "Hà Nam", "Nam Định"),
    38: ("Thanh Hóa",),
    40: ("Nghệ An",),
    42: ("Hà Tĩnh",),
    44: ("Quảng Trị", "Quảng Bình"),
    46: ("Huế", "Thừa Thiên Huế"),
    48: ("Đà Nẵng", "Quảng Nam"),
    51: ("Quảng Ngãi", "Kon Tum"),
    52: ("Gia Lai", "Bình Định"),
    56: ("Khánh Hòa", "Ninh Thuận"),
    66: ("Đắk Lắk", "Phú Yên"),
    68: ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    75: ("Đồng Nai", "Bình Phước"),
    79: ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    80: ("Tây Ninh", "Long An"),
    82: ("Đồng Tháp", "Tiền Giang"),
    86: ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    91: ("An Giang", "Kiên Giang"),
    92: ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    96: ("Cà Mau", "Bạc Liêu"),
}
# Older names people still write, gone before the 0.6.0 lists were made.
EXTRA_DISTRICTS: dict[str, int] = {
    "quan 2": 79,  # merged into Thủ Đức city in 2021
    "quan 9": 79,
    "vung tau": 79,
}
EXTRA_PROVINCES: dict[str, int] = {
    "ba ria vung tau": 79,
    "vung tau": 79,
    "binh duong": 79,
    "thua thien hue": 46,
    "hue": 46,
}
DISTRICT_KINDS = (("quan",), ("huyen",), ("thi", "xa"), ("thanh", "pho"))


def core(name: str, kinds: tuple[tuple[str, ...], ...]) -> str:
    words = fold(name).split()
    for kind in kinds:
        if len(words) > len(kind) and tuple(words[: len(kind)]) == kind:
            rest = words[len(kind) :]
            # `Quận 1` keeps its kind: a bare `1` is no district.
            return " ".join(words if rest[0].isdigit() else rest)
    return " ".join(words)


def build(nested: list[dict[str, Any]]) -> dict[str, Any]:
    new_of = {fold(old): code for code, olds in MERGED_INTO.items() for old in olds}
    provinces: dict[str, int] = dict(EXTRA_PROVINCES)
    districts: dict[str, set[int]] = {name: {code} for name, code in EXTRA_DISTRICTS.items()}
    for province in nested:
        name = core(str(province["name"]), PROVINCE_KINDS)
        new_code = new_of[name]  # a KeyError here: the merger table misses a province
        provinces[name] = new_code
        for district in province["districts"]:
            districts.setdefault(core(district["name"], DISTRICT_KINDS), set()).add(new_code)
    if len(provinces) < len(nested):
        raise SystemExit("two old provinces share a name")
    return {
        "source": "vietnam-provinces 0.6.0 districts; Resolution 202/2025/QH15 mergers",
        "provinces": dict(sorted(provinces.items())),
        "districts": {name: sorted(codes) for name, codes in sorted(districts.items())},
    }


def main(argv: list[str]) -> None:
    nested = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    data = build(nested)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['provinces'])} provinces, {len(data['districts'])} districts")


if __name__ == "__main__":
    main(sys.argv)
