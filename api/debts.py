"""COD still owed by each carrier and individual shipper: what the cashier chases."""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.replies import reply


async def shipper_debts(request: web.Request) -> web.Response:
    debts = await request.app[API].orders.debts()
    shippers = [
        {
            "shipper": debt.shipper,
            "kind": debt.kind,
            "label": debt.label,
            "amount": debt.amount,
            "orders": [
                {
                    "id": order.order_id,
                    "code": order.code,
                    "amount": order.amount,
                    "tracking_code": order.tracking_code,
                }
                for order in debt.orders
            ],
        }
        for debt in debts
    ]
    return reply({"shippers": shippers, "total": sum(debt.amount for debt in debts)})
