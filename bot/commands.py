"""Chat commands that need nothing but the bot: `/start` and `/help`.

The order commands (`/orders`, `/excel`, `/order`, `/claim`, `/live`, `/debt`, `/staff`) come
with the handlers that act on orders; `/help` already names them so staff learn one list.
"""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, ContextTypes

from bot.strings import language_key

HELP = {
    "vi": (
        "<b>chotdon</b>: chốt đơn livestream ngay trong nhóm.\n"
        "/orders [mine | @tên | live VIDEO_ID]: danh sách đơn theo trạng thái, nhân viên, live\n"
        "/excel [trạng thái | mine | live …]: tải danh sách đơn (mọi trang) về file Excel\n"
        "/order MÃ: mở thẻ một đơn\n"
        "/new: tạo đơn mới cho khách gọi điện hoặc nhắn tin (hỏi SĐT, tên, địa chỉ, sản phẩm)\n"
        "/claim (trả lời một thẻ): nhận chăm sóc khách này\n"
        "/live: các phiên live và số đơn; quản lý: /live open VIDEO_ID, /live close VIDEO_ID\n"
        "/batch THAO_TÁC MÃ… | TRẠNG_THÁI: làm một thao tác cho nhiều đơn (ví dụ /batch "
        "create_order draft)\n"
        "/debt: tiền COD đơn vị giao còn nợ\n"
        "/staff: nhân viên (quản lý): /staff add TELEGRAM_ID VAI_TRÒ TÊN, /staff remove ID\n"
        "/web: link đăng nhập trang quản lý đơn (gửi riêng cho bạn)\n"
        "/report [live | TỪ_NGÀY ĐẾN_NGÀY]: số liệu hôm nay, của live, theo ngày, kèm biểu đồ\n"
        "/help: hướng dẫn này"
    ),
    "en": (
        "<b>chotdon</b>: close livestream orders right in the group.\n"
        "/orders [mine | @name | live VIDEO_ID]: orders by status, by staff, by live session\n"
        "/excel [status | mine | live …]: the orders list (every page) as an Excel file\n"
        "/order CODE: open an order's card\n"
        "/new: a new order for a buyer who phoned or wrote (asks phone, name, address, items)\n"
        "/claim (as a reply to a card): take care of this buyer\n"
        "/live: live sessions and counts; managers: /live open VIDEO_ID, /live close VIDEO_ID\n"
        "/batch ACTION CODE… | STATUS: one action on many orders (e.g. /batch create_order "
        "draft)\n"
        "/debt: COD the shippers still owe\n"
        "/staff: staff (managers): /staff add TELEGRAM_ID ROLE NAME, /staff remove TELEGRAM_ID\n"
        "/web: a sign-in link for the order pages (sent to you privately)\n"
        "/report [live | FROM TO]: today's figures, a live's, day by day, with a chart\n"
        "/help: this help"
    ),
}
COMMANDS = (
    "orders",
    "excel",
    "order",
    "new",
    "claim",
    "live",
    "batch",
    "debt",
    "staff",
    "web",
    "report",
    "help",
)


def help_text(language: str | None) -> str:
    return HELP[language_key(language)]


def menu(language: str | None) -> list[BotCommand]:
    """The commands Telegram lists when staff type `/`, described in the shop's language."""
    lines = help_text(language).splitlines()[1:]
    described = {line.split(":", 1)[0].split()[0].lstrip("/"): line for line in lines}
    return [BotCommand(name, described[name].split(":", 1)[1].strip()[:256]) for name in COMMANDS]


def handlers(language: str | None) -> list[CommandHandler]:
    async def show_help(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                help_text(language), parse_mode=ParseMode.HTML
            )

    return [CommandHandler(["start", "help"], show_help)]
