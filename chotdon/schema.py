"""Every table of the service in one metadata, for Alembic and for tests.

Importing the modules that own tables registers them on the shared `Base`.
"""

import application.chat_tables
import application.web_login_tables
import kernel.heartbeat
import kernel.inbox.tables
import kernel.outbox.jobs
import livestream.tables
import orders.tables
from kernel.tables import Base

metadata = Base.metadata
__all__ = ["application", "kernel", "livestream", "metadata", "orders"]
