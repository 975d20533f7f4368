"""Small SQL helpers for sets of keys."""

import json

from sqlite_utils import Database

# Sets of keys travel as one JSON parameter: no limit on their number.
IN_JSON = "IN (SELECT value FROM json_each(?))"


def json_list(values) -> str:
    return json.dumps([int(value) for value in values])


def rows_where_in(db: Database, table: str, column: str, values, columns: str = "*") -> list[dict]:
    return list(db.query(f"SELECT {columns} FROM {table} WHERE {column} {IN_JSON}", [json_list(values)]))


def delete_where_in(db: Database, table: str, column: str, values) -> None:
    db.execute(f"DELETE FROM {table} WHERE {column} {IN_JSON}", [json_list(values)])


def update_where_in(db: Database, table: str, assignment: str, column: str, values) -> None:
    db.execute(f"UPDATE {table} SET {assignment} WHERE {column} {IN_JSON}", [json_list(values)])
