"""A vertical flow of blocks (lines of text, codes, rules) that grows the page as it fills.

Content is laid out first and painted last, so the image is exactly as tall as what it holds
(a receipt of 60 lines is simply longer) and the same blocks can be cut into fixed-height PDF
pages at block edges, never through a line of text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal

from PIL import Image, ImageDraw

from render.fonts import TextStyle
from render.text import clean, truncate, wrap, wrap_at_most

Align = Literal["left", "center", "right"]
Paint = Callable[[Image.Image, ImageDraw.ImageDraw, int], None]

WHITE = 255
BLACK = 0


@dataclass(frozen=True)
class Block:
    top: int
    height: int
    paint: Paint  # draws the block with its top at the given y

    @property
    def bottom(self) -> int:
        return self.top + self.height


def _single_line(text: str) -> str:
    return " ".join(clean(text).split())


class Flow:
    """Blocks stacked top to bottom between side margins. Every text goes through `clean`
    (NFC) before it is measured, and is wrapped or cut to the content width: nothing drawn
    through a `Flow` can run into the margins."""

    def __init__(self, width: int, *, margin: int, top: int | None = None) -> None:
        self.width = width
        self.margin = margin
        self.top = margin if top is None else top
        self.cursor = self.top
        self.blocks: list[Block] = []
        self.kept: list[tuple[int, int]] = []  # spans a page break must not cut

    @property
    def content_width(self) -> int:
        return self.width - 2 * self.margin

    @property
    def height(self) -> int:
        """The image height the content needs, bottom margin included."""
        return self.cursor + self.top

    def add(self, height: int, paint: Paint) -> None:
        self.blocks.append(Block(self.cursor, height, paint))
        self.cursor += height

    def gap(self, pixels: int) -> None:
        self.cursor += max(0, pixels)

    @contextmanager
    def kept_together(self) -> Iterator[None]:
        """Blocks added inside stay on one PDF page (an item with its price, the totals with
        the COD), unless together they are taller than a page."""
        start = self.cursor
        yield
        self.kept.append((start, self.cursor))

    def _left(self, item_width: float, align: Align, indent: int) -> int:
        left = self.margin + indent
        room = self.content_width - indent
        if align == "center":
            return left + math.floor((room - item_width) / 2)
        if align == "right":
            return left + room - math.ceil(item_width)
        return left

    def _fitted_line(self, text: str, style: TextStyle, align: Align, indent: int) -> None:
        """A line already known to fit (clean and measured by the caller)."""
        x = self._left(style.font.getlength(text), align, indent)

        def paint(_canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
            draw.text((x, y + style.ascent), text, font=style.font, fill=BLACK, anchor="ls")

        self.add(style.line_height, paint)

    def line(self, text: str, style: TextStyle, *, align: Align = "left", indent: int = 0) -> None:
        """One line, cut with `…` when it is too long: for things that must stay on one line,
        such as a carrier's name."""
        room = self.content_width - indent
        self._fitted_line(truncate(text, style.font, room), style, align, indent)

    def shrunk_line(
        self,
        text: str,
        style: TextStyle,
        *,
        align: Align = "left",
        indent: int = 0,
        min_size: int = 14,
    ) -> None:
        """One line in the largest size down to `min_size` at which it fits whole: for what
        must never be cut or wrapped, such as an amount to collect or a tracking code (cut with
        `…` only if even `min_size` is too wide)."""
        text = _single_line(text)
        room = self.content_width - indent
        for size in range(style.size, min_size - 1, -1):
            if style.font.getlength(text) * size / style.size <= room:
                candidate = replace(style, size=size)
                if candidate.font.getlength(text) <= room:
                    self._fitted_line(text, candidate, align, indent)
                    return
        self.line(text, replace(style, size=min_size), align=align, indent=indent)

    def paragraph(
        self,
        text: str,
        style: TextStyle,
        *,
        align: Align = "left",
        indent: int = 0,
        max_lines: int | None = None,
    ) -> int:
        """Wrapped text; returns how many lines it took (0 for empty text)."""
        room = self.content_width - indent
        if max_lines is None:
            lines = wrap(text, style.font, room)
        else:
            lines = wrap_at_most(text, style.font, room, max_lines)
        for text_line in lines:
            self._fitted_line(text_line, style, align, indent)
        return len(lines)

    def labelled(
        self,
        label: str,
        value: str,
        label_style: TextStyle,
        value_style: TextStyle,
        *,
        indent: int = 0,
        max_lines: int | None = None,
        label_width: int | None = None,
    ) -> None:
        """`Label value` with the value wrapping after the label; further lines hang under the
        value's start when the label is short, else start at the left edge. `label_width`
        (at least the label's own width) lines up the values of several rows."""
        label = _single_line(label)
        room = self.content_width - indent
        measured = math.ceil(label_style.font.getlength(label + " "))
        label_width = max(measured, label_width or 0)
        if label_width > room / 2:
            self.paragraph(label, label_style, indent=indent)
            self.paragraph(value, value_style, indent=indent, max_lines=max_lines)
            return
        hang = label_width if label_width <= room / 3 else 0
        first_width = room - label_width
        if max_lines is None:
            lines = wrap(value, value_style.font, room - hang, first_width=first_width)
        else:
            lines = wrap_at_most(
                value, value_style.font, room - hang, max_lines, first_width=first_width
            )
        first = lines[0] if lines else ""
        self._two_styles(label, label_style, first, value_style, indent, label_width)
        for text_line in lines[1:]:
            self._fitted_line(text_line, value_style, "left", indent + hang)

    def _two_styles(
        self,
        left: str,
        left_style: TextStyle,
        right: str,
        right_style: TextStyle,
        indent: int,
        right_x: int | None,
    ) -> None:
        """Two texts on one baseline: the right one at `right_x` past the indent, or flush
        right when `right_x` is None."""
        ascent = max(left_style.ascent, right_style.ascent)
        descent = max(left_style.descent, right_style.descent)
        leading = max(left_style.leading, right_style.leading)
        x_left = self.margin + indent
        if right_x is None:
            x_right = self._left(right_style.font.getlength(right), "right", indent)
        else:
            x_right = x_left + right_x

        def paint(_canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
            baseline = y + ascent
            draw.text((x_left, baseline), left, font=left_style.font, fill=BLACK, anchor="ls")
            if right:
                draw.text(
                    (x_right, baseline), right, font=right_style.font, fill=BLACK, anchor="ls"
                )

        self.add(ascent + descent + leading, paint)

    def pair(
        self,
        left: str,
        right: str,
        left_style: TextStyle,
        right_style: TextStyle | None = None,
        *,
        indent: int = 0,
        min_gap: int = 16,
    ) -> None:
        """A label on the left and a value flush right (`Tổng cộng ... 330.000 đ`); when both
        do not fit on one line the value goes on its own lines below, still flush right."""
        right_style = right_style or left_style
        left, right = _single_line(left), _single_line(right)
        room = self.content_width - indent
        needed = left_style.font.getlength(left) + min_gap + right_style.font.getlength(right)
        if needed <= room:
            self._two_styles(left, left_style, right, right_style, indent, None)
            return
        self.paragraph(left, left_style, indent=indent)
        self.paragraph(right, right_style, align="right", indent=indent)

    def image(self, picture: Image.Image, *, align: Align = "center", indent: int = 0) -> None:
        """A picture (a barcode, a QR code) pasted pixel for pixel, never scaled: scaling
        would break the whole-pixel modules the scanners rely on."""
        room = self.content_width - indent
        if picture.width > room:
            raise ValueError(f"a {picture.width} px wide picture does not fit in {room} px")
        x = self._left(picture.width, align, indent)

        def paint(canvas: Image.Image, _draw: ImageDraw.ImageDraw, y: int) -> None:
            canvas.paste(picture, (x, y))

        self.add(picture.height, paint)

    def rule(self, *, thickness: int = 2, dashed: bool = False, space: int = 10) -> None:
        """A horizontal line across the content width, with `space` above and below."""
        left, right = self.margin, self.width - self.margin - 1

        def paint(_canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
            top, bottom = y + space, y + space + thickness - 1
            if not dashed:
                draw.rectangle((left, top, right, bottom), fill=BLACK)
                return
            for x in range(left, right + 1, 14):
                draw.rectangle((x, top, min(x + 7, right), bottom), fill=BLACK)

        self.add(2 * space + thickness, paint)

    def sub_flow(self, width: int) -> Flow:
        """An empty flow without margins, to be placed inside this one (boxes, columns)."""
        return Flow(width, margin=0)

    def boxed(self, fill: Callable[[Flow], None], *, thickness: int = 3, padding: int = 10) -> None:
        """Content framed by a rectangle, for what the shipper must not miss (the COD)."""
        inset = thickness + padding
        inner = self.sub_flow(self.content_width - 2 * inset)
        fill(inner)
        content = inner.render()
        left, right = self.margin, self.width - self.margin - 1
        height = content.height + 2 * inset

        def paint(canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
            draw.rectangle((left, y, right, y + height - 1), outline=BLACK, width=thickness)
            canvas.paste(content, (left + inset, y + inset))

        self.add(height, paint)

    def columns(
        self,
        fill_left: Callable[[Flow], None],
        fill_right: Callable[[Flow], None],
        *,
        right_width: int,
        gap: int = 16,
    ) -> None:
        """Two flows side by side, top-aligned; the block is as tall as the taller one."""
        left_flow = self.sub_flow(self.content_width - right_width - gap)
        right_flow = self.sub_flow(right_width)
        fill_left(left_flow)
        fill_right(right_flow)
        left_image, right_image = left_flow.render(), right_flow.render()
        x_right = self.width - self.margin - right_width

        def paint(canvas: Image.Image, _draw: ImageDraw.ImageDraw, y: int) -> None:
            canvas.paste(left_image, (self.margin, y))
            canvas.paste(right_image, (x_right, y))

        self.add(max(left_image.height, right_image.height), paint)

    def render(self, height: int | None = None) -> Image.Image:
        """The flow painted on white, grayscale, as tall as its content unless `height` is
        given (a label of fixed size)."""
        canvas = Image.new("L", (self.width, height or self.height), WHITE)
        draw = ImageDraw.Draw(canvas)
        for block in self.blocks:
            block.paint(canvas, draw, block.top)
        return canvas

    def _page_end(self, position: int, usable: int) -> int:
        """Where the page starting at `position` ends: the lowest block edge that fits and cuts
        no kept group; failing that any block edge; failing that (one block taller than a
        page) wherever the page is full."""
        edges = {block.top for block in self.blocks} | {block.bottom for block in self.blocks}
        fitting = [edge for edge in edges if position < edge <= position + usable]
        outside_groups = [
            edge for edge in fitting if not any(start < edge < end for start, end in self.kept)
        ]
        return max(outside_groups or fitting or [position + usable])

    def pages(self, page_height: int, *, trim_last: bool = False) -> list[Image.Image]:
        """The content cut into pages of `page_height`, each with the top margin, cutting only
        between blocks and outside the groups kept together. With `trim_last`, the last page
        ends with its content (and the bottom margin): on a roll, no blank paper is fed."""
        full = self.render()
        usable = page_height - 2 * self.top
        end_of_content = max((block.bottom for block in self.blocks), default=self.top)
        pages = []
        position = self.blocks[0].top if self.blocks else self.top
        while True:
            end = self._page_end(position, usable)
            height = page_height
            if trim_last and end >= end_of_content:
                height = min(page_height, end - position + 2 * self.top)
            page = Image.new("L", (self.width, height), WHITE)
            page.paste(full.crop((0, position, self.width, end)), (0, self.top))
            pages.append(page)
            position = end
            if position >= end_of_content:
                return pages
