"""The library's folder list: add, pause, remove (with the faces found there).

Paths are stored resolved, so a folder reached through a symlink is the same
folder, and the indexer (which resolves too) stores photos under that prefix.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from photoface.errors import PhotofaceError
from photoface.store.library import Library
from photoface.store.transaction import write_transaction


@dataclass(frozen=True)
class Folder:
    path: Path
    paused: bool
    photos: int  # photos found there, gone ones left out


def folders(library: Library) -> list[Folder]:
    """The library's folders, by path."""
    rows = library.db.execute("SELECT path, paused FROM folders ORDER BY path").fetchall()
    return [Folder(Path(path), bool(paused), _photo_count(library, path)) for path, paused in rows]


def watched_paths(library: Library) -> list[Path]:
    """The folders to scan and watch: every one not paused."""
    return [folder.path for folder in folders(library) if not folder.paused]


def add_folder(library: Library, folder: Path) -> Path:
    """Add a folder (resolved path returned); one inside a folder already there is refused.

    A folder that contains folders of the list takes their place.
    """
    folder = Path(folder).expanduser().resolve()
    if not folder.is_dir():
        raise PhotofaceError(f"{folder} is not a folder.")
    known = [Path(path) for (path,) in library.db.execute("SELECT path FROM folders")]
    if folder in known:
        return folder
    outer = next((path for path in known if folder.is_relative_to(path)), None)
    if outer is not None:
        raise PhotofaceError(f"{folder} is already watched as part of {outer}.")
    with write_transaction(library.db) as db:
        db.conn.executemany("DELETE FROM folders WHERE path = ?",
                            [(str(path),) for path in known if path.is_relative_to(folder)])
        db.execute("INSERT INTO folders (path) VALUES (?)", [str(folder)])
    return folder


def set_paused(library: Library, folder: Path, paused: bool) -> None:
    with write_transaction(library.db) as db:
        _require(db, folder)
        db.execute("UPDATE folders SET paused = ? WHERE path = ?", [int(paused), str(folder)])


def remove_folder(library: Library, folder: Path) -> int:
    """Forget a folder and every photo found in it; returns how many photos went.

    Their faces go with them (foreign keys cascade to the faces' people rows),
    except where a copy of the photo is kept elsewhere: it takes them over.
    People stay, so a named person keeps the faces they have elsewhere.
    """
    with write_transaction(library.db) as db:
        _require(db, folder)
        db.execute("DELETE FROM folders WHERE path = ?", [str(folder)])
        leaving = [photo_id for photo_id, in db.execute(f"SELECT id FROM photos WHERE {_UNDER}",
                                                        {"prefix": _prefix(folder)})]
        library.hand_over_to_copies(leaving)
        return db.execute(f"DELETE FROM photos WHERE {_UNDER}", {"prefix": _prefix(folder)}).rowcount


# substr, not LIKE: paths may hold % and _.
_UNDER = "substr(path, 1, length(:prefix)) = :prefix"


def _prefix(folder: Path | str) -> str:
    return str(folder).rstrip(os.sep) + os.sep


def _photo_count(library: Library, folder: str) -> int:
    return library.db.execute(f"SELECT count(*) FROM photos WHERE status != 'gone' AND {_UNDER}",
                              {"prefix": _prefix(folder)}).fetchone()[0]


def _require(db, folder: Path) -> None:
    if db.execute("SELECT 1 FROM folders WHERE path = ?", [str(folder)]).fetchone() is None:
        raise PhotofaceError(f"{folder} is not one of the library's folders.")
