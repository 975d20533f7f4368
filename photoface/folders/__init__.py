"""The folders a library watches: the list kept in the library, and a watchdog observer."""

from .library_folders import Folder, add_folder, folders, remove_folder, set_paused, watched_paths
from .watcher import FolderChanges, FolderWatcher, indexer_roots

__all__ = ["Folder", "FolderChanges", "FolderWatcher", "add_folder", "folders", "indexer_roots",
           "remove_folder", "set_paused", "watched_paths"]
