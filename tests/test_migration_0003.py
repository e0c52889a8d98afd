"""Migration 0003 gives existing appointments their service's price, keeping every row."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.extensions import db
from tests.conftest import make_test_config, scratch_database
from tests.test_migration_0002 import _seed_at_0001


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_copies_the_service_price_onto_appointments(backend):
    with scratch_database(backend) as url:
        app = create_app(make_test_config(url))
        with app.app_context():
            upgrade(revision="0001")
            with db.engine.begin() as connection:
                _seed_at_0001(connection, backend)
            upgrade()
            with db.engine.connect() as connection:
                prices = connection.execute(sa.text("SELECT id, price_cents FROM appointments ORDER BY id")).all()
                assert [tuple(r) for r in prices] == [(1, 5000), (2, 5000)]
                # Rebuilding the table on SQLite kept the notes that point at it.
                assert connection.execute(sa.text("SELECT COUNT(*) FROM session_notes")).scalar() == 2
            downgrade(revision="0002")
            with db.engine.connect() as connection:
                names = {c["name"] for c in sa.inspect(connection).get_columns("appointments")}
                assert "price_cents" not in names
                assert connection.execute(sa.text("SELECT COUNT(*) FROM appointments")).scalar() == 2
            db.engine.dispose()
