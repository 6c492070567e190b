"""Phone numbers as buyers type them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.phones import normalize_phone


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


@given(st.text())
def test_anything_gives_a_phone_or_none(text):
    result = normalize_phone(text)
    assert result is None or (result.isdigit() and result.startswith("0"))
