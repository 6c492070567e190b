"""What an order asks its buyer to send by bank transfer now, as every place that shows it
needs it: the bill's second QR code, the tracking page, the Messenger answer to a confirm.

One value built in one place, so the three cannot disagree on the amount, the account or the
memo (the order code, which is how the bank's notification finds the order again).
"""

from __future__ import annotations

from dataclasses import dataclass

from orders.tracking import is_absolute, tracking_url
from orders.vietqr import BankAccount, memo, order_qr
from orders.views import OrderRow


@dataclass(frozen=True, slots=True)
class TransferAsk:
    """The VietQR payload and, beside it, what a buyer typing the transfer by hand needs.
    There is no table of bank names by BIN in the service, so the bank is shown as its BIN."""

    payload: str
    amount: int  # VND: what the payload asks (tag 54)
    bank_bin: str
    account: str
    account_name: str
    memo: str


def transfer_ask(bank: BankAccount | None, order: OrderRow) -> TransferAsk | None:
    """The transfer the order asks for now, or None: no bank set, a COD order, nothing left
    to send, or the order cancelled (`orders.vietqr.order_qr`)."""
    payload = order_qr(bank, order)
    if payload is None or bank is None:
        return None
    return TransferAsk(
        payload=payload,
        amount=order.payment.transfer_asked,
        bank_bin=bank.bin,
        account=bank.account,
        account_name=bank.name,
        memo=memo(order.code or ""),
    )


VIETQR_IMAGE = "vietqr.png"  # under the tracking page: `/t/<token>/vietqr.png`


def vietqr_image_url(public_url: str, token: str | None) -> str | None:
    """Where the order's VietQR code is served as a PNG (`staff_web.views.tracking`), for
    Messenger to fetch; None without a token or an absolute public address to put it under."""
    if not token:
        return None
    url = f"{tracking_url(public_url, token)}/{VIETQR_IMAGE}"
    return url if is_absolute(url) else None
