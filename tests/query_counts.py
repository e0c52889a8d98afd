"""Counting the SQL statements a request runs: a page or list whose count grows with the data
is an N+1 (one query per row), a defect however fast it is on small data."""

import gc
from contextlib import contextmanager

from sqlalchemy import event

from clinic.extensions import db


@contextmanager
def recorded_statements():
    """The statements run inside the block, in order (a list filled as they run)."""
    engine = db.session.get_bind().engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        # A commit inside the test's outer transaction becomes savepoint statements: not the app's.
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append(statement)

    db.session.flush()  # the scene's pending rows are written now, not counted in the block
    db.session.expire_all()  # every count starts from the same identity map:
    gc.collect()  # expired rows nothing holds are dropped, not refreshed by luck
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_queries(client, url: str, *, method: str = "GET", status: int = 200, **kwargs) -> int:
    """How many statements one request runs; fails on any other status than `status`."""
    with recorded_statements() as statements:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return len(statements)


def repeated(statements: list[str]) -> dict[str, int]:
    """Statements run more than once, with how often: what to look at when a count grows."""
    counts: dict[str, int] = {}
    for statement in statements:
        counts[statement] = counts.get(statement, 0) + 1
    return {statement: n for statement, n in counts.items() if n > 1}
