"""A table's rows for one projector batch, kept as plain dicts and written once at the end.

The busy projections (objectives, proposals, history) change the same rows many times in a batch:
a proposal is created, commented, supported and decided; an objective's ~10 KB card changes with
every approval. Building ORM objects for each of those, and encoding the JSON columns every time,
was most of the cost of a rebuild (docs/PERFORMANCE.md). Here a row is read at most once per
batch (one SELECT by primary key, or none when the batch created it), changed in memory, and
written at the end of the batch with one executemany per table and kind of change.

Nothing else reads these tables while the batch is open, except the projections themselves
through `get`; code that needs SQL over them in the middle of a batch calls `write` first, and
`forget` after changing them with SQL.

A small table read again by every batch (the objectives' cards, the history's subjects) can keep
its rows between batches (`keep=True`): they are what the previous batch wrote, as long as that
batch was committed and nobody applied events since. `begin` checks exactly that with the
position the projection's tracking row has reached.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from operator import itemgetter

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session


DEFERRED = "projector_deferred_writes"


@contextmanager
def writes_last(session: Session):
    """Inside, the batch's writes are prepared (rows converted, JSON encoded) and wait; they run all
    at once on leaving. On SQLite the write lock is taken at the first write: held while the database
    writes, not while Python prepares (a rebuild's lanes take turns with it, server/projections/lanes.py)."""
    deferred = session.info[DEFERRED] = []
    try:
        yield
    finally:
        del session.info[DEFERRED]
    for statement in deferred:
        statement()


def write(session: Session, statement: Callable[[], None]) -> None:
    """Run a prepared write now, or last (`writes_last`)."""
    deferred = session.info.get(DEFERRED)
    if deferred is None:
        statement()
    else:
        deferred.append(statement)


def insert_many(session: Session, table, rows: list[dict]) -> None:
    """Write every row at once, converting values as SQLAlchemy would (JSON, times) but without
    its per-row parameter machinery, which costs more than the database's own insert: one
    executemany on SQLite, one COPY on PostgreSQL (psycopg's executemany sends a statement per
    row; COPY took the rebuild's inserts from ~7 s to ~1 s, docs/PERFORMANCE.md)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    sql, names, processors = _compiled_insert(table, tuple(rows[0]), dialect)
    values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    params = [values(row) for row in rows]
    converting = [(index, processor) for index, processor in enumerate(processors) if processor is not None]
    if converting:
        params = [_converted(list(row), converting) for row in params]
    if dialect.name == "postgresql":
        write(session, lambda: _copy(connection, sql, params))
    else:
        write(session, lambda: connection.exec_driver_sql(sql, params))


def _copy(connection, sql: str, params: list) -> None:
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in params:
            copy.write_row(row)


def _converted(values: list, converting: list) -> tuple:
    for index, processor in converting:
        values[index] = processor(values[index])
    return tuple(values)  # SQLAlchemy takes positional parameters as tuples only


_INSERTS: dict[tuple, tuple] = {}


def _compiled_insert(table, keys: tuple, dialect) -> tuple:
    """(statement, column names in its order, each column's bind processor or None)."""
    cached = _INSERTS.get((table, keys, dialect.name))
    if cached is None:
        if dialect.name == "postgresql":
            quote = dialect.identifier_preparer
            names = keys
            sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) FROM STDIN"
        else:
            compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
            assert compiled.positional, "SQLite's parameters are positional"
            names, sql = tuple(compiled.positiontup), compiled.string
        processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
        cached = _INSERTS[(table, keys, dialect.name)] = (sql, names, processors)
    return cached


class BatchRows:
    KEEP_AT_MOST = 100_000  # rows kept between batches; beyond that the next batch reads them again

    def __init__(self, model, keep: bool = False):
        self.table = model.__table__
        self.key_columns = tuple(self.table.primary_key.columns)
        self.key_names = tuple(column.name for column in self.table.primary_key.columns)
        name = self.key_names[0]
        self._key = itemgetter(*self.key_names) if len(self.key_names) > 1 else (lambda row: (row[name],))
        self.keep = keep
        # Core statements (the ORM's bulk paths would rebuild every row's parameters first)
        self._key_params = tuple(f"key_{name}" for name in self.key_names)
        self._update = update(self.table).where(
            *(column == bindparam(param) for column, param in zip(self.key_columns, self._key_params))
        ).values({column.name: bindparam(column.name) for column in self.table.columns if not column.primary_key})
        self._written_up_to: int | None = None  # the batch whose rows are kept, if committed
        self.forget()

    def forget(self) -> None:
        self.rows: dict[tuple, dict | None] = {}  # None: known not to exist
        self.new: dict[tuple, dict] = {}
        self.changed: set[tuple] = set()
        self._written_up_to = None

    def begin(self, position: int) -> None:
        """Before a batch, given the position the table has reached (committed): rows kept from the
        previous batch stay only if that batch was ours, was written up to there, and committed."""
        if not self.keep or position != self._written_up_to or len(self.rows) > self.KEEP_AT_MOST:
            self.forget()
        self._written_up_to = None  # in flux until this batch's end: a batch that fails leaves the rows ahead

    def key_of(self, row: dict) -> tuple:
        return self._key(row)

    def get(self, session: Session, *key) -> dict | None:
        """The row with this primary key, as a dict to change in place (then call `touch`)."""
        try:
            return self.rows[key]
        except KeyError:
            pass
        found = session.execute(select(self.table).where(*(c == v for c, v in zip(self.key_columns, key)))).first()
        row = self.rows[key] = dict(found._mapping) if found else None
        return row

    def add(self, row: dict) -> dict:
        key = self.key_of(row)
        self.new[key] = row
        self.rows[key] = row
        return row

    def touch(self, row: dict) -> None:
        key = self.key_of(row)
        if key not in self.new:
            self.changed.add(key)

    def write(self, session: Session, position: int | None = None) -> None:
        """Send the batch's changes to the database (in the projector's transaction); `position`:
        the batch's last, when this is its end (the rows are then kept for the next batch)."""
        if self.new:
            insert_many(session, self.table, list(self.new.values()))
        if self.changed:
            changes = [{**self.rows[key], **dict(zip(self._key_params, key))} for key in self.changed]
            write(session, lambda: session.execute(self._update, changes))
        self.new, self.changed = {}, set()
        if position is None:
            self._written_up_to = None  # the rows are still right, but a batch may be rolled back after this
        else:
            self._written_up_to = position
