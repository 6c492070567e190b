"""Typed addresses read into the official ward and province (`orders.addresses`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.addresses import (
    Address,
    AddressError,
    fold,
    place_names,
    provinces,
    read_address,
    wards,
    written_address,
)

HANOI = "Thành phố Hà Nội"
HCM = "Thành phố Hồ Chí Minh"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "12 Lý Thường Kiệt, Phường Cửa Nam, Thành phố Hà Nội",
            Address("12 Lý Thường Kiệt", "Phường Cửa Nam", "", HANOI),
        ),
        (
            "12 ly thuong kiet p cua nam hn",
            Address("12 ly thuong kiet", "Phường Cửa Nam", "", HANOI),
        ),
        (
            "45 Nguyễn Huệ, P. Bến Thành, Quận 1, TP.HCM",
            Address("45 Nguyễn Huệ", "Phường Bến Thành", "Quận 1", HCM),
        ),
        ("Số 3 ngõ 5, xã Bát Tràng, Hà Nội", Address("Số 3 ngõ 5", "Xã Bát Tràng", "", HANOI)),
        (
            "1 Trần Phú, Phường Thành Sen, Hà Tĩnh",
            Address("1 Trần Phú", "Phường Thành Sen", "", "Hà Tĩnh"),
        ),
        (
            "1 Trần Phú,Thành Sen,Tỉnh Hà Tĩnh",
            Address("1 Trần Phú", "Phường Thành Sen", "", "Hà Tĩnh"),
        ),
    ],
)
def test_addresses_as_people_type_them(typed: str, expected: Address) -> None:
    assert read_address(typed) == expected


def test_decomposed_accents_read_the_same() -> None:
    import unicodedata

    typed = unicodedata.normalize("NFD", "12 Lý Thường Kiệt, Phường Cửa Nam, Hà Nội")
    assert read_address(typed).ward == "Phường Cửa Nam"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12 Lý Thường Kiệt, Phường Cửa Nam", "no_province"),
        ("Phường Cửa Nam, Hà Nội", "no_street"),
        ("12 Lý Thường Kiệt, Phường Cửa Nan, Hà Nội", "no_ward"),
        ("", "no_province"),
    ],
)
def test_what_is_missing_is_said(typed: str, reason: str) -> None:
    with pytest.raises(AddressError) as refused:
        read_address(typed)
    assert refused.value.reason == reason
    assert refused.value.field == "address"


def test_a_misspelt_ward_gets_the_nearest_names() -> None:
    with pytest.raises(AddressError) as refused:
        read_address("12 Lý Thường Kiệt, Phường Cửa Nan, Hà Nội")
    assert "Phường Cửa Nam" in refused.value.near


def test_pickers_list_every_province_and_its_wards() -> None:
    listed = dict(provinces())
    assert len(listed) == 34 and HANOI in listed.values()
    hanoi = next(code for code, name in listed.items() if name == HANOI)
    assert "Phường Cửa Nam" in dict(wards(hanoi)).values()


def test_fold_drops_accents_and_case() -> None:
    assert fold("Đà Nẵng, P. Hải Châu") == "da nang p hai chau"


@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_with_an_address_error(typed: str) -> None:
    try:
        address = read_address(typed)
    except AddressError as error:
        assert str(error)
    else:
        assert address.street and address.ward and address.province


# -- old districts and provinces, as buyers still write them ---------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("45 Lê Lợi P. Bến Thành Q1", Address("45 Lê Lợi", "Phường Bến Thành", "Q1", HCM)),
        ("45 Lê Lợi, P Bến Thành, Q.1", Address("45 Lê Lợi", "Phường Bến Thành", "Q.1", HCM)),
        ("45 le loi p ben thanh quan 1", Address("45 le loi", "Phường Bến Thành", "quan 1", HCM)),
        ("12 Lê Lợi, Bến Thành, Quận 1", Address("12 Lê Lợi", "Phường Bến Thành", "Quận 1", HCM)),
        (
            "100 Phan Văn Trị, Gia Định, Bình Thạnh",
            Address("100 Phan Văn Trị", "Phường Gia Định", "Bình Thạnh", HCM),
        ),
        (
            "5 Quang Trung P. Gò Vấp, Q. Gò Vấp",
            Address("5 Quang Trung", "Phường Gò Vấp", "Q. Gò Vấp", HCM),
        ),
        (
            "12 ngõ 3 Láng Hạ, P. Láng, Đống Đa",
            Address("12 ngõ 3 Láng Hạ", "Phường Láng", "Đống Đa", HANOI),
        ),
        (
            "7 Trần Thái Tông, Cầu Giấy, Q. Cầu Giấy",
            Address("7 Trần Thái Tông", "Phường Cầu Giấy", "Q. Cầu Giấy", HANOI),
        ),
        (
            "3 Lò Đúc, P. Hai Bà Trưng, Hai Bà Trưng",
            Address("3 Lò Đúc", "Phường Hai Bà Trưng", "Hai Bà Trưng", HANOI),
        ),
        # an old province reads as the province it is part of now
        (
            "5 Yersin, P. Phú Cường, Thủ Dầu Một, Bình Dương",
            Address("5 Yersin, P. Phú Cường", "Phường Thủ Dầu Một", "", HCM),
        ),
    ],
)
def test_an_old_district_gives_its_province(typed: str, expected: Address) -> None:
    assert read_address(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "12 Hai Bà Trưng P. Bến Nghé Q1",  # Bến Nghé is part of Phường Sài Gòn since 2025
        "12 Nguyễn Trãi P5 Q3",  # numbered wards are gone
        "12 Lê Lợi, Châu Thành",  # a district name of several provinces: no guess
        "giao nhanh nha",
    ],
)
def test_what_does_not_match_is_kept_as_written_for_review(typed: str) -> None:
    address, review = written_address(typed)
    assert review
    assert address == Address(" ".join(typed.split()), "", "", "")


def test_a_matched_address_needs_no_review() -> None:
    address, review = written_address("45 Lê Lợi P. Bến Thành Q1")
    assert not review and address.province == HCM and address.ward == "Phường Bến Thành"


def test_shorthand_for_a_district_needs_its_kind() -> None:
    # `1` alone is no district: the province is not guessed from a house number.
    with pytest.raises(AddressError) as refused:
        read_address("Phường Bến Thành 1")
    assert refused.value.reason == "no_province"


def test_place_names_hold_old_districts_and_provinces_but_no_numbers() -> None:
    names = place_names()
    assert {"go vap", "cau giay", "binh duong", "ha noi", "hcm"} <= names
    assert not any(name.split()[-1].isdigit() for name in names)
