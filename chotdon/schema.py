"""Every table of the service in one metadata, for Alembic and for tests.

Importing the packages that own tables registers them on the shared `Base`.
"""

from orders.tables import Base

metadata = Base.metadata
