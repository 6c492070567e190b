"""COD still owed by each carrier and individual shipper: what the cashier chases, and what
each one settled so far (`reconciled`, `last_reconciled_at`) with the fees carriers kept.

`shippers` lists those owing now; `?all=1` adds those who owe nothing but settled before."""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.replies import reply
from application.cod_statements import shipper_accounts


async def shipper_debts(request: web.Request) -> web.Response:
    everyone = request.query.get("all", "") in ("1", "true", "yes")
    accounts = await shipper_accounts(request.app[API].orders)
    shippers = [
        {
            "shipper": account.shipper,
            "kind": account.kind,
            "label": account.label,
            "amount": account.amount,
            "orders": [
                {
                    "id": order.order_id,
                    "code": order.code,
                    "amount": order.amount,
                    "tracking_code": order.tracking_code,
                }
                for order in account.orders
            ],
            "reconciled": account.reconciled,
            "last_reconciled_at": (
                account.last_reconciled_at.isoformat() if account.last_reconciled_at else None
            ),
            "fees": account.fees,
        }
        for account in accounts
        if everyone or account.amount != 0
    ]
    total = sum(account.amount for account in accounts)
    return reply({"shippers": shippers, "total": total})
