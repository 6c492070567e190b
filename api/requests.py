"""Request bodies of the JSON API, checked before anything reaches the domain.

Unknown keys are ignored, so a client written against a later version keeps working; the keys
we know are typed strictly (no "3" for 3, no 2.5 for a quantity), because a silently coerced
amount of money is worse than a refused request. Text is bounded by its column and must be
storable, so that bad input is a 422 here and never a database error later.
"""

from __future__ import annotations

import json
from typing import Annotated, TypeVar

from aiohttp import web
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.errors import ApiError, invalid
from orders.changes import MAX_MONEY, MAX_QUANTITY, TEXT_LIMITS, LineInput, OrderChanges
from orders.drafts import Buyer, NewOrder
from orders.lifecycle import EDIT_ACTIONS, Action
from orders.payments import PaymentIn

MAX_INT64 = 2**63 - 1


def storable(value: str) -> str:
    """Both databases reject NUL and unpaired surrogates with an error of their own."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


# Spelled out rather than made by a function, so that a type checker sees type aliases.
ShortText = Annotated[str, Field(max_length=32), AfterValidator(storable)]
Sku = Annotated[str, Field(max_length=64), AfterValidator(storable)]
Name = Annotated[str, Field(max_length=255), AfterValidator(storable)]
Street = Annotated[str, Field(max_length=500), AfterValidator(storable)]
Note = Annotated[str, Field(max_length=TEXT_LIMITS["note"]), AfterValidator(storable)]
Money = Annotated[int, Field(ge=0, le=MAX_MONEY)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
TelegramId = Annotated[int, Field(ge=1, le=MAX_INT64)]

Reference = Annotated[str, Field(max_length=128), AfterValidator(storable)]

EDIT_FIELDS = (
    "customer",
    "lines",
    "note",
    "shipping_fee",
    "discount",
    "cod_amount",
    "staff",
    "payment",
)
SHIP_FIELDS = ("carrier", "shipper_name", "shipper_phone")
PAYMENT_FIELDS = ("amount", "reference")  # record_payment's own


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class CustomerIn(Body):
    """`address` is the street line; ward, district and province are separate."""

    name: Name | None = None
    phone: ShortText | None = None
    address: Street | None = None
    ward: Name | None = None
    district: Name | None = None
    province: Name | None = None
    facebook_id: Sku | None = None

    def to_buyer(self) -> Buyer:
        return Buyer(
            name=self.name or "",
            phone=self.phone or "",
            street=self.address or "",
            ward=self.ward or "",
            district=self.district or "",
            province=self.province or "",
            facebook_id=self.facebook_id or None,
        )


class LineIn(Body):
    sku: Sku | None = None
    code: ShortText | None = None
    quantity: Quantity
    unit_price: Money | None = None
    variant: Name = ""

    @model_validator(mode="after")
    def _names_an_item(self) -> LineIn:
        if not (self.sku or self.code):
            raise ValueError("a line needs the sku or the code of its item")
        return self

    def to_input(self) -> LineInput:
        return LineInput(
            quantity=self.quantity,
            sku=self.sku or None,
            code=self.code or None,
            unit_price=self.unit_price,
            variant=self.variant,
        )


class NewOrderIn(Body):
    """A manual order; `cod_amount` left out or null follows the total, 0 means prepaid."""

    customer: CustomerIn
    lines: list[LineIn] = Field(min_length=1)
    note: Note = ""
    shipping_fee: Money = 0
    discount: Money = 0  # VND off the lines' sum; more than the sum is refused (422)
    cod_amount: Money | None = None
    staff: TelegramId | None = None

    def to_new_order(self, staff_id: int | None) -> NewOrder:
        return NewOrder(
            buyer=self.customer.to_buyer(),
            lines=[line.to_input() for line in self.lines],
            source="manual",
            note=self.note,
            shipping_fee=self.shipping_fee,
            discount=self.discount,
            cod_amount=self.cod_amount,
            staff_id=staff_id,
        )


class PaymentMethodIn(Body):
    """How the buyer pays: `method` `cod`, `transfer` or `deposit` (checked by the domain,
    which names the choices), and for a deposit the VND asked first."""

    method: ShortText | None = None
    deposit: Money | None = None


def _has_value(body: BaseModel, name: str) -> bool:
    value = getattr(body, name)
    if name not in body.model_fields_set or value is None:
        return False
    return bool(value.model_fields_set) if isinstance(value, BaseModel) else True


class ActionIn(Body):
    """The body of PATCH and of every action: the version seen, plus what the action uses."""

    version: int | None = None
    customer: CustomerIn | None = None
    lines: list[LineIn] | None = Field(None, min_length=1)
    note: Note | None = None
    shipping_fee: Money | None = None
    discount: Money | None = None
    cod_amount: Money | None = None  # given as null: COD follows the total again
    staff: TelegramId | None = None
    carrier: ShortText | None = None
    shipper_name: Name = ""
    shipper_phone: ShortText = ""
    reason: Note = ""
    approve_risky: bool = False  # create_order / ship of a flagged buyer's order
    approve_unpaid: bool = False  # ship of a transfer or deposit order before its money came
    payment: PaymentMethodIn | None = None
    amount: Money | None = None  # record_payment: the VND received
    reference: Reference = ""  # record_payment: the bank's or the receipt's reference

    def given(self, names: tuple[str, ...]) -> list[str]:
        """Fields sent with a value: `"note": ""` clears the note, `"customer": {}` is nothing."""
        return [name for name in names if _has_value(self, name)]

    def check_fits(self, action: Action) -> None:
        """Fields the action would not use are refused, not dropped: the caller expects them
        to take effect."""
        if action not in EDIT_ACTIONS and (edits := self.given(EDIT_FIELDS)):
            raise invalid(
                f"{', '.join(edits)} can only be changed by edit or save_draft, "
                f"not by {action.value}.",
                field=edits[0],
            )
        shipping = [name for name in self.given(SHIP_FIELDS) if getattr(self, name) != ""]
        if action is not Action.SHIP and shipping:
            raise invalid(
                f"{', '.join(shipping)} only apply to ship, not to {action.value}.",
                field=shipping[0],
            )
        paying = [name for name in self.given(PAYMENT_FIELDS) if getattr(self, name) != ""]
        if action is not Action.RECORD_PAYMENT and paying:
            raise invalid(
                f"{', '.join(paying)} only apply to record_payment, not to {action.value}.",
                field=paying[0],
            )
        if "staff" in self.model_fields_set and self.staff is None:
            raise invalid(
                "staff cannot be cleared; give the Telegram id of who takes the order.",
                field="staff",
            )

    def to_changes(self, staff_id: int | None) -> OrderChanges | None:
        """None when the body changes nothing, so the domain can say an edit needs a field."""
        if not self.given(EDIT_FIELDS) and "cod_amount" not in self.model_fields_set:
            return None
        customer = self.customer or CustomerIn()
        return OrderChanges(
            buyer_name=customer.name,
            buyer_phone=customer.phone,
            street=customer.address,
            ward=customer.ward,
            district=customer.district,
            province=customer.province,
            facebook_id=customer.facebook_id,
            note=self.note,
            shipping_fee=self.shipping_fee,
            discount=self.discount,
            cod_amount=self.cod_amount,
            cod_follows_total="cod_amount" in self.model_fields_set and self.cod_amount is None,
            lines=[line.to_input() for line in self.lines] if self.lines is not None else None,
            staff_id=staff_id,
            payment_method=self.payment.method if self.payment else None,
            deposit=self.payment.deposit if self.payment else None,
        )

    def to_payment(self) -> PaymentIn | None:
        """record_payment's money; None when no amount was given (the domain then asks for
        one)."""
        if self.amount is None:
            return None
        return PaymentIn(self.amount, reference=self.reference)


M = TypeVar("M", bound=BaseModel)


def where(loc: tuple[int | str, ...]) -> str:
    """`("lines", 0, "quantity")` -> `lines[0].quantity`, the way a client spells the field."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def problem(error: ValidationError) -> ApiError:
    """One sentence for the first problem; the count of the rest, so none goes unmentioned."""
    errors = error.errors(include_url=False)
    first = errors[0]
    field = where(first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return invalid(f"{field}: {message}{tail}.", field=field)


def validate(model: type[M], data: object) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise problem(error) from None


async def read_object(request: web.Request) -> dict[str, object]:
    """The body as a JSON object; an empty body counts as `{}` so print actions need none."""
    raw = await request.read()
    data: object = {}
    if raw.strip():
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid("The request body must be a JSON object.", field="body")
    return data


async def read_body(request: web.Request, model: type[M]) -> M:
    """The body as `model`; an empty body counts as `{}` so print actions need none."""
    return validate(model, await read_object(request))
