"""The Alembic migrations build exactly the schema the code maps, on both databases."""

from alembic import command

from chotdon.migrate import alembic_config


def test_migrated_schema_matches_the_models(db_url):
    # Raises if autogenerate would find any difference between the database and the models.
    command.check(alembic_config(db_url))
