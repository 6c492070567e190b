"""Carriers' place ids kept in the database (`carriers.base.MasterData`), shared by every
process: the first shipment to a ward asks the carrier, later ones ask us."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.database import dialect_name
from kernel.tables import utcnow
from orders.tables import CarrierPlace


class StoredPlaces:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def get(self, carrier: str, key: str) -> Any | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(CarrierPlace.value).where(
                    CarrierPlace.carrier == carrier, CarrierPlace.key == key
                )
            )

    async def put(self, carrier: str, key: str, value: Any) -> None:
        row = {"carrier": carrier, "key": key[:255], "value": value, "fetched_at": utcnow()}
        async with self.sessions.begin() as session:
            insert = postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
            stmt = insert(CarrierPlace).values(row)
            stmt = stmt.on_conflict_do_update(
                index_elements=["carrier", "key"],
                set_={"value": stmt.excluded.value, "fetched_at": stmt.excluded.fetched_at},
            )
            await session.execute(stmt)
