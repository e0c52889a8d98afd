"""The migrations build the same schema as the models, up and down, on both databases."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.extensions import db
from tests.conftest import make_test_config, scratch_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_models_then_downgrades_cleanly(backend):
    with scratch_database(backend) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                drift = compare_metadata(context, db.metadata)
                assert drift == [], f"models and migrations differ: {drift}"
                if backend == "postgresql":
                    constraint = connection.execute(
                        sa.text("SELECT 1 FROM pg_constraint WHERE conname = 'appointments_no_overlap'")
                    ).scalar()
                    assert constraint == 1, "the exclusion constraint must come from the migration"
            downgrade(revision="base")
            with db.engine.connect() as connection:
                tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
            assert tables == set()
            db.engine.dispose()
