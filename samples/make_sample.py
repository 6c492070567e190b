"""Writes the sample livestream: `livestream.jsonl`, `items.csv`, `livestream.expected.json`.

    python samples/make_sample.py

Deterministic (seeded), so the files only change when this script does. A few buyers follow a
script that shows each rule (every syntax of COMMENT_SYNTAX.md, an edit, a removal, a duplicate,
a cancel, an unknown code, a phone given before ordering); the others comment at random from
templates whose meaning is known. Alongside the comments the script keeps its own small model of
what each buyer ends up ordering, written to `livestream.expected.json` for the end-to-end test.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20260314
VIDEO_ID = "1203456789012345"
PAGE_ID = "100000000000001"
START = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # 19:00 in Vietnam
LENGTH = timedelta(minutes=45)
VIETNAM = timezone(timedelta(hours=7))

ITEMS = [  # sku, name, price, stock, weight_g, code
    ("AO-THUN-TRANG", "Áo thun trắng", 150000, 200, 200, "A1"),
    ("AO-THUN-DEN", "Áo thun đen", 150000, 200, 200, "A2"),
    ("QUAN-JEAN-XANH", "Quần jean xanh", 320000, 80, 500, "B3"),
    ("SET-DO-BO-LUA", "Set đồ bộ lụa", 250000, 60, 300, "SP12"),
    ("VAY-HOA-NHI", "Váy hoa nhí", 280000, 40, 250, "C5"),
    ("DAM-MAXI", "Đầm maxi đi biển", 390000, 30, 350, "D7"),
    ("TUI-XACH-MINI", "Túi xách mini", 190000, 25, 400, "T3"),
    ("NON-RONG-VANH", "Nón rộng vành", 90000, 50, 150, "N1"),
]
CODES = [item[5] for item in ITEMS]

NAMES = [
    "Nguyễn Thị Hoa",
    "Trần Ngọc Lan",
    "Lê Thu Trang",
    "Phạm Minh Anh",
    "Hoàng Thị Mai",
    "Vũ Bích Ngọc",
    "Đặng Thanh Hương",
    "Bùi Thị Thảo",
    "Đỗ Phương Linh",
    "Hồ Ngọc Hân",
    "Ngô Thị Yến",
    "Dương Mỹ Duyên",
    "Lý Thị Nga",
    "Phan Thanh Tâm",
    "Võ Thị Hạnh",
    "Trịnh Kim Chi",
    "Đinh Thị Loan",
    "Lâm Thuý Vy",
    "Mai Anh Thư",
    "Cao Thị Nhung",
    "Tạ Minh Châu",
    "Hà Thị Quyên",
    "Lương Bảo Trâm",
    "Kiều Thị Vân",
    "Tô Ngọc Diệp",
    "Châu Thị Kiều",
    "Quách Thu Hà",
    "Thái Thị Hằng",
    "Triệu Mỹ Linh",
    "Âu Thị Hồng",
    "Nguyễn Văn Hùng",
    "Trần Quốc Bảo",
    "Lê Hoàng Nam",
    "Phạm Đức Thắng",
    "Huỳnh Thị Cúc",
    "Nguyễn Thị Tuyết",
    "Đoàn Thị Xuân",
    "La Thị Phượng",
    "Khổng Thị Oanh",
    "Mạc Thị Dung",
]

# Order comments by template: (text, lines as (code, quantity)); {c} is the code, {q} a quantity.
ONE_LINE = [
    ("{c}", 1),
    ("{c} {q}", None),
    ("Chốt {c}x{q}", None),
    ("chot {lc} * {q} nha", None),
    ("lấy {q} cái {c}", None),
    ("{c} {q}c", None),
    ("{c} sl {q}", None),
    ("đặt {c} nhé shop 😍", 1),
    ("mua {c} ạ", 1),
    ("{c} x {q} nha chị", None),
    ("chốt {c} size L", 1),
    ("{c} M đen", 1),
]
QUESTIONS = [
    "{c} còn không ạ?",
    "giá {c} bao nhiêu",
    "{c} còn size M không shop?",
    "{c} màu gì vậy ạ?",
    "{c} còn k shop ơi?",
]
CHATTER = [
    "đẹp quá 😍",
    "❤️❤️❤️",
    "Chào shop ạ",
    "chị mặc đẹp quá",
    "20h30 live tiếp nha",
    "hôm nay nhiều mẫu mới ghê",
    "👍👍",
    "haha dễ thương",
    "vải mát lắm chị ơi",
    "🥰",
    "Shop ở Hà Nội hay Sài Gòn vậy?",
    "mẫu này mặc đi chơi hợp nè",
]
PHONES = [
    ("0912 345 {n:03d}", "0912345{n:03d}"),
    ("sđt em 0987.654.{n:03d} nha shop", "0987654{n:03d}"),
    ("+84 903 111 {n:03d}", "0903111{n:03d}"),
    ("số em 0358-222-{n:03d}", "0358222{n:03d}"),
]


@dataclass
class Said:
    """One line of the file, and where in time it falls among the buyer's own lines."""

    from_id: str
    from_name: str
    message: str
    verb: str = "add"
    target: str | None = None  # for edited/remove: the key of the comment it changes
    key: str = ""
    at: datetime = START


@dataclass
class Buyer:
    from_id: str
    name: str
    said: list[Said] = field(default_factory=list)

    def say(self, message: str, *, verb: str = "add", target: str | None = None) -> str:
        key = f"{self.from_id}:{len(self.said)}"
        self.said.append(Said(self.from_id, self.name, message, verb, target, key))
        return key


@dataclass
class Model:
    """What the service should make of one buyer's comments, written independently of it."""

    lines: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # comment -> lines
    texts: dict[str, str] = field(default_factory=dict)  # comment -> normalised text
    phone: str | None = None
    made_draft: bool = False  # a draft stays, even emptied by cancels, until staff act

    def _present(self) -> set[str]:
        return {key for key, lines in self.lines.items() if lines}

    def order(self, key: str, text: str, lines: list[tuple[str, int]]) -> None:
        norm = " ".join(text.casefold().split())
        if any(self.texts.get(k) == norm for k in self._present()):
            return  # the same words already count in the draft
        self.texts[key] = norm
        self.lines[key] = list(lines)
        self.made_draft = True

    def edit(self, key: str, text: str, lines: list[tuple[str, int]]) -> None:
        self.lines.pop(key, None)
        self.texts.pop(key, None)
        self.order(key, text, lines)

    def remove(self, key: str) -> None:
        self.lines.pop(key, None)

    def cancel(self, code: str | None) -> None:
        for key, lines in self.lines.items():
            self.lines[key] = [line for line in lines if code is not None and line[0] != code]

    def final(self) -> list[tuple[str, int]]:
        return sorted(line for lines in self.lines.values() for line in lines)


def _template_order(rng: random.Random, code: str) -> tuple[str, list[tuple[str, int]]]:
    template, fixed = rng.choice(ONE_LINE)
    quantity = fixed or rng.randint(2, 5)
    text = template.format(c=code, lc=code.lower(), q=quantity)
    return text, [(code, quantity)]


def scripted(buyers: list[Buyer], models: dict[str, Model]) -> None:
    """Buyers whose comments show each rule; their expected drafts are spelled out here."""
    b = buyers
    m = {buyer.from_id: models[buyer.from_id] for buyer in b}

    def order(buyer: Buyer, text: str, lines: list[tuple[str, int]]) -> str:
        key = buyer.say(text)
        m[buyer.from_id].order(key, text, lines)
        return key

    # 0: several syntaxes, a phone in the comment, several items in one comment.
    order(b[0], "A1", [("A1", 1)])
    order(b[0], "A1 2c, A2 1c", [("A1", 2), ("A2", 1)])
    order(b[0], "B3 sl 4 sđt 0987.654.321", [("B3", 4)])
    m[b[0].from_id].phone = "0987654321"
    # 1: leading zeros, spaced code, variants, number words.
    order(b[1], "a01 2", [("A1", 2)])
    order(b[1], "sp 12 size L", [("SP12", 1)])
    order(b[1], "hai cái A2", [("A2", 2)])
    b[1].say("A1 còn không ạ?")
    # 2: a duplicate (the same words twice count once), then chatter.
    order(b[2], "Chốt A1x3", [("A1", 3)])
    order(b[2], "Chốt A1x3", [("A1", 3)])
    b[2].say("đẹp quá 😍")
    # 3: an edit replaces what the comment ordered.
    first = order(b[3], "B3 2", [("B3", 2)])
    text = "B3 3"
    b[3].say(text, verb="edited", target=first)
    m[b[3].from_id].edit(first, text, [("B3", 3)])
    order(b[3], "lấy 2 cái C5", [("C5", 2)])
    # 4: a removed comment takes its lines back.
    order(b[4], "D7", [("D7", 1)])
    gone = order(b[4], "T3 2", [("T3", 2)])
    b[4].say("", verb="remove", target=gone)
    m[b[4].from_id].remove(gone)
    # 5: a cancel of one code, then of everything, then a new order.
    order(b[5], "A1 2 B3", [("A1", 2), ("B3", 1)])
    b[5].say("huỷ A1")
    m[b[5].from_id].cancel("A1")
    order(b[5], "N1 2", [("N1", 2)])
    # 6: right syntax, wrong code; a number too large to be a quantity.
    order(b[6], "Z9 2", [("Z9", 2)])
    order(b[6], "A1 90", [("A1", 1)])
    # 7: a phone given before ordering fills the draft made later.
    b[7].say("0912 345 678")
    m[b[7].from_id].phone = "0912345678"
    order(b[7], "chot a1 * 2 nha", [("A1", 2)])
    order(b[7], "A1 M đen 0912 345 678", [("A1", 1)])
    # 8: asks only: no draft.
    b[8].say("giá B3 bao nhiêu")
    b[8].say("C5 còn size M không shop?")
    # 9: orders, then cancels all.
    order(b[9], "A1 +84 912345679", [("A1", 1)])
    m[b[9].from_id].phone = "0912345679"
    b[9].say("hủy hết nha shop")
    m[b[9].from_id].cancel(None)


def randomly(rng: random.Random, buyer: Buyer, model: Model, number: int) -> None:
    """A viewer: chatter and questions, and for most some orders, duplicates, edits, removals
    and cancels. Each order comment names a code of its own, so no two differ only in form."""

    def chat() -> None:
        for _ in range(rng.randint(2, 6)):
            if rng.random() < 0.4:
                buyer.say(rng.choice(QUESTIONS).format(c=rng.choice(CODES)))
            else:
                buyer.say(rng.choice(CHATTER))

    chat()
    if rng.random() < 0.15:
        return  # only watches
    if rng.random() < 0.3:
        shown, phone = rng.choice(PHONES)
        buyer.say(shown.format(n=number))
        model.phone = phone.format(n=number)
    codes = rng.sample(CODES, rng.randint(1, 4))
    keys: list[tuple[str, str]] = []
    for code in codes:
        text, lines = _template_order(rng, code)
        key = buyer.say(text)
        model.order(key, text, lines)
        keys.append((key, code))
        if rng.random() < 0.2:
            buyer.say(text)  # the same words again
            model.order(buyer.said[-1].key, text, lines)
        if rng.random() < 0.5:
            chat()
    if rng.random() < 0.15:
        key, code = keys[0]
        quantity = rng.randint(6, 9)
        text = f"{code} {quantity}"
        buyer.say(text, verb="edited", target=key)
        model.edit(key, text, [(code, quantity)])
    if len(keys) > 1 and rng.random() < 0.15:
        key, _ = keys[-1]
        buyer.say("", verb="remove", target=key)
        model.remove(key)
    if len(keys) > 1 and rng.random() < 0.1:
        _, code = keys[0]
        buyer.say(f"huỷ {code}")
        model.cancel(code)
    if rng.random() < 0.5:
        chat()


def main() -> None:
    rng = random.Random(SEED)
    buyers = [Buyer(str(5_000_000_000_000_000 + 7919 * i), name) for i, name in enumerate(NAMES)]
    models = {buyer.from_id: Model() for buyer in buyers}
    scripted(buyers[:10], models)
    for number, buyer in enumerate(buyers[10:], start=100):
        randomly(rng, buyer, models[buyer.from_id], number)
    page = Buyer(PAGE_ID, "Shop Thời Trang Mây")
    for text in (
        "Chào cả nhà, shop lên mẫu mới nha!",
        "Shop chốt đơn A1 cho chị Hoa nha",
        "B3 còn 5 cái thôi ạ",
        "Cảm ơn cả nhà, 20h30 live tiếp nha ❤️",
    ):
        page.say(text)

    said = _timed(rng, [*buyers, page])
    _write(said, buyers, models)


def _timed(rng: random.Random, people: list[Buyer]) -> list[Said]:
    """Each person's lines keep their order; all are spread over the live, one per second at
    least, so created_time increases through the file."""
    seconds = int(LENGTH.total_seconds())
    everything: list[Said] = []
    for person in people:
        times = sorted(rng.sample(range(seconds), len(person.said)))
        for line, offset in zip(person.said, times, strict=True):
            line.at = START + timedelta(seconds=offset)
            everything.append(line)
    everything.sort(key=lambda line: (line.at, line.key))
    for index, line in enumerate(everything):  # distinct, increasing times
        if index and line.at <= everything[index - 1].at:
            line.at = everything[index - 1].at + timedelta(seconds=1)
    return everything


def _write(said: list[Said], buyers: list[Buyer], models: dict[str, Model]) -> None:
    ids: dict[str, str] = {}
    with (HERE / "livestream.jsonl").open("w", encoding="utf-8") as out:
        for number, line in enumerate(said, start=1):
            if line.target is None:
                ids[line.key] = f"{VIDEO_ID}_{100000 + number}"
            record = {
                "video_id": VIDEO_ID,
                "comment_id": ids[line.target or line.key],
                "from_id": line.from_id,
                "from_name": line.from_name,
                "message": line.message,
                "created_time": line.at.astimezone(VIETNAM).isoformat(),
            }
            if line.verb != "add":
                record["verb"] = line.verb
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (HERE / "items.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["sku", "name", "price", "stock", "weight_g", "code"])
        writer.writerows(ITEMS)
    expected = {
        "video_id": VIDEO_ID,
        "page_id": PAGE_ID,
        "comments": len(said),
        "drafts": {
            buyer.from_id: {
                "name": buyer.name,
                "lines": [list(line) for line in models[buyer.from_id].final()],
                "phone": models[buyer.from_id].phone,
            }
            for buyer in buyers
            if models[buyer.from_id].made_draft
        },
    }
    (HERE / "livestream.expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
