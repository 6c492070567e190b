"""The words of money on the staff pages, Vietnamese and English, with the same keys: the order
page's payment box (method, deposit, what came in and what is due, the VietQR code and its
forms), the payment fields of the edit and new-order forms, the list's payment filter and
badges, and the bank transfers page. `staff_web.strings.labels` merges them into the pages'
table; the payment methods' own names come from `application.wording.labels.payment_label`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

PAYMENT: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        # the order page's payment box
        "pay.title": "Thanh toán",
        "pay.method": "Cách thanh toán",
        "pay.deposit": "Tiền cọc",
        "pay.paid": "Đã nhận",
        "pay.due": "Còn phải thu",
        "pay.awaiting": "Chờ chuyển khoản {amount}",
        "pay.overpaid": "Khách chuyển thừa {amount}: cần hoàn lại",
        "pay.settled": "Đã nhận đủ tiền",
        "pay.qr_title": "Mã VietQR để khách chuyển khoản",
        "pay.qr_hint": "Cho khách quét mã trên màn hình, hoặc chụp lại gửi khách.",
        "pay.bank_bin": "Ngân hàng (mã BIN)",
        "pay.account": "Số tài khoản",
        "pay.account_name": "Chủ tài khoản",
        "pay.amount": "Số tiền",
        "pay.memo": "Nội dung chuyển khoản",
        "pay.no_bank": (
            "Chưa có tài khoản ngân hàng của shop (CHOTDON_BANK_BIN, CHOTDON_BANK_ACCOUNT) "
            "nên chưa tạo được mã QR."
        ),
        "pay.method_legend": "Đổi cách thanh toán",
        "pay.deposit_amount": "Tiền cọc (vd 100k, 100.000)",
        "pay.save_method": "Lưu cách thanh toán",
        "pay.read_only": "Chỉ đổi được cách thanh toán khi đơn còn nháp hoặc chờ vận chuyển.",
        "pay.record_legend": "Ghi nhận đã nhận tiền",
        "pay.record_amount": "Số tiền đã nhận (vd 250k, 250.000)",
        "pay.reference": "Ghi chú hoặc mã giao dịch (không bắt buộc)",
        "pay.record": "Ghi nhận",
        "pay.need_amount": "Hãy nhập số tiền đã nhận.",
        "pay.choose_method": "Hãy chọn cách thanh toán.",
        "pay.need_deposit": "Đơn đặt cọc cần số tiền cọc lớn hơn 0.",
        "pay.draft_made": "Đã tạo nháp {code}, nhưng chưa lưu được cách thanh toán: {reason}",
        "done.payment_method": "Đã lưu cách thanh toán.",
        "done.record_payment": "Đã ghi nhận tiền vào đơn.",
        # shipping before the money came in
        "pay.unpaid_yes": "Tôi biết chưa nhận đủ tiền, vẫn {action}",
        "pay.unpaid_no": "Thôi, chờ tiền về",
        "pay.approve_unpaid": "Chưa nhận đủ tiền chuyển khoản, vẫn giao hàng",
        # the edit and new-order forms
        "pay.cod_hint": "Đơn chuyển khoản: shipper không thu hộ.",
        # the orders list
        "list.payment": "Thanh toán",
        "list.all_payments": "Mọi thanh toán",
        "pay.filter.awaiting_transfer": "Chờ chuyển khoản",
        "pay.filter.overpaid": "Khách chuyển thừa",
        "pay.badge.awaiting": "Chờ CK {amount}",
        "pay.badge.paid": "Đã thanh toán",
        "pay.badge.overpaid": "Chuyển thừa {amount}",
        # the bank transfers page
        "nav.payments": "Chuyển khoản",
        "payments.title": "Tiền chuyển khoản",
        "payments.unmatched": "Chờ gắn đơn",
        "payments.all": "Tất cả",
        "payments.none_unmatched": "Không có giao dịch nào chờ gắn đơn.",
        "payments.none": "Chưa có giao dịch nào.",
        "payments.at": "Thời gian",
        "payments.amount": "Số tiền",
        "payments.content": "Nội dung",
        "payments.bank": "Ngân hàng",
        "payments.state": "Trạng thái",
        "payments.order": "Đơn",
        "payments.attach_code": "Mã đơn (vd DH000123)",
        "payments.attach": "Gắn vào đơn",
        "payments.open_order": "Mở đơn",
        "payments.attached": "Đã gắn {amount} vào đơn {code}.",
        "payments.attached_by": "gắn bởi {name}",
        "payments.no_order": "Không có đơn nào mã '{code}'.",
        "payments.need_code": "Hãy nhập mã đơn để gắn giao dịch.",
        "payments.note.no_code": "Nội dung không có mã đơn",
        "payments.note.unknown_code": "Mã đơn trong nội dung không khớp đơn nào",
        "payments.note.several_orders": "Nội dung có mã của nhiều đơn",
        "payments.note.order_cancelled": (
            "Đơn trong nội dung đã hủy: hoàn tiền hoặc gắn vào đơn khác"
        ),
        "payments.note.refused": "Đơn không nhận được khoản này",
    },
    "en": {
        "pay.title": "Payment",
        "pay.method": "Payment method",
        "pay.deposit": "Deposit",
        "pay.paid": "Received",
        "pay.due": "Still due",
        "pay.awaiting": "Waiting for a transfer of {amount}",
        "pay.overpaid": "The buyer sent {amount} too much: refund it",
        "pay.settled": "Paid in full",
        "pay.qr_title": "VietQR code for the buyer's transfer",
        "pay.qr_hint": "Let the buyer scan it on the screen, or send them a photo of it.",
        "pay.bank_bin": "Bank (BIN)",
        "pay.account": "Account number",
        "pay.account_name": "Account holder",
        "pay.amount": "Amount",
        "pay.memo": "Transfer memo",
        "pay.no_bank": (
            "The shop's bank account is not set (CHOTDON_BANK_BIN, CHOTDON_BANK_ACCOUNT), so "
            "there is no QR code."
        ),
        "pay.method_legend": "Change the payment method",
        "pay.deposit_amount": "Deposit (e.g. 100k, 100.000)",
        "pay.save_method": "Save payment method",
        "pay.read_only": (
            "The payment method changes only while the order is a draft or waiting for shipping."
        ),
        "pay.record_legend": "Record money received",
        "pay.record_amount": "Amount received (e.g. 250k, 250.000)",
        "pay.reference": "Note or transaction reference (optional)",
        "pay.record": "Record",
        "pay.need_amount": "Type the amount received.",
        "pay.choose_method": "Choose a payment method.",
        "pay.need_deposit": "A deposit order needs a deposit above 0.",
        "pay.draft_made": "Draft {code} was made, but its payment method is not saved: {reason}",
        "done.payment_method": "Payment method saved.",
        "done.record_payment": "Payment recorded on the order.",
        "pay.unpaid_yes": "I know the money is not all in; {action} anyway",
        "pay.unpaid_no": "No, wait for the money",
        "pay.approve_unpaid": "The transfer is not all in; ship anyway",
        "pay.cod_hint": "A transfer order: the shipper collects nothing.",
        "list.payment": "Payment",
        "list.all_payments": "Any payment",
        "pay.filter.awaiting_transfer": "Awaiting transfer",
        "pay.filter.overpaid": "Buyer sent too much",
        "pay.badge.awaiting": "Awaiting {amount}",
        "pay.badge.paid": "Paid",
        "pay.badge.overpaid": "Overpaid {amount}",
        "nav.payments": "Transfers",
        "payments.title": "Bank transfers",
        "payments.unmatched": "Waiting for an order",
        "payments.all": "All",
        "payments.none_unmatched": "No transfer waits for an order.",
        "payments.none": "No transfers yet.",
        "payments.at": "Time",
        "payments.amount": "Amount",
        "payments.content": "Content",
        "payments.bank": "Bank",
        "payments.state": "State",
        "payments.order": "Order",
        "payments.attach_code": "Order code (e.g. DH000123)",
        "payments.attach": "Attach to order",
        "payments.open_order": "Open the order",
        "payments.attached": "{amount} attached to order {code}.",
        "payments.attached_by": "attached by {name}",
        "payments.no_order": "There is no order '{code}'.",
        "payments.need_code": "Type the order code to attach the transfer to.",
        "payments.note.no_code": "The content names no order code",
        "payments.note.unknown_code": "The code in the content matches no order",
        "payments.note.several_orders": "The content names several orders",
        "payments.note.order_cancelled": (
            "The order it names is cancelled: refund or attach elsewhere"
        ),
        "payments.note.refused": "The order could not take this payment",
    },
}
