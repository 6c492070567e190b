"""Every word the bot shows staff, Vietnamese and English, in one table.

Kept like `render/strings.py`: one table per language with the same keys, so a string added in
one language and forgotten in the other fails a test instead of showing a raw key in the chat.
Values may hold `str.format` fields (`{count}`); both languages must use the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.wording.labels import INTERFACE, PAYMENT_METHOD, STATUS_AND_ACTION
from application.wording.languages import DEFAULT_LANGUAGE, language_key

__all__ = ["DEFAULT_LANGUAGE", "STRINGS", "language_key", "strings", "text"]

OWN: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        # editable fields
        "field.items": "Sản phẩm",
        "field.name": "Tên khách",
        "field.phone": "Số điện thoại",
        "field.address": "Địa chỉ",
        "field.note": "Ghi chú",
        "field.cod": "Thu hộ (COD)",
        "field.shipping_fee": "Phí vận chuyển",
        "field.discount": "Giảm giá",
        "new.ask_phone": "số điện thoại khách của đơn mới? (gõ - nếu chưa có)",
        "new.ask_name": "tên khách?",
        "new.ask_address": "địa chỉ giao hàng: số nhà và đường, phường/xã, tỉnh/thành "
        "(gõ - để bỏ qua)",
        "new.ask_items": "sản phẩm, viết như bình luận: A1 2, B3 1",
        "new.placeholder_phone": "0912345678",
        "new.placeholder_name": "Nguyễn Thị Hoa",
        "new.placeholder_address": "12 Lý Thường Kiệt, P. Cửa Nam, Hà Nội",
        "new.placeholder_items": "A1 2, B3 1",
        "new.known": "👤 Khách quen: <b>{name}</b> · {phone}\n📍 {address}\nGiữ thông tin này?",
        "new.no_address": "(chưa có địa chỉ)",
        "new.keep": "✅ Giữ",
        "new.change": "✏️ Nhập lại",
        "new.summary": "🆕 <b>Đơn mới</b>\n👤 {name} · {phone}\n📍 {address}\n{lines}\n"
        "<b>Tổng cộng: {total}</b>",
        "new.create": "Tạo đơn nháp",
        "new.cancel": "Huỷ",
        "new.created": "Đã tạo đơn nháp {code}",
        "new.cancelled": "Đã huỷ đơn mới",
        "new.gone": "Đơn mới này đã được tạo hoặc đã huỷ",
        "field.price": "Giá",
        "card.discount": "Giảm giá",
        "prompt.discount": "nhập số tiền giảm giá cho đơn {code}, ví dụ 50k; gõ 0 để bỏ giảm giá",
        "prompt.price": "nhập giá mới của đơn {code}: mã và giá, ví dụ A1 150k, B3 90k "
        "(đơn một sản phẩm: chỉ cần giá)",
        "placeholder.discount": "50k",
        "placeholder.price": "A1 150k",
        "reply.no_lines": "Đơn chưa có sản phẩm nào để đổi giá.",
        "reply.price_code": "Đơn không có mã {codes}. Các mã trong đơn: {known}.",
        # carriers
        "ship.ask_individual": "Shipper riêng (nhập tên, SĐT)",
        "ship.no_quote": "chưa có giá",
        # card
        "card.prefilled": "theo đơn trước",
        "card.address_review": "Địa chỉ khách tự ghi, chưa khớp phường/xã và tỉnh: cần kiểm tra",
        "card.flagged": "Khách bị gắn cờ",
        "menu.flag": "🚩 Gắn cờ khách",
        "menu.unflag": "Bỏ cờ khách",
        "prompt.flag": "nhập lý do gắn cờ khách của đơn {code} (bom hàng, hủy nhiều lần…)",
        "placeholder.flag": "Bom hàng 2 lần",
        "done.flag": "🚩 Đã gắn cờ khách của đơn {code}",
        "done.unflag": "Đã bỏ cờ khách của đơn {code}",
        "risky.ask": "Khách bị gắn cờ: {reason}. Vẫn {action}?",
        "risky.yes": "Có, vẫn {action}",
        "risky.no": "Không",
        # money
        "card.paid": "đã nhận {amount}",
        "card.no_deposit": "chưa nhận cọc",
        "card.nothing_paid": "chưa nhận tiền",
        "card.awaiting": "còn chờ {amount}",
        "card.overpaid": "Khách chuyển thừa {amount}",
        "card.paid_in_full": "Đã nhận đủ tiền",
        "menu.payment": "💳 Thanh toán",
        "menu.record_payment": "💰 Ghi nhận đã nhận tiền",
        "done.payment": "Đơn {code}: thanh toán {method}",
        "done.received": "Đã ghi nhận tiền cho đơn {code}: đã nhận {paid}, còn {due}",
        "field.deposit": "Tiền cọc",
        "prompt.deposit": "nhập số tiền cọc cho đơn {code}, ví dụ 100k",
        "prompt.received": (
            "nhập số tiền đã nhận cho đơn {code} (tiền mặt, hoặc chuyển khoản thấy trong app "
            "ngân hàng), ví dụ 200k"
        ),
        "placeholder.deposit": "100k",
        "placeholder.received": "200k",
        "unpaid.ask_transfer": "Đơn {code} chưa nhận đủ tiền chuyển khoản (còn chờ {asked}). "
        "Vẫn giao?",
        "unpaid.ask_deposit": "Đơn {code} chưa nhận đủ tiền cọc (còn chờ {asked}). Vẫn giao?",
        "card.order": "Đơn",
        "card.buyer": "Khách",
        "card.phone": "SĐT",
        "card.address": "Địa chỉ",
        "card.missing": "(chưa có)",
        "card.lines": "Sản phẩm",
        "card.no_lines": "(Chưa có sản phẩm)",
        "card.unknown_code": "MÃ KHÔNG CÓ TRONG BUỔI LIVE, chọn sản phẩm",
        "card.waitlisted": "CHỜ HÀNG (hết hàng)",
        "card.needs_review": "cần kiểm tra",
        "card.more_lines": "… và {count} dòng nữa",
        "card.subtotal": "Tạm tính",
        "card.shipping_fee": "Phí vận chuyển",
        "card.total": "Tổng cộng",
        "card.cod": "Thu hộ (COD)",
        "card.prepaid": "Đã thanh toán trước (không thu hộ)",
        "card.no_items": "Chưa có sản phẩm",
        "card.shipper": "Vận chuyển",
        "card.tracking": "Mã vận đơn",
        "card.carrier_status": "Trạng thái hãng",
        "card.requesting": "Đang chờ đơn vị vận chuyển nhận đơn",
        "card.cancelling": "Đang hủy vận đơn với đơn vị vận chuyển",
        "card.refused": "Đơn vị vận chuyển từ chối",
        "card.manual_override": "Đã đổi trạng thái tay: không theo dõi hãng vận chuyển nữa",
        "card.risky": "Cảnh báo: khách có {count} đơn giao thất bại hoặc bị hoàn",
        "card.live": "Live",
        "card.first_comment": "Bình luận đầu",
        "card.staff": "Nhân viên",
        "card.no_staff": "Chưa ai nhận",
        "card.note": "Ghi chú",
        "card.created": "Tạo lúc",
        # menus and lists
        "menu.back": "« Quay lại",
        "menu.close": "Đóng",
        "menu.ship_title": "Chọn đơn vị vận chuyển",
        "menu.edit_title": "Sửa thông tin nào?",
        "menu.fix_title": "Chọn mã đúng cho dòng này",
        "list.previous": "‹ Trước",
        "list.next": "Sau ›",
        "list.empty": "Không có đơn nào",
        "digest.title": "{count} đơn nháp mới: bấm để mở thẻ",
        # digests
        "digest.opened": "Thẻ đơn {code} ở cuối nhóm",
        "digest.card_above": "Thẻ đơn {code} đã có trong nhóm: xem tin trả lời bên dưới",
        "digest.card_is_here": "👆 Thẻ đơn {code}",
        # chat edit (prompts)
        "prompt.items": "nhập lại sản phẩm của đơn {code} theo cú pháp bình luận, "
        "ví dụ: A1 2, B3 1",
        "prompt.name": "nhập tên khách của đơn {code}",
        "prompt.phone": "nhập số điện thoại khách của đơn {code}",
        "prompt.address": (
            "nhập địa chỉ đơn {code}: số nhà và đường, phường/xã, tỉnh/thành, "
            "ví dụ: 12 Lý Thường Kiệt, Phường Cửa Nam, Hà Nội"
        ),
        "prompt.note": "nhập ghi chú cho đơn {code} (gõ - để xóa)",
        "prompt.cod": "nhập tiền thu hộ của đơn {code}, ví dụ 250k; gõ 0 nếu đã chuyển khoản, "
        "'tổng' để thu theo tổng đơn",
        "prompt.shipping_fee": "nhập phí vận chuyển của đơn {code}, ví dụ 30k",
        "prompt.shipper": "nhập tên và số điện thoại shipper giao đơn {code}, "
        "ví dụ: Anh Tuấn 0912345678",
        "prompt.hint": "Trả lời (reply) tin nhắn này",
        "placeholder.items": "A1 2, B3 1",
        "placeholder.name": "Nguyễn Thị Hoa",
        "placeholder.phone": "0912345678",
        "placeholder.address": "12 Lý Thường Kiệt, P. Cửa Nam, Hà Nội",
        "placeholder.note": "Giao giờ hành chính",
        "placeholder.cod": "250k",
        "placeholder.shipping_fee": "30k",
        "placeholder.shipper": "Anh Tuấn 0912345678",
        "reply.empty": "Chưa có nội dung.",
        "reply.too_long": "Dài quá: tối đa {limit} ký tự.",
        "reply.bad_phone": "'{typed}' không phải số điện thoại Việt Nam (ví dụ 0912345678).",
        "reply.bad_money": "'{typed}' không phải số tiền (ví dụ 250000, 250k, 1tr2).",
        "reply.too_much": "'{typed}' lớn quá.",
        "reply.no_items": "Không đọc được sản phẩm nào; viết như bình luận: A1 2, B3 1.",
        "reply.unknown_codes": "Không có mã {codes} trong phiên live. Các mã: {known}.",
        "reply.shipper": "Cần cả tên và số điện thoại shipper.",
        "reply.unknown_field": "Không sửa được mục này trong nhóm.",
        "reply.address.no_province": "Địa chỉ cần có tỉnh/thành ở cuối.",
        "reply.address.no_ward": "Không tìm thấy phường/xã trong địa chỉ.",
        "reply.address.no_ward_near": "Không tìm thấy phường/xã. Có phải: {near}?",
        "reply.address.no_street": "Cần số nhà và tên đường trước phường/xã.",
        "reply.stale": "Đơn vừa được sửa ở nơi khác; xem thẻ rồi nhập lại nhé.",
        "reply.saved": "Đã lưu {field} của đơn {code}",
        "alert.not_editable": "Đơn ở trạng thái này không sửa được",
        "done.fix": "Đã đổi mã thành {line} trong đơn {code}",
        "menu.fix_line": "❓ {code}: chọn mã đúng",
        "menu.accept_line": "✅ Đồng ý {code}: {why}",
        "done.accept_line": "Đã đồng ý dòng {line} trong đơn {code}",
        "print.started": "Đang in…",
        "print.failed": "Không in được ({error})",
        "print.bill": "Hóa đơn {code}",
        "print.shipping-note": "Phiếu giao hàng {code}",
        "alert.stale": "Đơn đã thay đổi, đã cập nhật lại thẻ",
        "alert.not_staff": "Chỉ nhân viên mới thao tác được",
        "alert.not_allowed": "Không thể {action} khi đơn ở trạng thái {status}",
        "alert.bad_button": "Nút này không còn dùng được",
        "alert.not_found": "Không tìm thấy đơn",
        "alert.done": "Đã xong",
        "alert.failed": "Có lỗi, chưa làm được; thử lại sau",
        "alert.unavailable": "Nút này chưa dùng được trong nhóm",
        "done.create_order": "Đã tạo đơn {code}",
        "done.save_draft": "Đã lưu nháp đơn {code}",
        "done.send_to_shop": "Đã chuyển đơn {code} cho cửa hàng",
        "done.ship": "Đã gửi đơn {code} cho {carrier}",
        "done.complete": "Đã ghi nhận giao xong đơn {code}",
        "done.failed": "Đã ghi nhận giao thất bại đơn {code}",
        "done.collect_cod": "Đã thu COD đơn {code}",
        "done.return": "Đã ghi nhận hoàn hàng đơn {code}",
        "done.cancel": "Đã hủy đơn {code}",
        # order commands
        "cmd.not_staff": "Chỉ nhân viên của shop mới dùng được lệnh này.",
        "cmd.managers_only": "Chỉ quản lý mới làm được việc này.",
        "cmd.failed": "Có lỗi, chưa làm được; thử lại sau.",
        "cmd.usage": "Cách dùng: {usage}",
        "cmd.more": "… và {count} nữa",
        "usage.batch": (
            "/batch THAO_TÁC MÃ_ĐƠN MÃ_ĐƠN… hoặc /batch THAO_TÁC TRẠNG_THÁI (cả tab), ví dụ "
            "/batch create_order draft · /batch ship ghn DH000001 DH000002 · "
            "/batch ship 0987654321 Anh Tuấn DH000001 (shipper riêng). "
            "Thao tác: create_order, ship, complete, "
            "collect_cod, cancel, failed, return, send_to_shop"
        ),
        "batch.running": "⏳ {action}: đang làm {done}/{total} đơn…",
        "batch.summary": "✅ {action}: xong {ok}/{total} đơn.",
        "batch.refused": "Không làm được {count} đơn:",
        "batch.stopped": "⏹ {action}: dừng giữa chừng ở {done}/{total} đơn.",
        "batch.none": "Không có đơn nào để làm.",
        "batch.unknown_codes": "Không có đơn {codes}.",
        "batch.too_many": "Nhiều quá: mỗi lần tối đa {limit} đơn ({count} đơn được chọn).",
        "usage.orders": "/orders [trạng thái] [mine | @tên_nhân_viên] [live VIDEO_ID | live #SỐ]",
        "usage.order": "/order MÃ_ĐƠN",
        "usage.claim": "trả lời (reply) thẻ một đơn bằng /claim",
        "usage.live": "/live · /live open VIDEO_ID [tiêu đề] · /live close VIDEO_ID hoặc #SỐ",
        "usage.staff": (
            "/staff · /staff add TELEGRAM_ID manager|cashier|sales TÊN · /staff remove TELEGRAM_ID"
        ),
        "list.title": "Đơn hàng",
        "list.of_staff": "Nhân viên chăm sóc: {name}",
        "list.of_live": "Live: {title}",
        "list.no_staff_named": "Không có nhân viên nào tên {name}.",
        "list.many_staff_named": "Có nhiều nhân viên tên {name}: {names}. Gõ tên đầy đủ hơn.",
        "list.gone": "Bộ lọc của danh sách này không còn (nhân viên hoặc phiên live đã bị xóa)",
        "order.unknown": "Không có đơn nào mã {code}.",
        "order.history": "🕘 Lịch sử đơn {code}:",
        "claim.not_card": (
            "Tin nhắn được trả lời không phải thẻ đơn: hãy trả lời thẻ đơn bằng /claim."
        ),
        "claim.done": "{staff} nhận chăm sóc khách {buyer} (đơn {code}).",
        "claim.before": "Trước đó: {name}.",
        "claim.already": "Bạn đã nhận chăm sóc khách của đơn {code} rồi.",
        "claim.closed": (
            "Đơn {code} đang ở trạng thái {status}: chỉ nhận chăm sóc khách khi đơn còn là "
            "Nháp hoặc Chờ vận chuyển."
        ),
        "claim.busy": "Đơn {code} vừa bị thay đổi nhiều lần, thử /claim lại.",
        "debt.title": "Tiền COD đơn vị giao còn nợ",
        "debt.none": "Không đơn vị giao nào còn nợ tiền COD.",
        "debt.orders": "{count} đơn",
        "debt.total": "Tổng còn nợ",
        "live.title": "Các phiên live",
        "live.none": "Chưa có phiên live nào. Quản lý mở phiên: /live open VIDEO_ID",
        "live.unknown": "Không có phiên live {live}.",
        "live.open": "🟢 đang nhận đơn",
        "live.page": "Trang {page}",
        "live.closed": "🔴 đã dừng nhận đơn",
        "live.counts": "💬 {comments} bình luận · 🧾 {orders} đơn ({drafts} nháp)",
        "live.sources": "📡 webhook {webhook} · quét lại {poll}",
        "live.sources_instagram": " · Instagram {instagram}",
        "live.orders_button": "📋 Đơn của live #{number}",
        "live.manage": "Quản lý: /live open VIDEO_ID [tiêu đề] · /live close VIDEO_ID",
        "live.opened": "Đã mở nhận đơn cho live {live}.",
        "live.closed_now": (
            "Đã dừng nhận đơn cho live {live}: bình luận sau đó vẫn được giữ, đánh dấu là trễ."
        ),
        "live.auto_opened": (
            "📺 <b>Live đã bắt đầu</b>: {title}\nVideo <code>{video}</code> · {codes} mã hàng"
            " · đang nhận đơn"
        ),
        "live.auto_opened_instagram": (
            "📸 <b>Live Instagram đã bắt đầu</b>: {title}\nVideo <code>{video}</code>"
            " · {codes} mã hàng · đang nhận đơn"
        ),
        "live.untitled": "(chưa có tiêu đề)",
        "live.stop_button": "⏹ Dừng nhận đơn",
        "live.stopped_by": "⏹ Đã dừng nhận đơn ({name}).",
        "staff.title": "Nhân viên",
        "staff.none": "Chưa có nhân viên nào.",
        "staff.added": "Đã thêm {name} ({role}), Telegram id {telegram_id}.",
        "staff.updated": "Đã cập nhật {name} ({role}), Telegram id {telegram_id}.",
        "staff.removed": "Đã xóa Telegram id {telegram_id} khỏi nhân viên.",
        "staff.unknown": "Không có nhân viên nào có Telegram id {telegram_id}.",
        "staff.last_manager": "{name} là quản lý duy nhất: hãy thêm một quản lý khác trước.",
        # web sign-in
        "web.miniapp_button": "📝 Sửa trong ứng dụng",
        "web.link": (
            "🔑 Liên kết đăng nhập trang web của shop, cho {name}. Dùng được một lần, trong 15 "
            "phút; đừng chuyển cho ai:\n{url}"
        ),
        "web.sent_private": "Đã gửi liên kết đăng nhập cho {name} qua tin nhắn riêng.",
        "web.start_private": (
            "Bot chưa nhắn riêng cho {name} được: hãy mở chat riêng với {bot}, bấm Start "
            "rồi gửi /web ở đó."
        ),
        # /report: the shop's figures with a chart
        "usage.report": "/report · /report live · /report TỪ_NGÀY ĐẾN_NGÀY (năm-tháng-ngày)",
        "report.today": "📊 <b>Hôm nay {day}</b>",
        "report.range": "📊 <b>Từ {start} đến {end}</b>",
        "report.shop": (
            "Đơn đã tạo: <b>{created}</b> · Doanh thu: <b>{revenue}</b>\n"
            "Đã gửi vận chuyển: {shipped} · Đã giao: {delivered}\n"
            "COD đã thu: {cod}"
        ),
        "report.top_staff": "🏆 Nhân viên: {staff}",
        "report.no_staff": "🏆 Chưa nhân viên nào có doanh thu.",
        "report.live": "📺 <b>Live: {live}</b>",
        "report.live_running": "🔴 Đang live: số liệu đến lúc này",
        "report.live_figures": (
            "Bình luận: {comments} · Người đặt: {buyers} · Tỉ lệ chốt đơn: {conversion}\n"
            "Đơn nháp: {drafts} · Đơn đã tạo: {created} · Đã hủy: {cancelled}\n"
            "Doanh thu: <b>{revenue}</b> · Trung bình mỗi đơn: {average}\n"
            "Đã gửi vận chuyển: {shipped} · Đã giao: {delivered} · Bị hoàn: {returned}"
        ),
        "report.top_codes": "🔥 Mã bán chạy: {codes}",
        "report.no_live": "Chưa có phiên live nào.",
        "report.page": "Xem chi tiết: {url}",
        "usage.excel": "/excel [trạng thái] [mine | @tên_nhân_viên] [live VIDEO_ID | live #SỐ]",
        "excel.caption": "📊 {what}: {orders} đơn, {lines} dòng hàng",
        "excel.empty": "Không có đơn nào trong {what}: không có gì để xuất.",
    },
    "en": {
        "field.items": "Items",
        "field.name": "Name",
        "field.phone": "Phone",
        "field.address": "Address",
        "field.note": "Note",
        "field.cod": "COD",
        "field.shipping_fee": "Shipping fee",
        "field.discount": "Discount",
        "new.ask_phone": "the new order's buyer phone? (- if unknown)",
        "new.ask_name": "the buyer's name?",
        "new.ask_address": "the delivery address: house number and street, ward, province "
        "(- to skip)",
        "new.ask_items": "the items, as in a comment: A1 2, B3 1",
        "new.placeholder_phone": "0912345678",
        "new.placeholder_name": "Nguyen Thi Hoa",
        "new.placeholder_address": "12 Ly Thuong Kiet, P. Cua Nam, Ha Noi",
        "new.placeholder_items": "A1 2, B3 1",
        "new.known": "👤 Known buyer: <b>{name}</b> · {phone}\n📍 {address}\nKeep these details?",
        "new.no_address": "(no address yet)",
        "new.keep": "✅ Keep",
        "new.change": "✏️ Type again",
        "new.summary": "🆕 <b>New order</b>\n👤 {name} · {phone}\n📍 {address}\n{lines}\n"
        "<b>Total: {total}</b>",
        "new.create": "Create draft",
        "new.cancel": "Cancel",
        "new.created": "Draft {code} created",
        "new.cancelled": "New order cancelled",
        "new.gone": "This new order was already created or cancelled",
        "field.price": "Price",
        "card.discount": "Discount",
        "prompt.discount": "type the discount for order {code}, e.g. 50k; 0 removes it",
        "prompt.price": "type the new prices of order {code}: code and price, e.g. A1 150k, "
        "B3 90k (an order of one item: just the price)",
        "placeholder.discount": "50k",
        "placeholder.price": "A1 150k",
        "reply.no_lines": "The order has no items to reprice.",
        "reply.price_code": "The order has no code {codes}. Its codes: {known}.",
        "ship.ask_individual": "Individual shipper (enter name, phone)",
        "ship.no_quote": "no quote",
        "card.prefilled": "from the last order",
        "card.address_review": "Address as the buyer wrote it, no ward or province matched: check",
        "card.flagged": "Flagged buyer",
        "menu.flag": "🚩 Flag buyer",
        "menu.unflag": "Unflag buyer",
        "prompt.flag": "type why the buyer of order {code} is flagged (refused parcels…)",
        "placeholder.flag": "Refused 2 parcels",
        "done.flag": "🚩 The buyer of order {code} is flagged",
        "done.unflag": "The buyer of order {code} is no longer flagged",
        "risky.ask": "Flagged buyer: {reason}. Still {action}?",
        "risky.yes": "Yes, {action}",
        "risky.no": "No",
        # money
        "card.paid": "{amount} received",
        "card.no_deposit": "deposit not received",
        "card.nothing_paid": "nothing received",
        "card.awaiting": "{amount} still awaited",
        "card.overpaid": "The buyer sent {amount} too much",
        "card.paid_in_full": "Paid in full",
        "menu.payment": "💳 Payment",
        "menu.record_payment": "💰 Record money received",
        "done.payment": "Order {code}: paid by {method}",
        "done.received": "Money recorded for order {code}: {paid} received, {due} left",
        "field.deposit": "Deposit",
        "prompt.deposit": "type the deposit for order {code}, e.g. 100k",
        "prompt.received": (
            "type the money received for order {code} (cash, or a transfer seen in the bank's "
            "app), e.g. 200k"
        ),
        "placeholder.deposit": "100k",
        "placeholder.received": "200k",
        "unpaid.ask_transfer": "Order {code}: the transfer has not fully come in ({asked} still "
        "awaited). Ship anyway?",
        "unpaid.ask_deposit": "Order {code}: the deposit has not fully come in ({asked} still "
        "awaited). Ship anyway?",
        "card.order": "Order",
        "card.buyer": "Buyer",
        "card.phone": "Phone",
        "card.address": "Address",
        "card.missing": "(missing)",
        "card.lines": "Items",
        "card.no_lines": "(No items yet)",
        "card.unknown_code": "CODE NOT IN THIS LIVE, pick the item",
        "card.waitlisted": "WAITLISTED (out of stock)",
        "card.needs_review": "check this",
        "card.more_lines": "… and {count} more lines",
        "card.subtotal": "Subtotal",
        "card.shipping_fee": "Shipping fee",
        "card.total": "Total",
        "card.cod": "COD",
        "card.prepaid": "Prepaid (nothing to collect)",
        "card.no_items": "No items",
        "card.shipper": "Shipper",
        "card.tracking": "Tracking code",
        "card.carrier_status": "Carrier status",
        "card.requesting": "Waiting for the carrier to accept",
        "card.cancelling": "Cancelling the shipment with the carrier",
        "card.refused": "The carrier refused",
        "card.manual_override": "Status changed by hand: no longer following the carrier",
        "card.risky": "Warning: this buyer has {count} failed or returned deliveries",
        "card.live": "Live",
        "card.first_comment": "First comment",
        "card.staff": "Staff",
        "card.no_staff": "Not claimed",
        "card.note": "Note",
        "card.created": "Created",
        "menu.back": "« Back",
        "menu.close": "Close",
        "menu.ship_title": "Choose a carrier",
        "menu.edit_title": "Edit which field?",
        "menu.fix_title": "Pick the right code for this line",
        "list.previous": "‹ Previous",
        "list.next": "Next ›",
        "list.empty": "No orders",
        "digest.title": "{count} new drafts: tap one to open its card",
        # digests
        "digest.opened": "The card of {code} is at the bottom of the chat",
        "digest.card_above": "The card of {code} is already in the chat: see the reply below",
        "digest.card_is_here": "👆 The card of {code}",
        # chat edit (prompts)
        "prompt.items": "type the items of order {code} as in a comment, e.g. A1 2, B3 1",
        "prompt.name": "type the buyer's name for order {code}",
        "prompt.phone": "type the buyer's phone for order {code}",
        "prompt.address": (
            "type the address for order {code}: house and street, ward, province, "
            "e.g. 12 Lý Thường Kiệt, Phường Cửa Nam, Hà Nội"
        ),
        "prompt.note": "type the note for order {code} (- to clear it)",
        "prompt.cod": "type the COD amount for order {code}, e.g. 250k; 0 if prepaid, "
        "'total' to follow the total",
        "prompt.shipping_fee": "type the shipping fee for order {code}, e.g. 30k",
        "prompt.shipper": "type the name and phone of the shipper for order {code}, "
        "e.g. Tuan 0912345678",
        "prompt.hint": "Reply to this message",
        "placeholder.items": "A1 2, B3 1",
        "placeholder.name": "Nguyen Thi Hoa",
        "placeholder.phone": "0912345678",
        "placeholder.address": "12 Ly Thuong Kiet, P. Cua Nam, Ha Noi",
        "placeholder.note": "Deliver in office hours",
        "placeholder.cod": "250k",
        "placeholder.shipping_fee": "30k",
        "placeholder.shipper": "Tuan 0912345678",
        "reply.empty": "Nothing was typed.",
        "reply.too_long": "Too long: at most {limit} characters.",
        "reply.bad_phone": "'{typed}' is not a Vietnamese phone number (e.g. 0912345678).",
        "reply.bad_money": "'{typed}' is not an amount (e.g. 250000, 250k, 1tr2).",
        "reply.too_much": "'{typed}' is too large.",
        "reply.no_items": "No items could be read; write them as in a comment: A1 2, B3 1.",
        "reply.unknown_codes": "The live session has no code {codes}. Its codes: {known}.",
        "reply.shipper": "The shipper's name and phone are both needed.",
        "reply.unknown_field": "This field cannot be edited in the chat.",
        "reply.address.no_province": "The address must end with the province or city.",
        "reply.address.no_ward": "No ward was found in the address.",
        "reply.address.no_ward_near": "No ward was found. Did you mean: {near}?",
        "reply.address.no_street": "Add the house number and street before the ward.",
        "reply.stale": "The order was just changed elsewhere; check the card and type again.",
        "reply.saved": "Saved the {field} of order {code}",
        "alert.not_editable": "An order in this status cannot be edited",
        "done.fix": "Line code set to {line} in order {code}",
        "menu.fix_line": "❓ {code}: pick the right code",
        "menu.accept_line": "✅ Accept {code}: {why}",
        "done.accept_line": "Line {line} of order {code} accepted as read",
        "print.started": "Printing…",
        "print.failed": "Could not print ({error})",
        "print.bill": "Bill {code}",
        "print.shipping-note": "Shipping note {code}",
        "alert.stale": "The order changed; the card is updated",
        "alert.not_staff": "Only staff can do this",
        "alert.not_allowed": "Cannot {action} while the order is {status}",
        "alert.bad_button": "This button no longer works",
        "alert.not_found": "Order not found",
        "alert.done": "Done",
        "alert.failed": "Something went wrong; nothing was done, try again later",
        "alert.unavailable": "This button does not work in the chat yet",
        "done.create_order": "Order {code} created",
        "done.save_draft": "Draft {code} saved",
        "done.send_to_shop": "Order {code} sent to the shop",
        "done.ship": "Order {code} handed to {carrier}",
        "done.complete": "Order {code} delivered",
        "done.failed": "Order {code} marked failed to ship",
        "done.collect_cod": "COD of order {code} collected",
        "done.return": "Order {code} marked returned",
        "done.cancel": "Order {code} cancelled",
        # order commands
        "cmd.not_staff": "Only the shop's staff can use this command.",
        "cmd.managers_only": "Only managers can do this.",
        "cmd.failed": "Something went wrong; nothing was done, try again later.",
        "cmd.usage": "Usage: {usage}",
        "cmd.more": "… and {count} more",
        "usage.batch": (
            "/batch ACTION CODE CODE… or /batch ACTION STATUS (the whole tab), e.g. "
            "/batch create_order draft · /batch ship ghn DH000001 DH000002 · "
            "/batch ship 0987654321 Anh Tuấn DH000001 (an individual shipper). "
            "Actions: create_order, ship, complete, "
            "collect_cod, cancel, failed, return, send_to_shop"
        ),
        "batch.running": "⏳ {action}: {done}/{total} orders done so far…",
        "batch.summary": "✅ {action}: {ok}/{total} orders done.",
        "batch.refused": "{count} orders refused:",
        "batch.stopped": "⏹ {action}: stopped part way, at {done}/{total} orders.",
        "batch.none": "No order to act on.",
        "batch.unknown_codes": "There is no order {codes}.",
        "batch.too_many": "Too many: at most {limit} orders at a time ({count} selected).",
        "usage.orders": "/orders [status] [mine | @staff_name] [live VIDEO_ID | live #N]",
        "usage.order": "/order CODE",
        "usage.claim": "reply to an order's card with /claim",
        "usage.live": "/live · /live open VIDEO_ID [title] · /live close VIDEO_ID or #N",
        "usage.staff": (
            "/staff · /staff add TELEGRAM_ID manager|cashier|sales NAME · /staff remove TELEGRAM_ID"
        ),
        "list.title": "Orders",
        "list.of_staff": "Taken care of by: {name}",
        "list.of_live": "Live: {title}",
        "list.no_staff_named": "No staff member is called {name}.",
        "list.many_staff_named": "Several staff members are called {name}: {names}. Type more.",
        "list.gone": "This list's filter is gone (the staff member or live session was removed)",
        "order.unknown": "There is no order {code}.",
        "order.history": "🕘 History of order {code}:",
        "claim.not_card": "The message you replied to is not an order's card: reply to a card.",
        "claim.done": "{staff} now takes care of {buyer} (order {code}).",
        "claim.before": "Before: {name}.",
        "claim.already": "You already take care of the buyer of order {code}.",
        "claim.closed": (
            "Order {code} is {status}: a buyer can be claimed only while the order is a Draft "
            "or Waiting for shipping."
        ),
        "claim.busy": "Order {code} kept changing; try /claim again.",
        "debt.title": "COD the shippers still owe",
        "debt.none": "No shipper owes any COD.",
        "debt.orders": "{count} orders",
        "debt.total": "Owed in all",
        "live.title": "Live sessions",
        "live.none": "No live sessions yet. A manager opens one: /live open VIDEO_ID",
        "live.unknown": "There is no live session {live}.",
        "live.open": "🟢 taking orders",
        "live.page": "Page {page}",
        "live.closed": "🔴 ordering closed",
        "live.counts": "💬 {comments} comments · 🧾 {orders} orders ({drafts} drafts)",
        "live.sources": "📡 webhook {webhook} · poll {poll}",
        "live.sources_instagram": " · Instagram {instagram}",
        "live.orders_button": "📋 Orders of live #{number}",
        "live.manage": "Managers: /live open VIDEO_ID [title] · /live close VIDEO_ID",
        "live.opened": "Ordering is open for live {live}.",
        "live.closed_now": (
            "Ordering is closed for live {live}; later comments are kept, flagged late."
        ),
        "live.auto_opened": (
            "📺 <b>A live started</b>: {title}\nVideo <code>{video}</code> · {codes} codes"
            " · taking orders"
        ),
        "live.auto_opened_instagram": (
            "📸 <b>An Instagram live started</b>: {title}\nVideo <code>{video}</code>"
            " · {codes} codes · taking orders"
        ),
        "live.untitled": "(no title)",
        "live.stop_button": "⏹ Stop ordering",
        "live.stopped_by": "⏹ Ordering stopped ({name}).",
        "staff.title": "Staff",
        "staff.none": "No staff yet.",
        "staff.added": "Added {name} ({role}), Telegram id {telegram_id}.",
        "staff.updated": "Updated {name} ({role}), Telegram id {telegram_id}.",
        "staff.removed": "Removed Telegram id {telegram_id} from staff.",
        "staff.unknown": "No staff member has Telegram id {telegram_id}.",
        "staff.last_manager": "{name} is the only manager: add another manager first.",
        # web sign-in
        "web.miniapp_button": "📝 Edit in the app",
        "web.link": (
            "🔑 A sign-in link to the shop's web pages, for {name}. It works once, for 15 "
            "minutes; do not pass it on:\n{url}"
        ),
        "web.sent_private": "Sent {name} a private message with the sign-in link.",
        "web.start_private": (
            "I cannot message {name} privately yet: open a private chat with {bot}, press "
            "Start, then send /web there."
        ),
        # /report: the shop's figures with a chart
        "usage.report": "/report · /report live · /report FROM TO (year-month-day)",
        "report.today": "📊 <b>Today {day}</b>",
        "report.range": "📊 <b>From {start} to {end}</b>",
        "report.shop": (
            "Orders created: <b>{created}</b> · Revenue: <b>{revenue}</b>\n"
            "Shipped: {shipped} · Delivered: {delivered}\n"
            "COD collected: {cod}"
        ),
        "report.top_staff": "🏆 Staff: {staff}",
        "report.no_staff": "🏆 No staff member has revenue yet.",
        "report.live": "📺 <b>Live: {live}</b>",
        "report.live_running": "🔴 Live now: figures so far",
        "report.live_figures": (
            "Comments: {comments} · Buyers: {buyers} · Conversion: {conversion}\n"
            "Drafts: {drafts} · Orders created: {created} · Cancelled: {cancelled}\n"
            "Revenue: <b>{revenue}</b> · Average order: {average}\n"
            "Shipped: {shipped} · Delivered: {delivered} · Returned: {returned}"
        ),
        "report.top_codes": "🔥 Best-selling codes: {codes}",
        "report.no_live": "No live sessions yet.",
        "report.page": "Details: {url}",
        "usage.excel": "/excel [status] [mine | @staff_name] [live VIDEO_ID | live #N]",
        "excel.caption": "📊 {what}: {orders} orders, {lines} lines",
        "excel.empty": "No orders in {what}: nothing to export.",
    },
}


# The status, action, tab, carrier, role and payment method names are the ones the pages and
# refusals use too (`wording.labels`).
STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    language: {
        **STATUS_AND_ACTION[language],
        **INTERFACE[language],
        **{f"pay.{method}": label for method, label in PAYMENT_METHOD[language].items()},
        **table,
    }
    for language, table in OWN.items()
}


def strings(language: str | None) -> Mapping[str, str]:
    """The string table for `language` (see `language_key`)."""
    return STRINGS[language_key(language)]


def text(language: str | None, key: str, **values: object) -> str:
    """One string, with its `{fields}` filled in."""
    template = strings(language)[key]
    return template.format(**values) if values else template
