"""A typed Vietnamese address read into street, ward and province, by the official lists.

Staff type addresses the way buyers say them: `12 Lý Thường Kiệt, P. Cửa Nam, HN`, with or
without accents, commas or the words "phường" and "thành phố". Carriers want the official names,
so the province and the ward are looked up in `vietnam-provinces` (the two-level divisions in
force since July 2025) and written as the list spells them; what is left before the ward is
the street line, as typed. Words between the ward and the province (an old district, "Quận 1")
are kept as the district, since older carrier tables still ask for one.

Reading is by words from the end: the province is the last words, the ward the nearest words
before them that name a ward of that province. Anything unclear is refused with a message that
says what was missing and, for a ward, the nearest names, rather than guessed.

Buyers still write the units that were abolished in 2025: an old province (`Bình Dương`) reads
as the province it is now part of, and an address that ends with an old district (`Q1`, `Quận
3`, `Gò Vấp`, `Cầu Giấy`) and no province takes the province of that district, when only one
province has a district of that name. Those old names are in `data/old_districts.json`, made by
`tools/old_districts.py` from an older `vietnam-provinces` release and Resolution 202/2025/QH15.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, TypeVar

from vietnam_provinces import Province, ProvinceCode, Ward

from kernel.collation import Key, clean_name, vietnamese_key
from orders.errors import InvalidInput, Reason

# Words that only say what kind of division follows; typed or not, they match the same name.
PROVINCE_KINDS: Final = (("thanh", "pho"), ("tp",), ("tinh",), ("t",))
WARD_KINDS: Final = (("phuong",), ("p",), ("xa",), ("x",), ("f",), ("dac", "khu"), ("thi", "tran"))
DISTRICT_KINDS: Final = (
    ("quan",),
    ("q",),
    ("huyen",),
    ("h",),
    ("thi", "xa"),
    ("tx",),
    ("thanh", "pho"),
    ("tp",),
)
# How people write the big cities in a hurry.
PROVINCE_ALIASES: Final = {
    "hn": "ha noi",
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "sg": "ho chi minh",
    "hp": "hai phong",
    "tphn": "ha noi",
}
# The words of an official name that say its kind, left out when pickers sort by name.
OFFICIAL_PROVINCE_KINDS: Final = (("thanh", "pho"), ("tinh",))
OFFICIAL_WARD_KINDS: Final = (("phuong",), ("xa",), ("dac", "khu"), ("thi", "tran"))
LONGEST_NAME_WORDS: Final = 7
T = TypeVar("T")
_WORD = re.compile(r"\w+")
# `P5`, `F4`, `Q1` glued: the kind and the number of a ward or district, read as two words.
_GLUED_KIND = re.compile(r"([pfq])([0-9]{1,2})")
_TRIM = " \t,;.-–/"


class AddressError(InvalidInput):
    """An address that cannot be read: `reason` is no_province, no_ward or no_street; `near`
    the ward names closest to what was typed (no_ward only)."""

    @property
    def near(self) -> tuple[str, ...]:
        near = self.params.get("near")
        return tuple(str(name) for name in near) if isinstance(near, list) else ()


@dataclass(frozen=True)
class Address:
    street: str
    ward: str
    district: str
    province: str


def fold(text: str) -> str:
    """Lower case without accents (`Đà Nẵng` -> `da nang`), for matching only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_WORD.findall(bare.casefold()))


def _core(name: str, kinds: Sequence[tuple[str, ...]]) -> str:
    """`Phường Cửa Nam` -> `cua nam`: the name without the words saying its kind."""
    words = fold(name).split()
    for kind in kinds:
        if len(words) > len(kind) and tuple(words[: len(kind)]) == kind:
            return " ".join(words[len(kind) :])
    return " ".join(words)


@dataclass(frozen=True)
class _OldUnits:
    provinces: dict[str, int]  # folded name of a pre-2025 province -> code of its province now
    districts: dict[str, tuple[int, ...]]  # folded name of a pre-2025 district -> those codes


@cache
def _old_units() -> _OldUnits:
    text = resources.files("orders").joinpath("data/old_districts.json").read_text("utf-8")
    data = json.loads(text)
    return _OldUnits(
        provinces={str(k): int(v) for k, v in data["provinces"].items()},
        districts={str(k): tuple(int(c) for c in v) for k, v in data["districts"].items()},
    )


@cache
def _provinces() -> dict[str, Province]:
    table = {_core(p.name, PROVINCE_KINDS): p for p in Province.iter_all()}
    for old, code in _old_units().provinces.items():
        table.setdefault(old, Province.from_code(ProvinceCode(code)))
    for alias, core in PROVINCE_ALIASES.items():
        table[alias] = table[core]
    return table


@cache
def place_names() -> frozenset[str]:
    """Folded names of provinces (now and before 2025), their shorthand and old districts:
    words that say a comment's text is an address (`gửi Gò Vấp`)."""
    names = set(_provinces()) | set(_old_units().districts)
    return frozenset(name for name in names if not name.split()[-1].isdigit())


@cache
def _wards(province_code: int) -> dict[str, Ward]:
    """By the name without its kind and by the full name, so `Xã Tân Hòa` and `Phường Tân
    Hòa` of one province stay apart when the kind is typed."""
    table: dict[str, Ward] = {}
    every = list(Ward.iter_by_province(ProvinceCode(province_code)))
    for ward in every:
        table.setdefault(_core(ward.name, WARD_KINDS), ward)
    for ward in every:
        table[fold(ward.name)] = ward
    return table


def picker_key(name: str, kinds: Sequence[tuple[str, ...]]) -> tuple[Key, Key]:
    """Where a name goes in a picker: by the name without its kind (`Phường Ánh Sáng` under
    `A`, `Thành phố Hà Nội` under `H`) in Vietnamese order, then by the whole name (`Phường
    Tân Hòa` beside `Xã Tân Hòa`)."""
    words = name.split()
    for kind in kinds:
        size = len(kind)
        if len(words) > size and tuple(fold(word) for word in words[:size]) == kind:
            return vietnamese_key(" ".join(words[size:])), vietnamese_key(name)
    return vietnamese_key(name), vietnamese_key(name)


@cache
def _sorted_provinces() -> tuple[tuple[int, str], ...]:
    named = [(int(p.code), clean_name(p.name)) for p in Province.iter_all()]
    return tuple(sorted(named, key=lambda pair: picker_key(pair[1], OFFICIAL_PROVINCE_KINDS)))


def provinces() -> list[tuple[int, str]]:
    """(code, official name) of every province, in Vietnamese order by name without `Thành
    phố`/`Tỉnh`, for pickers."""
    return list(_sorted_provinces())


@cache
def _sorted_wards(province_code: int) -> tuple[tuple[int, str], ...]:
    every = Ward.iter_by_province(ProvinceCode(province_code))
    named = [(int(w.code), clean_name(w.name)) for w in every]
    return tuple(sorted(named, key=lambda pair: picker_key(pair[1], OFFICIAL_WARD_KINDS)))


def wards(province_code: int) -> list[tuple[int, str]]:
    """(code, official name) of the wards of one province, in Vietnamese order by name
    without the kind, for pickers. Names are cleaned (single spaces) as everywhere here."""
    return list(_sorted_wards(province_code))


@dataclass(frozen=True)
class _Word:
    folded: str
    start: int
    end: int


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for m in _WORD.finditer(text):
        folded = fold(m.group())
        glued = _GLUED_KIND.fullmatch(folded)
        if glued is not None:  # `P5` -> `p` `5`, so the kinds below read it
            words.append(_Word(glued[1], m.start(), m.start() + 1))
            words.append(_Word(glued[2], m.start() + 1, m.end()))
        else:
            words.append(_Word(folded, m.start(), m.end()))
    return words


def _match_end(
    words: Sequence[_Word], end: int, table: dict[str, T], kinds: Sequence[tuple[str, ...]]
) -> tuple[int, T] | None:
    """The longest run of words ending at `end` that names an entry of `table`: where it
    starts (a kind typed before it, `P.` or `Thành phố`, included) and the entry; None if
    there is none."""
    for start in range(max(0, end - LONGEST_NAME_WORDS), end):
        entry = table.get(" ".join(word.folded for word in words[start:end]))
        if entry is not None:
            return start - _kind_before(words, start, kinds), entry
    return None


def _kind_before(words: Sequence[_Word], start: int, kinds: Sequence[tuple[str, ...]]) -> int:
    """How many words before `start` say the kind of division (one kind, not a run)."""
    for kind in kinds:
        size = len(kind)
        if start >= size and tuple(w.folded for w in words[start - size : start]) == kind:
            return size
    return 0


def _old_district_end(words: Sequence[_Word], end: int) -> tuple[int, Province] | None:
    """An old district named by the words ending at `end` (`Quận 1`, `Q.3`, `Gò Vấp`), when
    only one province has a district of that name: where it starts, and that province."""
    districts = _old_units().districts
    for start in range(max(0, end - LONGEST_NAME_WORDS), end):
        name = " ".join(word.folded for word in words[start:end])
        if name.isdigit():  # `Q1`, `Q.1`: a number is a district only after its kind
            if start == 0 or words[start - 1].folded not in ("q", "quan"):
                continue
            start -= 1
            name = f"quan {name}"
        codes = districts.get(name)
        if codes is None:
            continue
        if len(codes) != 1:
            return None
        return start - _kind_before(words, start, DISTRICT_KINDS), Province.from_code(
            ProvinceCode(codes[0])
        )
    return None


def read_address(text: str) -> Address:
    """The street, ward, district and province of a typed address; InvalidInput says what is
    missing or unknown."""
    typed = unicodedata.normalize("NFC", text).strip()
    words = _words(typed)
    found = _match_end(words, len(words), _provinces(), PROVINCE_KINDS)
    district_end = len(typed)
    if found is not None:
        district_end = words[found[0]].start
    else:
        found = _old_district_end(words, len(words))
    if found is None:
        raise AddressError(Reason.NO_PROVINCE, field="address")
    province_start, province = found
    wards_by_name = _wards(int(province.code))
    for end in range(province_start, 0, -1):
        ward_found = _match_end(words, end, wards_by_name, WARD_KINDS)
        if ward_found is None:
            continue
        ward_start, ward = ward_found
        street = typed[: words[ward_start].start].strip(_TRIM)
        district = typed[words[end - 1].end : district_end].strip(_TRIM)
        if not street:
            raise AddressError(Reason.NO_STREET, field="address")
        return Address(street, clean_name(ward.name), district, clean_name(province.name))
    raise _no_ward(words[:province_start], province, wards_by_name)


def _no_ward(words: Sequence[_Word], province: Province, table: dict[str, Ward]) -> AddressError:
    tail = " ".join(word.folded for word in words[-3:])
    close = difflib.get_close_matches(tail, list(table), n=3)
    near = [clean_name(table[name].name) for name in close]
    return AddressError(
        Reason.NO_WARD,
        field="address",
        province=clean_name(province.name),
        near=list(dict.fromkeys(near)),
    )


def written_address(text: str) -> tuple[Address, bool]:
    """A buyer's address as the order keeps it: read into ward and province when the lists
    know it (False), else kept whole as the street line for staff to check (True). Never
    refuses: what a buyer wrote is not thrown away."""
    try:
        return read_address(text), False
    except AddressError:
        typed = " ".join(unicodedata.normalize("NFC", text).split())
        return Address(street=typed, ward="", district="", province=""), True
