"""Who a booker's email is: a mapping set by hand wins over a lookup, and two deliveries by
the same booker caching it at once both succeed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from bot.services import make_services
from bot.settings import load_settings
from storage.bookings import LOOKUP, MANUAL

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def test_manual_wins_and_concurrent_lookups_do_not_collide(database_url):
    services = make_services(load_settings({"DATABASE_URL": database_url}, dotenv=False))
    try:
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def cache(user: str) -> None:
            try:
                start.wait()
                with services.uow() as uow:
                    uow.people.remember("T1", "Ann@OurCo.example", user, how=LOOKUP, now=NOW)
            except BaseException as exc:  # any error fails the test below
                errors.append(exc)

        threads = [threading.Thread(target=cache, args=(f"U0LOOK{n}",)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with services.uow() as uow:
            assert uow.people.get("T1", "ann@ourco.example").how == LOOKUP
            uow.people.remember("T1", "ann@ourco.example", "U0HAND", how=MANUAL, now=NOW)
        with services.uow() as uow:
            uow.people.remember("T1", "ann@ourco.example", "U0LATER", how=LOOKUP, now=NOW)
        with services.uow(read_only=True) as uow:
            person = uow.people.get("T1", "ann@ourco.example")
            assert (person.user_id, person.how) == ("U0HAND", MANUAL)
    finally:
        services.close()
