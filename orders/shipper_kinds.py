"""Who can carry a parcel: one of the partner carriers, by name, or an individual shipper.

The one list of carrier names. The receivers' URLs (`/webhooks/carriers/{name}`), the carrier
registry, the settings' tokens, the bot's callback data, the pages and the domain's checks all
read it here, so adding a carrier starts with this line.
"""

from __future__ import annotations

from typing import Final

CARRIERS: Final = ("ghn", "ghtk", "viettelpost", "ahamove")
INDIVIDUAL: Final = "individual"
SHIPPER_KINDS: Final = (*CARRIERS, INDIVIDUAL)
