"""Refusals are machine codes with params, and every one has words in every language.

Pure: no database. The raise sites are read from the source itself, so a refusal added later as
an English sentence, or with a param its template does not know, fails here.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from application.wording.languages import LANGUAGES
from application.wording.refusals import FALLBACK, TEMPLATES, describe, template_fields
from orders import errors
from orders.addresses import AddressError
from orders.errors import NEEDS, PARAMS, InvalidInput, OrderIncomplete, Reason, Refusal
from orders.staff_rules import LastManager

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    path
    for path in ROOT.rglob("*.py")
    if not {".venv", "tests", "bench", "chaos"} & set(path.relative_to(ROOT).parts)
]
REFUSALS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.OrderError)
} | {"AddressError", "LastManager"}
# Refusals whose class fixes the reason: the class's own call is checked instead.
FIXED = {"LastManager"}

words = st.text(min_size=0, max_size=12)
codes = st.lists(st.text("ABZ019", min_size=1, max_size=3), max_size=3)
numbers = st.integers(min_value=0, max_value=10**10)
# A value of each param's shape, as the raise sites give it.
SHAPES: dict[str, st.SearchStrategy[object]] = {
    "order": st.one_of(numbers, st.text("DH0123456789", min_size=1, max_size=8)),
    "field": st.sampled_from(["phone", "street", "note", "lines", "carrier", "nope_field"]),
    "status": st.sampled_from(["draft", "shipping", "not_a_status"]),
    "action": st.sampled_from(["ship", "collect_cod", "not_an_action"]),
    "allowed": st.lists(st.sampled_from(["ship", "cancel", "edit"]), max_size=3),
    "missing": st.lists(st.sampled_from(NEEDS), max_size=len(NEEDS), unique=True),
    "codes": codes,
    "waitlisted": codes,
    "skus": st.lists(words, max_size=3),
    "known": st.lists(words, max_size=4),
    "columns": st.lists(words, max_size=3),
    "near": st.lists(words, max_size=3),
    "version": numbers,
    "seen": numbers,
    "low": numbers,
    "high": numbers,
    "limit": numbers,
    "wanted": numbers,
    "left": numbers,
    "discount": numbers,
    "subtotal": numbers,
    "line": numbers,
    "telegram_id": numbers,
    "staff": numbers,
}


def refusals() -> st.SearchStrategy[Refusal]:
    def of(reason: Reason) -> st.SearchStrategy[Refusal]:
        shapes = {name: SHAPES.get(name, words) for name in PARAMS[reason]}
        return st.fixed_dictionaries(shapes).map(lambda params: Refusal(reason, params))

    return st.sampled_from(list(Reason)).flatmap(of)


def test_every_reason_has_its_params_and_a_template_in_every_language():
    assert set(PARAMS) == set(Reason)
    for language in LANGUAGES:
        assert set(TEMPLATES[language]) == set(Reason), language
        for reason, template in TEMPLATES[language].items():
            allowed = set(PARAMS[reason]) | ({"Field"} if "field" in PARAMS[reason] else set())
            assert template_fields(template) <= allowed, (language, reason, template)


@settings(max_examples=150, deadline=None)
@given(refusal=refusals(), language=st.sampled_from(LANGUAGES))
def test_every_refusal_is_one_sentence_in_each_language(refusal: Refusal, language: str):
    said = describe(refusal, language)
    assert said and said != FALLBACK[language].format(reason=refusal.reason)  # the template fit


@pytest.mark.parametrize(
    ("refusal", "language", "expected"),
    [
        (
            OrderIncomplete(
                Reason.INCOMPLETE,
                order="DH000033",
                missing=["item", "phone", "address"],
                codes=["Z9"],
                waitlisted=[],
            ),
            "vi",
            "Đơn DH000033 chưa đi tiếp được: còn thiếu sản phẩm cho mã Z9, số điện thoại khách, "
            "địa chỉ khách (số nhà, phường/xã, tỉnh/thành).",
        ),
        (
            OrderIncomplete(
                Reason.INCOMPLETE,
                order="DH000033",
                missing=["item", "phone"],
                codes=["Z9"],
                waitlisted=[],
            ),
            "en",
            "Order DH000033 cannot go on yet: it needs an item for code Z9, the buyer's phone.",
        ),
        (
            errors.ActionNotAllowed(
                Reason.STATUS_FORBIDS,
                order="DH000001",
                status="draft",
                action="collect_cod",
                allowed=["create_order"],
            ),
            "vi",
            "Đơn DH000001 đang ở trạng thái Nháp: không thể “Thu COD” lúc này (có thể: “Tạo đơn”).",
        ),
        (
            InvalidInput(Reason.OUT_OF_RANGE, field="shipping_fee", low=0, high=10_000_000_000),
            "vi",
            "Phí vận chuyển phải từ 0 đến 10.000.000.000.",
        ),
        (
            InvalidInput(Reason.OUT_OF_RANGE, field="shipping_fee", low=0, high=10_000_000_000),
            "en",
            "Shipping fee must be between 0 and 10,000,000,000.",
        ),
        (
            InvalidInput(Reason.NO_WARD, field="address", province="Hà Nội", near=["Cửa Nam"]),
            "vi",
            "Không tìm thấy phường/xã nào của Hà Nội trong địa chỉ. Có phải: Cửa Nam?",
        ),
    ],
)
def test_what_a_shop_reads(refusal, language, expected):
    assert describe(refusal, language) == expected


@example(language="EN-us").via("explicit")
@given(language=st.text(max_size=8))
@settings(max_examples=30, deadline=None)
def test_any_language_setting_gives_words(language: str):
    said = describe(InvalidInput(Reason.NAME_NEEDED, field="name"), language)
    assert said in {"Nhân viên cần có tên.", "A staff member needs a name."}


def test_a_refusal_without_its_params_still_says_something_and_logs(caplog):
    said = describe(Refusal(Reason.OUT_OF_STOCK, {}), "vi")
    assert said == "Không làm được việc này (out_of_stock)."
    assert "out_of_stock" in caplog.text


def _calls() -> list[tuple[Path, ast.Call, str]]:
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in REFUSALS:
                found.append((path, node, name))
    return found


def test_no_raise_site_passes_a_sentence_and_each_gives_its_reasons_params():
    calls = _calls()
    assert len(calls) >= 40  # the walk really found the domain's raise sites
    for path, call, name in calls:
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        values = [*call.args, *(kw.value for kw in call.keywords)]
        first_is_text = bool(call.args) and isinstance(call.args[0], ast.Constant)
        sentences = [arg for arg in values if isinstance(arg, ast.JoinedStr)]
        assert not sentences and not first_is_text, f"{where}: {name} is given a sentence"
        if name in FIXED:
            continue
        first = call.args[0] if call.args else None
        # `Reason.A if ... else Reason.B` gives either reason: both must fit
        options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
        given_params = {kw.arg for kw in call.keywords}
        assert None not in given_params, f"{where}: params are named one by one"
        for option in options:
            assert (
                isinstance(option, ast.Attribute)
                and isinstance(option.value, ast.Name)
                and option.value.id == "Reason"
            ), f"{where}: {name} needs a Reason as its first argument"
            reason = Reason[option.attr]
            assert given_params == set(PARAMS[reason]), (where, reason, given_params)


@pytest.mark.parametrize(
    "refusal",
    [
        errors.NotFound(Reason.NO_ORDER, order=999999),
        InvalidInput(Reason.TOO_LONG, field="note", limit=2000),
        AddressError(Reason.NO_WARD, field="address", province="Hà Nội", near=["Cửa Nam"]),
        LastManager("Hà"),
    ],
)
def test_a_refusal_crosses_a_process_boundary_whole(refusal):
    """The renderer's worker processes send refusals back pickled."""
    back = pickle.loads(pickle.dumps(refusal))
    assert (type(back), back.reason, back.params) == (type(refusal), refusal.reason, refusal.params)
    assert describe(back, "vi") == describe(refusal, "vi")
    assert getattr(back, "near", None) == getattr(refusal, "near", None)
    assert getattr(back, "name", None) == getattr(refusal, "name", None)
