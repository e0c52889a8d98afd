"""Where an availability request spends its time: cProfile over the WSGI app (test client).

Seeds a scratch SQLite file with the bench seeder (20 therapists, 50,000 appointments), then
times N requests of one scenario, profiles N more and prints the top functions by cumulative and own time,
and the SQL statements one request runs.
    python -m bench.profile_availability [one|all] [N]
"""

import cProfile
import pstats
import sys
import time
from datetime import timedelta

from sqlalchemy import event

from bench.bench_scheduling import _config, _seed, _sqlite_url


def main() -> None:
    from clinic import create_app
    from clinic.extensions import db
    from clinic.models import Therapist

    scenario = sys.argv[1] if len(sys.argv) > 1 else "one"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    with _sqlite_url() as url:
        config = _config(url)
        config.TESTING = False
        app = create_app(config)
        seed = _seed(app)
        with app.app_context():
            first_therapist = db.session.scalars(db.select(Therapist.id).order_by(Therapist.id)).first()
            engine = db.engine
        day = seed["today"] + timedelta(days=2)
        while day.weekday() == 6:
            day += timedelta(days=1)
        url = f"/api/v1/availability?service_id={seed['service_id']}"
        if scenario == "one":
            url += f"&therapist_id={first_therapist}&from={day}&to={day}"
        else:
            url += f"&from={day}&to={day + timedelta(days=13)}"
        web = app.test_client()
        for _ in range(20):
            assert web.get(url).status_code == 200
        statements = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        response = web.get(url)
        event.remove(engine, "before_cursor_execute", record)
        print(f"{url}: {len(response.get_json())} slots, {len(statements)} SQL statements")
        for statement in statements:
            print("  ", " ".join(statement.split())[:160])
        began = time.perf_counter()
        for _ in range(runs):
            web.get(url)
        print(f"{(time.perf_counter() - began) * 1000 / runs:.2f} ms a request without the profiler")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(runs):
            web.get(url)
        profile.disable()
        stats = pstats.Stats(profile).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
