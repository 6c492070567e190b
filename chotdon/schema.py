"""Every table of the service in one metadata, for Alembic and for tests.

Importing the packages that own tables registers them on the shared `Base`.
"""

import bot.tables
import chotdon.heartbeat
import livestream_ingest.tables
import staff_web.tables
import webhooks.tables
from orders.tables import Base

metadata = Base.metadata
__all__ = ["bot", "chotdon", "livestream_ingest", "metadata", "staff_web", "webhooks"]
