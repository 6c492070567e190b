"""Phone numbers as buyers type them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.phones import OLD_PREFIXES, find_phone, national_number, normalize_phone

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("０９１２３４５６７８", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("091234567", None),
        ("0112345678", None),
        ("phone", None),
        ("", None),
    ],
)
def test_normalize(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the 2018 renumbering, one row per carrier range
        ("01623456789", "0323456789"),
        ("0169 345 6789", "0393456789"),
        ("0120 345 6789", "0703456789"),
        ("0121 345 6789", "0793456789"),
        ("0122 345 6789", "0773456789"),
        ("0126 345 6789", "0763456789"),
        ("0128 345 6789", "0783456789"),
        ("0123 345 6789", "0833456789"),
        ("0124 345 6789", "0843456789"),
        ("0125 345 6789", "0853456789"),
        ("0127 345 6789", "0813456789"),
        ("0129 345 6789", "0823456789"),
        ("0186 345 6789", "0563456789"),
        ("0188 345 6789", "0583456789"),
        ("0199 345 6789", "0593456789"),
        ("+84 162 345 6789", "0323456789"),
        ("841623456789", "0323456789"),
        # prefixes the table does not know
        ("0161 345 6789", None),
        ("0130 345 6789", None),
        ("0187 345 6789", None),
        # the country code with the national 0 kept
        ("+84 0912 345 678", "0912345678"),
        ("+1 912 345 678", None),
        ("0912345678901", None),
        ("٠٩١٢٣٤٥٦٧٨", None),  # Arabic-Indic digits: no carrier takes them
    ],
)
def test_normalize_more(raw, expected):
    assert normalize_phone(raw) == expected


def test_every_old_prefix_maps_to_a_current_mobile():
    assert len(OLD_PREFIXES) == 8 + 5 + 5 + 2 + 1
    for old, new in OLD_PREFIXES.items():
        assert normalize_phone(old + "1234567") == new + "1234567"
        assert normalize_phone(new + "1234567") == new + "1234567"


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("0912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("840912345678", "0912345678"),
        ("01993456789", "0593456789"),
        ("02438251234", "02438251234"),
        ("0912a45678", None),
        ("", None),
    ],
)
def test_national_number(digits, expected):
    assert national_number(digits) == expected


@pytest.mark.parametrize(
    ("text", "phone", "rest"),
    [
        ("A1 0912 345 678", "0912345678", "A1  "),
        ("A1 +84 912345678 nha", "0912345678", "A1   nha"),
        ("sđt: 0987.654.321", "0987654321", "sđt:  "),
        ("sdt0912345678", "0912345678", "sdt "),
        ("A1 2 0912345678", "0912345678", "A1 2  "),
        ("0162 345 6789 A1", "0323456789", "  A1"),
        ("０９１２３４５６７８", "0912345678", " "),
        # every phone goes, the first is reported
        ("0912345678 hoặc 0987654321", "0912345678", "  hoặc  "),
        # a phone typed wrong goes too, a quantity before it stays
        ("A1 2 0912 345 67", None, "A1 2  "),
        ("A1 912.345.678", None, "A1  "),
        ("123456789012", None, " "),
        # a code's digits are never the start of a phone
        ("A0 912 345 678", None, "A0 912 345 678"),
        ("no digits", None, "no digits"),
        ("A1 2 B3", None, "A1 2 B3"),
    ],
)
def test_find_phone(text, phone, rest):
    assert find_phone(text) == (phone, rest)


@given(st.text())
def test_anything_gives_a_phone_or_none(text):
    result = normalize_phone(text)
    assert result is None or (result.isdigit() and result.startswith("0"))


@FAST
@given(st.text())
def test_find_phone_never_raises_and_finds_a_normal_phone(text):
    phone, rest = find_phone(text)
    assert phone is None or (phone.isascii() and phone.isdigit() and len(phone) in (10, 11))
    assert isinstance(rest, str)


@FAST
@given(
    prefix=st.sampled_from(["03", "05", "07", "08", "09"]),
    rest=st.text("0123456789", min_size=8, max_size=8),
    separator=st.sampled_from(["", " ", ".", "-", " - "]),
    country=st.sampled_from(["", "+84 ", "84", "+84"]),
    before=st.sampled_from(["", "A1 ", "sdt ", "A1 2 ", "chốt B3 x2 sđt: "]),
    after=st.sampled_from(["", " nha", " A1 2", "\n"]),
)
def test_a_phone_is_found_wherever_it_sits(prefix, rest, separator, country, before, after):
    national = prefix + rest
    digits = national[1:] if country else national
    typed = country + separator.join([digits[:3], digits[3:6], digits[6:]])
    phone, remaining = find_phone(before + typed + after)
    assert phone == national
    assert rest not in remaining.replace(" ", "")
