"""What only the PostgreSQL store has: its own migrations (once, also when two processes open a
fresh database together), its messages for a server out of reach or a write that fails (naming the
database, never the password), and the club-wide monthly distance."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import psycopg
import pytest

from hipstride.errors import StorageError
from hipstride.library._pg_connect import migrations, shown_name
from hipstride.library.postgres import PostgresStore
from hipstride.library.store import JournalRecord
from tests.test_journal_support import add_run


def test_migrations_are_applied_once_in_order(postgres_dsn: str) -> None:
    names = [name for name, _ in migrations()]
    assert names == sorted(names)
    assert names[0] == "0001_athletes_runs"
    with PostgresStore(postgres_dsn) as store:
        assert store.applied_migrations() == names
    with PostgresStore(postgres_dsn) as store:
        assert store.applied_migrations() == names
        rows = store.execute("SELECT count(*) FROM schema_migrations")
        kinds = dict(store.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'runs'"))
    assert rows == [(len(names),)]
    assert kinds["distance_m"] == "double precision"
    assert kinds["id"] == "bigint"


def test_two_stores_opening_a_fresh_database_together_migrate_it_once(postgres_dsn: str) -> None:
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(4)

    def open_one() -> None:
        gate.wait()
        try:
            opened.append(PostgresStore(postgres_dsn))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(opened) == 4
    assert opened[0].applied_migrations() == [name for name, _ in migrations()]
    for store in opened:
        store.close()


def test_an_unreachable_server_is_one_line_naming_it_without_the_password() -> None:
    with socket_free_port() as port:
        dsn = f"postgresql://coach:s3cret@127.0.0.1:{port}/club"
        with pytest.raises(StorageError) as caught:
            PostgresStore(dsn)
    message = str(caught.value)
    assert message.startswith(f"postgresql://coach@127.0.0.1:{port}/club: cannot reach the database (")
    assert "s3cret" not in message
    assert "\n" not in message
    with pytest.raises(StorageError, match="not a readable PostgreSQL address") as bad:
        PostgresStore("postgresql://coach:s3cret@[::1/club")
    assert "s3cret" not in str(bad.value)
    assert shown_name("host=db.example port=6000 user=u password=p dbname=c") == "postgresql://u@db.example:6000/c"


class socket_free_port:  # noqa: N801 (used as a context manager)
    """A port on 127.0.0.1 that nothing listens on while the block runs."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))  # bound, not listening: a connection is refused
        return int(self._sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


def test_a_lost_connection_is_a_storage_error_and_nothing_half_written(postgres_dsn: str,
                                                                       postgres_server: str) -> None:
    store = PostgresStore(postgres_dsn)
    add_run(store, date(2024, 5, 6), 5.0)
    (pid,) = store.execute("SELECT pg_backend_pid()")[0]

    def cut_midway() -> None:
        with store.transaction():
            store.put_journal_entry(JournalRecord(date(2024, 5, 6), pain_during=2.0))
            with psycopg.connect(postgres_server, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            store.put_journal_entry(JournalRecord(date(2024, 5, 7), pain_during=2.0))

    with pytest.raises(StorageError, match=r"^postgresql://.*: cannot write to the run library \("):
        cut_midway()
    with pytest.raises(StorageError, match="cannot read the run library"):
        store.list_runs()
    store.close()
    with PostgresStore(postgres_dsn) as again:
        assert len(again.list_runs()) == 1
        assert again.journal_entries() == []


def test_club_monthly_running_distance_spans_every_athlete(postgres_dsn: str) -> None:
    with PostgresStore(postgres_dsn, athlete="ann") as ann, ann.with_athlete("ben") as ben:
        add_run(ann, date(2024, 1, 31), 10.0)
        add_run(ben, date(2024, 1, 5), 5.0)
        add_run(ben, date(2024, 2, 1), 7.5)
        add_run(ben, date(2024, 2, 2), 40.0, sport="cycling")  # not running
        add_run(ann, date(2024, 3, 1), 3.0)  # after the range
        months = ann.club_monthly_distance_m(date(2024, 1, 1), date(2024, 3, 1))
        assert months == [("2024-01", 15_000.0, 2), ("2024-02", 7_500.0, 1)]
        assert ben.club_monthly_distance_m(date(2024, 1, 1), date(2024, 1, 1) + timedelta(days=1)) == []


def test_another_athletes_store_shares_the_connection_and_closing_it_keeps_it(
        postgres_dsn: str) -> None:
    with PostgresStore(postgres_dsn, athlete="coach") as coach:
        with coach.transaction():
            coach.put_journal_entry(JournalRecord(date(2024, 1, 1), pain_during=1.0))
        runner = coach.with_athlete("runner")
        with runner.transaction():
            runner.put_journal_entry(JournalRecord(date(2024, 1, 2), pain_during=2.0))
        runner.close()
        # the coach's store still reads (its connection was not closed) and sees only its own
        assert [e.entry_date for e in coach.journal_entries()] == [date(2024, 1, 1)]
        assert sorted(a.name for a in coach.athletes()) == ["coach", "runner"]
    with PostgresStore(postgres_dsn, athlete="runner") as again:
        assert [e.pain_during for e in again.journal_entries()] == [2.0]
