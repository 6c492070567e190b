"""Typed addresses read into the official ward and province (`orders.addresses`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.addresses import Address, AddressError, fold, provinces, read_address, wards

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
