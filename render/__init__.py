"""Bills and shipping notes as images (PNG) and documents (PDF), from plain order data.

Depends on Pillow, the code generators (python-barcode, segno) and the font package only, and
on pypdf to join the PDFs of many orders (`render.joining`).
"""

from render.bill import render_bill
from render.document import PrintLine, PrintOrder, Shop, from_snapshot
from render.fonts import complex_layout_available
from render.shipping_note import render_shipping_note

__all__ = [
    "PrintLine",
    "PrintOrder",
    "Shop",
    "complex_layout_available",
    "from_snapshot",
    "render_bill",
    "render_shipping_note",
]
