"""The `callback_data` of every button the bot draws, as data: one frozen dataclass per kind.

Telegram gives a button 64 bytes and hands them back verbatim on a tap, possibly days later,
after a restart, or forged by anyone in the group. So the data is a small self-contained text
(no server-side cache to lose), every field is checked on the way in, and anything that is not
exactly what `encode` writes is refused with `BadCallback`, which handlers turn into an alert.

Grammar (ASCII only, fields separated by `:`, at most 64 bytes; `id` and `line` are decimal
integers 1..2**53, `v` (the order version the button was drawn for) 0..2**31-1, no signs,
spaces or leading zeros, so every value has exactly one spelling):

    <action>:<id>:<v>                   create_order, send_to_shop, complete, failed,
                                        collect_cod, return, cancel, save_draft, print_bill,
                                        print_shipping_note          e.g. complete:123:4
    ship:<id>:<v>                       open the ship menu           e.g. ship:123:4
    ship:<id>:<v>:<carrier>             ship with ghn|ghtk|viettelpost|ahamove|individual
                                        (individual: ask for name and phone)
    ship:<id>:<v>:individual:<phone>    ship with the recent shipper of that phone
                                        (national form, 0 and 9 digits)
    edit:<id>:<v>                       open the edit menu
    edit:<id>:<v>:<field>               items|name|phone|address|note|cod|shipping_fee|
                                        discount|price
    fix:<id>:<v>:<line>                 choose a code for line <line> (its code was unknown)
    fix:<id>:<v>:<line>:<code>          give line <line> the session code <code>
                                        (`[A-Za-z0-9_-]`, 1..12 characters)
    accept:<id>:<v>:<line>              accept line <line> as the comment was read (it
                                        was marked for checking: `90 read as a size`)
    card:<id>                           open the order's card (from a digest or a list)
    list:<tab>:<before>[:s<staff>][:v<live>]
                                        /orders page: tab all or a status; the orders with
                                        ids below <before> (0: the newest); optionally only
                                        the orders staff row <staff> takes care of, only the
                                        live session row <live>'s orders (both in this order)
                                        e.g. list:draft:0  list:shipping:120:s3:v7
    back:<id>:<v>                       back from a menu to the card's own keyboard
    flag:<id>:<v>                       flag the order's buyer: asks the reason
    unflag:<id>:<v>                     remove the buyer's flag
    ok:<id>:<v>:create_order            create a flagged buyer's order, approved
    ok:<id>:<v>:ship:<carrier>[:<phone>]
                                        ship a flagged buyer's order, approved (as ship:)
    okp:<id>:<v>:ship:<carrier>[:<phone>]
                                        ship an order whose transfer or deposit has not
                                        come in, approved
    okrp:<id>:<v>:ship:<carrier>[:<phone>]
                                        ship it approved both ways (a flagged buyer who
                                        has not paid yet: asked in turn)
    pay:<id>:<v>                        the payment menu: COD, transfer, deposit
    pay:<id>:<v>:<method>               pay by cod|transfer (at once) or deposit (asks
                                        the amount)
    paid:<id>:<v>                       record money received by hand: asks the amount
    close                               remove the menu or list message
    new:<dialogue>:<choice>             `/new` conversation <dialogue>: keep|change the
                                        known buyer's details, create|cancel the draft
    stop:<live>                         stop ordering on live session row <live> (the
                                        button under "a live started")

The action name and the order id are always two of the fields (CONTRACT.md, Telegram).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from orders.lifecycle import Action, Status
from orders.payments import METHODS
from orders.shipper_kinds import INDIVIDUAL, SHIPPER_KINDS

MAX_BYTES: Final = 64
MAX_ID: Final = 2**53
MAX_VERSION: Final = 2**31 - 1
MAX_CODE_LENGTH: Final = 12
# Row ids of the databases' integer primary keys: a list page's cursor and filters are table
# ids, and capping them here is what keeps the longest page button within 64 bytes.
MAX_ROW_ID: Final = 2**31 - 1

EDIT_FIELDS: Final = (
    "items",
    "name",
    "phone",
    "address",
    "note",
    "cod",
    "shipping_fee",
    "discount",
    "price",
)
ALL_TAB: Final = "all"
TABS: Final = (
    ALL_TAB,
    Status.DRAFT.value,
    Status.WAITING_FOR_SHIPPING.value,
    Status.SHIPPING.value,
    Status.WAIT_FOR_COD.value,
    Status.FAILED_TO_SHIP.value,
    Status.COMPLETE.value,
    Status.RETURNED.value,
    Status.CANCELLED.value,
    Status.SENT_TO_SHOP.value,
)
# Actions whose card button is a plain tap; edit and ship open a menu of their own.
TAP_ACTIONS: Final = frozenset(a for a in Action if a not in {Action.EDIT, Action.SHIP})

_NUMBER = re.compile(r"0|[1-9][0-9]{0,19}")
_PHONE = re.compile(r"0[0-9]{9}")
_CODE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_CODE_LENGTH}}}")


class BadCallback(ValueError):
    """The data of a tapped button is not one the bot draws: stale, forged or corrupted."""


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadCallback(f"{name} must be an integer, not {value!r}")
    if not low <= value <= high:
        raise BadCallback(f"{name} {value} is outside {low}..{high}")
    return value


def _check_id(name: str, value: object) -> int:
    return _check_int(name, value, 1, MAX_ID)


def _check_version(value: object) -> int:
    return _check_int("version", value, 0, MAX_VERSION)


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BadCallback(f"unknown {name} {value!r}; known: {', '.join(choices)}")
    return str(value)


@dataclass(frozen=True)
class OrderButton:
    """What every button acting on one order carries: the order, and the version the card
    was drawn for; checked once here for every kind."""

    order_id: int
    version: int

    def __post_init__(self) -> None:
        _check_id("order id", self.order_id)
        _check_version(self.version)


@dataclass(frozen=True)
class ActionTap(OrderButton):
    """A card button that applies one lifecycle action to the order at `version`."""

    action: Action

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.action, str) or self.action not in TAP_ACTIONS:
            raise BadCallback(f"action {self.action!r} is not a plain tap (edit/ship open menus)")
        object.__setattr__(self, "action", Action(self.action))


@dataclass(frozen=True)
class ShipMenu(OrderButton):
    """The card's ship button: show carriers with their fees and the individual shipper."""


@dataclass(frozen=True)
class ShipPick(OrderButton):
    """Ship with `carrier`; for `individual`, `recent` is the phone of a recent shipper shown
    in the menu, or None to ask staff for the shipper's name and phone."""

    carrier: str
    recent: str | None = None  # the phone, not a position: the list may change before the tap

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_choice("carrier", self.carrier, SHIPPER_KINDS)
        if self.recent is not None:
            if self.carrier != INDIVIDUAL:
                raise BadCallback("only an individual shipper can be a recent one")
            if not isinstance(self.recent, str) or not _PHONE.fullmatch(self.recent):
                raise BadCallback(f"recent shipper {self.recent!r} is not a phone like 0912345678")


@dataclass(frozen=True)
class EditMenu(OrderButton):
    """The card's edit button: show the fields staff can change."""


@dataclass(frozen=True)
class EditPick(OrderButton):
    """Edit one field: the bot asks for the new value with a reply prompt."""

    field: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_choice("field", self.field, EDIT_FIELDS)


@dataclass(frozen=True)
class FixMenu(OrderButton):
    """Show the session's codes for an order line whose code nobody knew."""

    line_id: int

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_id("line id", self.line_id)


@dataclass(frozen=True)
class AcceptLine(OrderButton):
    """Accept an order line marked for checking as it was read: the mark goes."""

    line_id: int

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_id("line id", self.line_id)


@dataclass(frozen=True)
class FixCode(OrderButton):
    """Give an order line with an unknown code one of the live session's codes."""

    line_id: int
    code: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_id("line id", self.line_id)
        if not isinstance(self.code, str) or not _CODE.fullmatch(self.code):
            raise BadCallback(
                f"code {self.code!r} must be 1..{MAX_CODE_LENGTH} of A-Z, a-z, 0-9, _ and -"
            )


@dataclass(frozen=True)
class OpenCard:
    """Show an order's card (with its keyboard) from a digest or a list."""

    order_id: int

    def __post_init__(self) -> None:
        _check_id("order id", self.order_id)


@dataclass(frozen=True)
class ListPage:
    """A page of /orders: the tab (`all` or a status) and a keyset cursor, `before`: the page
    holds the newest orders with ids below it (0: the newest of all). Ids only ever grow, so a
    page stays the same page while new orders arrive, which an offset would not. The filters
    travel with every tab and paging button: `staff` (a staff row id: the orders that staff
    member takes care of) and `live` (a live session row id: that live's orders)."""

    tab: str
    before: int = 0
    staff: int | None = None
    live: int | None = None

    def __post_init__(self) -> None:
        _check_choice("tab", self.tab, TABS)
        _check_int("cursor", self.before, 0, MAX_ROW_ID)
        if self.staff is not None:
            _check_int("staff id", self.staff, 1, MAX_ROW_ID)
        if self.live is not None:
            _check_int("live session id", self.live, 1, MAX_ROW_ID)

    def to(self, tab: str | None = None, before: int = 0) -> ListPage:
        """Another tab or page with the same filters."""
        return ListPage(self.tab if tab is None else tab, before, self.staff, self.live)


@dataclass(frozen=True)
class Back(OrderButton):
    """Leave a menu: draw the card's own keyboard again for the order at `version`."""


@dataclass(frozen=True)
class FlagAsk(OrderButton):
    """Flag the order's buyer (bom hàng): the bot asks the reason with a reply prompt."""


@dataclass(frozen=True)
class Unflag(OrderButton):
    """Remove the flag of the order's buyer."""


APPROVABLE: Final = (Action.CREATE_ORDER.value, Action.SHIP.value)
# The kind an approval is spelled with: what staff said yes to.
APPROVALS: Final = {"ok": (True, False), "okp": (False, True), "okrp": (True, True)}


@dataclass(frozen=True)
class Approve(OrderButton):
    """Yes to "the buyer is flagged: go on?" (`risky`) or "the money has not come in: ship
    anyway?" (`unpaid`), or both once each was asked: `create_order` (flagged only), or
    `ship` with `carrier` (and an individual shipper's phone, as `ShipPick`)."""

    action: str
    carrier: str | None = None
    recent: str | None = None
    risky: bool = True
    unpaid: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_choice("action", self.action, APPROVABLE)
        if self.action == Action.SHIP.value:
            ShipPick(self.order_id, self.version, str(self.carrier), self.recent)
        elif self.carrier is not None or self.recent is not None:
            raise BadCallback("only ship carries a carrier")
        if (self.risky, self.unpaid) not in APPROVALS.values():
            raise BadCallback("an approval approves something")
        if self.unpaid and self.action != Action.SHIP.value:
            raise BadCallback("only ship waits for the money")

    @property
    def kind(self) -> str:
        return next(k for k, said in APPROVALS.items() if said == (self.risky, self.unpaid))

    @property
    def ship_pick(self) -> ShipPick:
        return ShipPick(self.order_id, self.version, str(self.carrier), self.recent)


@dataclass(frozen=True)
class PayMenu(OrderButton):
    """The edit menu's "payment": show the three ways to pay."""


@dataclass(frozen=True)
class PayPick(OrderButton):
    """Pay by `method`: cod and transfer apply at once, deposit asks the amount."""

    method: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_choice("payment method", self.method, METHODS)


@dataclass(frozen=True)
class PaidAsk(OrderButton):
    """Record money received by hand (cash, a transfer seen in the bank's app): asks how
    much."""


@dataclass(frozen=True)
class Close:
    """Remove a menu or a list message."""


@dataclass(frozen=True)
class StopLive:
    """Stop ordering on a live session (its row id), from the message telling the group the
    live opened by itself."""

    live_id: int

    def __post_init__(self) -> None:
        _check_int("live session id", self.live_id, 1, MAX_ROW_ID)


NEW_ORDER_CHOICES: Final = ("keep", "change", "create", "cancel")


@dataclass(frozen=True)
class NewOrderTap:
    """A button of the `/new` conversation (`application.chat_dialogues`): keep or change the
    details on file of a known buyer, then create the draft or cancel."""

    dialogue_id: int
    choice: str

    def __post_init__(self) -> None:
        _check_int("dialogue id", self.dialogue_id, 1, MAX_ROW_ID)
        _check_choice("choice", self.choice, NEW_ORDER_CHOICES)


Callback = (
    ActionTap
    | ShipMenu
    | ShipPick
    | EditMenu
    | EditPick
    | FixMenu
    | FixCode
    | AcceptLine
    | OpenCard
    | ListPage
    | Back
    | Close
    | FlagAsk
    | Unflag
    | Approve
    | PayMenu
    | PayPick
    | PaidAsk
    | NewOrderTap
    | StopLive
)


def _fields(callback: Callback) -> list[object]:
    match callback:
        case ActionTap(order_id, version, action):
            return [action.value, order_id, version]
        case ShipMenu(order_id, version):
            return ["ship", order_id, version]
        case ShipPick(order_id, version, carrier, None):
            return ["ship", order_id, version, carrier]
        case ShipPick(order_id, version, carrier, recent):
            return ["ship", order_id, version, carrier, recent]
        case EditMenu(order_id, version):
            return ["edit", order_id, version]
        case EditPick(order_id, version, field):
            return ["edit", order_id, version, field]
        case FixMenu(order_id, version, line_id):
            return ["fix", order_id, version, line_id]
        case FixCode(order_id, version, line_id, code):
            return ["fix", order_id, version, line_id, code]
        case AcceptLine(order_id, version, line_id):
            return ["accept", order_id, version, line_id]
        case OpenCard(order_id):
            return ["card", order_id]
        case ListPage(tab, before, staff, live):
            filters = [f"s{staff}"] if staff is not None else []
            filters += [f"v{live}"] if live is not None else []
            return ["list", tab, before, *filters]
        case Back(order_id, version):
            return ["back", order_id, version]
        case Close():
            return ["close"]
        case NewOrderTap(dialogue_id, choice):
            return ["new", dialogue_id, choice]
        case StopLive(live_id):
            return ["stop", live_id]
        case FlagAsk(order_id, version):
            return ["flag", order_id, version]
        case Unflag(order_id, version):
            return ["unflag", order_id, version]
        case Approve(order_id, version, action, carrier, recent):
            tail = [field for field in (carrier, recent) if field is not None]
            return [callback.kind, order_id, version, action, *tail]
        case PayMenu(order_id, version):
            return ["pay", order_id, version]
        case PayPick(order_id, version, method):
            return ["pay", order_id, version, method]
        case PaidAsk(order_id, version):
            return ["paid", order_id, version]
    raise BadCallback(f"not a callback: {callback!r}")


def encode(callback: Callback) -> str:
    """The button's `callback_data`; raises BadCallback if it would not fit Telegram's 64
    bytes (the dataclasses already refused bad values when they were made)."""
    data = ":".join(str(field) for field in _fields(callback))
    if len(data.encode()) > MAX_BYTES:
        raise BadCallback(f"callback data {data!r} is over {MAX_BYTES} bytes")
    return data


def _number(name: str, text: str) -> int:
    if not _NUMBER.fullmatch(text):
        raise BadCallback(f"{name} {text!r} is not a plain decimal number")
    return int(text)


def _order(fields: list[str]) -> tuple[int, int]:
    return _number("order id", fields[1]), _number("version", fields[2])


def _arity(fields: list[str], *counts: int) -> None:
    if len(fields) not in counts:
        wanted = " or ".join(str(n) for n in counts)
        raise BadCallback(f"{fields[0]!r} takes {wanted} fields, got {len(fields)}")


def _decode_ship(fields: list[str]) -> Callback:
    _arity(fields, 3, 4, 5)
    order_id, version = _order(fields)
    if len(fields) == 3:
        return ShipMenu(order_id, version)
    return ShipPick(order_id, version, fields[3], fields[4] if len(fields) == 5 else None)


def _decode_edit(fields: list[str]) -> Callback:
    _arity(fields, 3, 4)
    order_id, version = _order(fields)
    if len(fields) == 3:
        return EditMenu(order_id, version)
    return EditPick(order_id, version, fields[3])


def _decode_fix(fields: list[str]) -> Callback:
    _arity(fields, 4, 5)
    order_id, version = _order(fields)
    line_id = _number("line id", fields[3])
    if len(fields) == 4:
        return FixMenu(order_id, version, line_id)
    return FixCode(order_id, version, line_id, fields[4])


def _decode_accept(fields: list[str]) -> Callback:
    _arity(fields, 4)
    order_id, version = _order(fields)
    return AcceptLine(order_id, version, _number("line id", fields[3]))


def _decode_card(fields: list[str]) -> Callback:
    _arity(fields, 2)
    return OpenCard(_number("order id", fields[1]))


def _decode_list(fields: list[str]) -> Callback:
    _arity(fields, 3, 4, 5)
    filters: dict[str, int] = {}
    names = {"s": "staff", "v": "live"}
    for field in fields[3:]:
        name = names.get(field[:1])
        # each filter at most once, staff before live: one spelling per page
        if name is None or name in filters or (name == "staff" and filters):
            raise BadCallback(f"list filter {field!r} is not s<staff id> then v<live id>")
        filters[name] = _number(f"{name} id", field[1:])
    return ListPage(fields[1], _number("cursor", fields[2]), **filters)


def _decode_back(fields: list[str]) -> Callback:
    _arity(fields, 3)
    return Back(*_order(fields))


def _decode_close(fields: list[str]) -> Callback:
    _arity(fields, 1)
    return Close()


def _decode_flag(fields: list[str]) -> Callback:
    _arity(fields, 3)
    return FlagAsk(*_order(fields))


def _decode_unflag(fields: list[str]) -> Callback:
    _arity(fields, 3)
    return Unflag(*_order(fields))


def _decode_ok(fields: list[str]) -> Callback:
    _arity(fields, 4, 5, 6)
    order_id, version = _order(fields)
    carrier = fields[4] if len(fields) >= 5 else None
    recent = fields[5] if len(fields) == 6 else None
    risky, unpaid = APPROVALS[fields[0]]
    return Approve(order_id, version, fields[3], carrier, recent, risky, unpaid)


def _decode_pay(fields: list[str]) -> Callback:
    _arity(fields, 3, 4)
    order_id, version = _order(fields)
    if len(fields) == 3:
        return PayMenu(order_id, version)
    return PayPick(order_id, version, fields[3])


def _decode_paid(fields: list[str]) -> Callback:
    _arity(fields, 3)
    return PaidAsk(*_order(fields))


def _decode_new(fields: list[str]) -> Callback:
    _arity(fields, 3)
    return NewOrderTap(_number("dialogue id", fields[1]), fields[2])


def _decode_stop(fields: list[str]) -> Callback:
    _arity(fields, 2)
    return StopLive(_number("live session id", fields[1]))


_DECODERS = {
    "stop": _decode_stop,
    "new": _decode_new,
    "ship": _decode_ship,
    "edit": _decode_edit,
    "fix": _decode_fix,
    "accept": _decode_accept,
    "card": _decode_card,
    "list": _decode_list,
    "back": _decode_back,
    "close": _decode_close,
    "flag": _decode_flag,
    "unflag": _decode_unflag,
    "ok": _decode_ok,
    "okp": _decode_ok,
    "okrp": _decode_ok,
    "pay": _decode_pay,
    "paid": _decode_paid,
}


def decode(data: str | None) -> Callback:
    """The callback a button's data stands for. Raises BadCallback, and nothing else, for
    anything `encode` would not have written, saying what was wrong."""
    if not isinstance(data, str) or not data:
        raise BadCallback("the button carries no data")
    if not data.isascii():
        raise BadCallback("callback data must be ASCII")
    if len(data) > MAX_BYTES:
        raise BadCallback(f"callback data is {len(data)} bytes, over {MAX_BYTES}")
    fields = data.split(":")
    kind = fields[0]
    decoder = _DECODERS.get(kind)
    if decoder is not None:
        return decoder(fields)
    if kind in TAP_ACTIONS:
        _arity(fields, 3)
        return ActionTap(*_order(fields), Action(kind))
    raise BadCallback(f"unknown button kind {kind!r}")
