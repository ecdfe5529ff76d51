"""Backups: every table as one JSON document, and that document back into an empty database.

The document is deterministic: tables in foreign-key order (`db.metadata.sorted_tables`;
not the content version, which only tells kept pages apart and which an import moves),
rows sorted by primary key, keys sorted, UTC instants as ISO 8601 with `Z`, dates as ISO,
bytes as base64. The same data gives the same bytes on SQLite and PostgreSQL alike.
"""

import base64
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Date, DateTime, LargeBinary, Table, func, insert, inspect, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.types import TypeDecorator

from eventsvc.extensions import db
from eventsvc.services.changes import move_version
from eventsvc.services.locking import write_transaction

FORMAT = "eventsvc-export"
VERSION = 1


class BackupError(ValueError):
    """An export file, or a target database, that the import refuses."""


def _encode(value):
    """One column value as JSON: instants in UTC with Z, dates in ISO 8601, bytes in base64."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def data_tables() -> list[Table]:
    """The tables a backup holds, in foreign-key order: all but caches' bookkeeping."""
    return [table for table in db.metadata.sorted_tables if table.info.get("backup", True)]


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _table_text(connection: Connection, table: Table) -> tuple[str, int]:
    """One table's entry of the document, its rows one a line, and how many rows it has."""
    keys = [column.name for column in table.primary_key.columns]
    lines = []
    for row in connection.execute(select(table)).mappings():
        line = _json({name: _encode(value) for name, value in row.items()})
        lines.append((tuple(row[key] for key in keys), line))
    # Sorted here rather than in SQL: text keys would follow each database's collation.
    lines.sort()
    rows = ",\n".join(line for _key, line in lines)
    body = f"[\n{rows}\n]" if rows else "[]"
    return f'{{"name": {_json(table.name)}, "rows": {body}}}', len(lines)


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A read transaction that sees one moment, so rows always find what they refer to."""
    options = {}
    if db.engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    # SQLite in WAL mode already reads one snapshot for the whole transaction.
    with db.engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def write_export(out: IO[bytes]) -> dict[str, int]:
    """Write the whole database to a binary stream as JSON; return the row count per table."""
    counts = {}
    with _snapshot() as connection:
        _check_migrated(connection)
        out.write(f'{{"format": "{FORMAT}", "version": {VERSION}, "tables": [\n'.encode())
        for index, table in enumerate(data_tables()):
            text, counts[table.name] = _table_text(connection, table)
            out.write((",\n" if index else "").encode() + text.encode())
    out.write(b"\n]}\n")
    return counts


def save_export(path: Path) -> dict[str, int]:
    """Write the export to `path`, readable by its owner only, replacing it whole or not at all."""
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as out:
            counts = write_export(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return counts


def _decoder(column) -> Callable | None:
    """How to turn a column's JSON value back into what the column stores."""
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, LargeBinary):
        return lambda text: base64.b64decode(text, validate=True)
    return None


def _decoded_rows(table: Table, rows: list[dict]) -> list[dict]:
    """A table's rows with their values as the columns store them, or BackupError."""
    decoders = {column.name: _decoder(column) for column in table.columns}
    names = set(rows[0]) if rows else set()
    if any(set(row) != names for row in rows):
        raise BackupError(f"The export file is damaged: rows of {table.name} differ in columns.")
    try:
        return [
            {
                name: decoders[name](value) if decoders[name] and value is not None else value
                for name, value in row.items()
            }
            for row in rows
        ]
    except (TypeError, ValueError) as error:
        raise BackupError(
            f"The export file is damaged: a value in {table.name}: {error}"
        ) from error


def _tables_of(document) -> dict[str, list[dict]]:
    """The rows per table of a parsed export, after checking its format, tables and columns."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("This is not an eventsvc export file.")
    version = document.get("version")
    if version != VERSION:
        raise BackupError(
            f"Unknown export format version {version!r}: this eventsvc reads version {VERSION}."
        )
    entries = document.get("tables")
    if not isinstance(entries, list) or not all(_is_table_entry(entry) for entry in entries):
        raise BackupError("The export file is damaged: its tables are not as written.")
    tables = {entry["name"]: entry["rows"] for entry in entries}
    if len(tables) != len(entries):
        raise BackupError("The export file is damaged: a table appears twice.")
    _check_known(tables)
    return tables


def _is_table_entry(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("rows"), list)
        and all(isinstance(row, dict) for row in entry["rows"])
    )


def _check_known(tables: dict[str, list[dict]]) -> None:
    """Refuse tables and columns this version of eventsvc does not have, naming them."""
    known = {table.name: table for table in data_tables()}
    unknown_tables = sorted(name for name in tables if name not in known)
    if unknown_tables:
        raise BackupError(f"Unknown tables in the export file: {', '.join(unknown_tables)}.")
    unknown_columns = sorted(
        {
            f"{name}.{column}"
            for name, rows in tables.items()
            for row in rows
            for column in row
            if column not in known[name].columns
        }
    )
    if unknown_columns:
        raise BackupError(f"Unknown columns in the export file: {', '.join(unknown_columns)}.")
    missing = sorted(
        f"{name}.{column.name}"
        for name, rows in tables.items()
        if rows
        for column in known[name].columns
        if _required(column) and column.name not in rows[0]
    )
    if missing:
        raise BackupError(
            f"The export file lacks columns this eventsvc needs: {', '.join(missing)}. "
            "An older eventsvc wrote it: import it there, run `eventsvc db upgrade`, "
            "and export again."
        )


def _required(column) -> bool:
    """Whether an insert must give the column: not null, no default, not a generated id."""
    generated = column.primary_key and column.autoincrement is not False
    return not (column.nullable or column.default or column.server_default or generated)


def _check_migrated(connection: Connection) -> None:
    """Refuse a database that lacks one of the tables, naming them."""
    present = set(inspect(connection).get_table_names())
    missing = [table.name for table in db.metadata.sorted_tables if table.name not in present]
    if missing:
        raise BackupError(
            f"The database has no table {', '.join(missing)}: "
            "run `eventsvc db upgrade` on it first."
        )


def _check_empty(connection: Connection) -> None:
    """Refuse a database that lacks a table or already holds rows."""
    _check_migrated(connection)
    filled = [
        table.name
        for table in data_tables()
        if connection.execute(select(1).select_from(table).limit(1)).first()
    ]
    if filled:
        raise BackupError(
            f"The database is not empty ({', '.join(filled)} have rows): "
            "import only into an empty, migrated database."
        )


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the imported ids, so new rows get fresh ones."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(quote.format_table(table), column.name)
        following = func.coalesce(func.max(column), 0) + 1
        connection.execute(select(func.setval(sequence, following, False)))


def import_document(document) -> dict[str, int]:
    """Load a parsed export into this empty, migrated database, in one transaction."""
    tables = _tables_of(document)
    ordered = [
        (table, _decoded_rows(table, tables[table.name]))
        for table in data_tables()
        if tables.get(table.name)
    ]
    with write_transaction():
        connection = db.session.connection()
        _check_empty(connection)
        for table, rows in ordered:
            _insert(connection, table, rows)
        _reset_sequences(connection)
        move_version(db.session)
    return {name: len(rows) for name, rows in tables.items()}


def _insert(connection: Connection, table: Table, rows: list[dict]) -> None:
    try:
        connection.execute(insert(table), rows)
    except (IntegrityError, DataError) as error:
        raise BackupError(f"The rows of {table.name} do not fit: {error.orig}") from error


def read_export(source: IO[bytes]) -> dict[str, int]:
    """Import an export file from a binary stream; return the row count per table."""
    try:
        document = json.load(source)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"The export file is not valid JSON: {error}") from error
    return import_document(document)
