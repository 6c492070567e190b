"""The partner carriers this shop has configured (built from settings by the composition root,
`chotdon.carrier_setup`).

Shipping needs a carrier's API token; following its webhooks needs only the webhook secret, so
the two sets can differ (a shop may still receive GHTK's reports for parcels sent before it
removed the token).
"""

from __future__ import annotations

from dataclasses import dataclass

from carriers.base import Carrier


@dataclass(frozen=True)
class Carriers:
    shipping: dict[str, Carrier]  # have an API token: offered for `ship` and quotes
    webhooks: dict[str, Carrier]  # have a webhook secret: their reports are accepted
