"""Each carrier's own public tracking page for a tracking code, for the buyer's page.

What is documented and what is not (`/work/shared/reference/carriers.md` section numbers):
- GHN: the tracking site is `https://donhang.ghn.vn` (production; `https://tracking.ghn.dev`
  for the sandbox) [G9]. That it takes the code as `?order_code=` is UNCONFIRMED.
- GHTK: no public tracking URL is documented in the API reference; the short link
  `https://i.ghtk.vn/<label>` is UNCONFIRMED.
- Viettel Post: no public tracking URL in the reference. The tracking page
  `https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/?peopleTracking=sender&orderNumber=<code>`
  is UNCONFIRMED.
- Ahamove: the documented link is per order, `shared_link` in the create-order answer [A1];
  the service does not keep it, and no URL can be built from the order id alone, so there is
  no link (the page still shows the code, which Ahamove's app looks up).

Check the unconfirmed ones against a real parcel before relying on them. An unconfirmed link
can only lead to the carrier's own site, where the code is shown beside it
to type in; a wrong one costs the buyer a search, never a wrong answer.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

_LINKS: Final = {
    "ghn": "https://donhang.ghn.vn/?order_code={code}",
    "ghtk": "https://i.ghtk.vn/{code}",
    "viettelpost": (
        "https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/?peopleTracking=sender&orderNumber={code}"
    ),
}


def tracking_link(carrier: str | None, tracking_code: str | None) -> str | None:
    """The carrier's page for this code, or None (no carrier, no code, an individual shipper,
    or a carrier without a public link). The code is percent-encoded: it comes from the
    carrier's answer, which we do not trust to be URL-safe."""
    code = (tracking_code or "").strip()
    template = _LINKS.get((carrier or "").lower())
    if not code or template is None:
        return None
    return template.format(code=quote(code, safe=".-_"))
