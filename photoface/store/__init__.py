"""The SQLite library database: one ``library.db`` per library folder."""
