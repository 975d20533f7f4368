"""The single main window: screens in a stack, background jobs, undo."""

import contextlib
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMessageBox, QStackedWidget, QWidget

from photoface import __version__
from photoface.errors import PhotofaceError
from photoface.face_model import improved_model
from photoface.folders import FolderChanges, indexer_roots
from photoface.folders import library_folders as folder_list
from photoface.library_settings import cluster_level, index_options, save_index_options, set_cluster_level
from photoface.paths import choose_library, choose_theme, chosen_theme
from photoface.people import operations, queries
from photoface.store import backup as backups
from photoface.store.grouping import grouping_due
from photoface.store.library import Library

from .jobs.clustering import ClusteringJob
from .jobs.improving import ReadinessJob
from .jobs.indexing import IndexingJob
from .jobs.watching import FolderWatching
from .models.faces import FacesModel
from .models.people import PeopleModel
from .models.photos import PhotosModel
from .models.thumbnails import ThumbnailCache
from .progress import JobProgress
from .text import shown_path
from .theme import apply_theme
from .views.export import ExportDialog
from .views.folders import FoldersDialog
from .views.improve import ImproveDialog
from .views.people import TILE_SIDE, PeopleView
from .views.person import PersonView
from .views.photo import PhotoView
from .views.photos import PHOTO_SIDE, PhotosView
from .views.restore import RestoreDialog
from .views.settings import GROUPING_NAMES, SettingsDialog
from .views.shortcuts import ShortcutsDialog
from .views.welcome import WelcomeView

if TYPE_CHECKING:  # torch and the training package load with the first job, not with the window
    from photoface.embed.models import Embedder

MESSAGE_MS = 8000
# The undo log's kinds in the app's words (its summaries name ids).
UNDONE = {"name": "naming", "merge": "merging two people", "split": "moving faces", "create": "making a new person",
          "remove": "taking faces out", "confirm": "confirming faces", "reject": "saying faces are someone else",
          "hide": "hiding or showing", "cover": "choosing a cover", "add_face": "adding a face"}
GROUPING = "Grouping faces into people…"
ABOUT = ("<h3>photoface {version}</h3><p>Finds the people in your photo library, on your computer only:"
         " no cloud, no account.</p><p>Faces are found with MTCNN and recognised with FaceNet.</p>")


def _unless_closed(slot):
    """A job's signal queued just before the window closed arrives after its library is closed: drop it."""
    @functools.wraps(slot)
    def guarded(window, *args):
        if not window.closed:
            slot(window, *args)
    return guarded


class MainWindow(QMainWindow):
    def __init__(self, library_dir: Path, embedder: "Embedder | None" = None, read_only: bool = False):
        """``read_only``: only show the library (``--screenshot``): no lock, no watching, no indexing."""
        super().__init__()
        self.library_dir = Path(library_dir)
        self.library = Library.open(self.library_dir, read_only)  # the GUI thread's connection
        self.embedder = embedder  # loaded by the first indexing job, then reused
        self.job: IndexingJob | ClusteringJob | None = None
        self.waiting_roots: list[Path] = []  # folders and photos to index after the job running
        self.regroup_waiting = False  # group faces again after the job running
        self.closed = False
        self.successor: "MainWindow | None" = None  # the window a restore reopened the library in
        thumbnails = ThumbnailCache(self.library, TILE_SIDE)
        self.people_model = PeopleModel(self.library, thumbnails, self)
        self.welcome = WelcomeView()
        self.people_view = PeopleView(self.people_model)
        self.person_view = PersonView(self.library, FacesModel(self.library, thumbnails, self))
        self.photo_view = PhotoView(self.library, lambda: self.embedder)
        self.photos_view = PhotosView(PhotosModel(self.library, PHOTO_SIDE, self))
        self.photo_opened_from: QWidget = self.person_view  # where the photo viewer's Back goes
        self.progress = JobProgress()
        self.folders_dialog = FoldersDialog(self)
        self.watching = FolderWatching(self)
        self._build()
        self.refresh()
        if not read_only:
            self._catch_up()
            if grouping_due(self.library):  # faces left ungrouped, e.g. by a run closed midway
                self.group_again()

    # --- folders and background work ----------------------------------------------

    def add_folder(self, folder: Path | None = None) -> None:
        """Watch a folder and index it at once (asks for it when not given): "Add folder"'s slot."""
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, "Add a folder of photos")
            if not chosen:
                return
            folder = Path(chosen)
        try:
            folder = folder_list.add_folder(self.library, folder)
        except PhotofaceError as error:
            self.show_error(error.in_app)
            return
        self._folders_edited()
        self._index([folder])

    def pause_folder(self, folder: Path, paused: bool) -> None:
        """Stop (or start again) watching and scanning a folder; resuming catches up at once."""
        folder_list.set_paused(self.library, folder, paused)
        self._folders_edited()
        if not paused:
            self._index([folder])

    def remove_folder(self, folder: Path) -> None:
        """Forget a folder and its faces (named people stay); not while indexing."""
        if self.job is not None:
            self.show_error("Photos are being indexed; remove the folder when that is done.")
            return
        removed = folder_list.remove_folder(self.library, folder)
        self._folders_edited()
        self.people_changed(f"Removed {folder} and the faces in its {removed:,} photos")

    def show_folders(self) -> None:
        self.folders_dialog.show_folders(folder_list.folders(self.library))
        self.folders_dialog.open()

    def _folders_edited(self) -> None:
        self._watch(folder_list.watched_paths(self.library))
        self.folders_dialog.show_folders(folder_list.folders(self.library))

    def _catch_up(self) -> None:
        """At start: watch the folders, and scan them for what changed while the app was closed."""
        folders = folder_list.watched_paths(self.library)
        self._watch(folders)
        if folders:
            self._index(folders)

    def _watch(self, folders: list[Path]) -> None:
        unwatched = self.watching.watch(folders)
        if unwatched:
            self.statusBar().showMessage(f"Not watching {', '.join(map(str, unwatched))} (missing, or the"
                                         " system's limit on watched folders); it is scanned at each start",
                                         MESSAGE_MS)

    def _folders_changed(self, changes: FolderChanges) -> None:
        self._index(indexer_roots(changes, folder_list.watched_paths(self.library)))

    def _index(self, roots: list[Path]) -> None:
        self.waiting_roots += [root for root in roots if root not in self.waiting_roots]
        if self.job is None and self.waiting_roots:
            self._start_indexing()

    def _start_indexing(self) -> None:
        roots, self.waiting_roots = self.waiting_roots, []
        job = IndexingJob(self.library_dir, roots, self.embedder, self, index_options(self.library))
        job.succeeded.connect(self._indexing_done)
        job.people_changed.connect(self._people_grew)
        self._run(job)
        self.progress.follow(job)
        self.welcome.set_working(True)

    @_unless_closed
    def _indexing_done(self, report) -> None:
        self.embedder = self.job.embedder
        self._end_job()
        if not (grouping_due(self.library) or self.regroup_waiting):  # no face added, gone or back
            self._all_done()
            return
        # Grouped even after a cancel: the faces found so far are worth showing.
        self._start_clustering(f"Grouping {report.faces:,} new faces into people…" if report.faces else GROUPING)

    @_unless_closed
    def _people_grew(self) -> None:
        """Faces joined people while indexing: show them now, not after the pass."""
        self.refresh()

    def regroup(self, message: str) -> None:
        """The face model or the grouping level changed (``message`` says how): group the faces again,
        after the running job."""
        self.statusBar().showMessage(message, MESSAGE_MS)
        self.group_again()

    def group_again(self) -> None:
        """Group the faces into people again ("Group faces again"), after the running job."""
        self.regroup_waiting = True
        if self.job is None:
            self._start_clustering(GROUPING)

    def _start_clustering(self, text: str) -> None:
        self.regroup_waiting = False
        job = ClusteringJob(self.library_dir, self)
        job.succeeded.connect(self._clustering_done)
        self._run(job)
        self.progress.show_other_work(text)

    @_unless_closed
    def _clustering_done(self, report) -> None:
        self._end_job()
        self.statusBar().showMessage(f"{report.people:,} groups of faces; {report.unsorted:,} unsorted",
                                     MESSAGE_MS)
        self._all_done()

    def _all_done(self) -> None:
        self.progress.done()
        self.welcome.set_working(False)
        self.refresh()
        self.folders_dialog.show_folders(folder_list.folders(self.library))
        if self.waiting_roots:
            self._start_indexing()
        elif self.regroup_waiting:
            self._start_clustering(GROUPING)

    def _run(self, job) -> None:
        self.job = job
        job.failed.connect(self._job_failed)
        job.start()

    @_unless_closed
    def _job_failed(self, message: str) -> None:
        self._end_job()
        self.progress.done()
        self.welcome.set_working(False)
        self.show_error(message)
        self.refresh()

    def _end_job(self) -> None:
        self.job.wait()  # it has emitted its last signal; let the thread end
        self.job.deleteLater()
        self.job = None

    # --- dialogs --------------------------------------------------------------------

    def show_export(self) -> ExportDialog:
        """The export dialog over the named people (not modal, so tests and background work go on)."""
        named = [person for person in queries.people(self.library, include_hidden=False) if person["name"]]
        dialog = ExportDialog(self.library_dir, named, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def show_improve(self) -> ImproveDialog:
        """Learn from the named people (not modal: indexing and naming go on meanwhile)."""
        dialog = ImproveDialog(self.library_dir, improved_model(self.library) is not None, self)
        dialog.model_changed.connect(self.regroup)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def show_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(index_options(self.library), self.library_dir, cluster_level(self.library),
                                chosen_theme(), self)
        dialog.accepted.connect(lambda: self._save_settings(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _save_settings(self, dialog: SettingsDialog) -> None:
        save_index_options(self.library, dialog.index_options())
        if dialog.theme() != dialog.shown_theme:
            try:
                choose_theme(dialog.theme())
            except PhotofaceError as error:
                self.show_error(error.in_app)
            apply_theme(QApplication.instance(), dialog.theme())
        if dialog.grouping_level() != cluster_level(self.library):
            set_cluster_level(self.library, dialog.grouping_level())
            self.regroup(f"Faces will be grouped: {GROUPING_NAMES[dialog.grouping_level()].lower()}")
        if dialog.library_dir() != self.library_dir:
            try:
                choose_library(dialog.library_dir())
            except PhotofaceError as error:
                self.show_error(error.in_app)
                return
            self.statusBar().showMessage(f"{dialog.library_dir()} opens at the next start", MESSAGE_MS)

    # --- people -------------------------------------------------------------------

    def undo(self) -> None:
        last = queries.recent_operations(self.library, 1)
        try:
            operations.undo(self.library)
        except PhotofaceError as error:
            self.statusBar().showMessage(error.in_app, MESSAGE_MS)
            return
        self.people_changed(f"Undone: {UNDONE.get(last[0]['kind'], 'the last change')}")

    def people_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, MESSAGE_MS)
        self.refresh()

    def open_person(self, person_id: int | None) -> None:
        self.person_view.show_person(person_id)
        self.stack.setCurrentWidget(self.person_view)

    def open_face(self, face_id: int, sequence: list[int] | None = None) -> None:
        """The photo the face is in; previous / next go through ``sequence`` (the faces of the list it
        was opened from), Back to the screen it was opened from."""
        self._open_in_viewer(lambda: self.photo_view.show_face(face_id, sequence))

    def _open_in_viewer(self, show) -> None:
        try:
            show()
        except PhotofaceError as error:  # the photo was moved or broken since
            self.show_error(error.in_app)
            return
        if self.stack.currentWidget() is not self.photo_view:
            self.photo_opened_from = self.stack.currentWidget()
        self.stack.setCurrentWidget(self.photo_view)

    def show_people(self) -> None:
        if not self.people_model.tiles:  # photos looked at without a face are not "no photos yet"
            self.welcome.set_photos_without_faces(self.library.status(error_limit=0)["photos"]["indexed"])
        self.stack.setCurrentWidget(self.people_view if self.people_model.tiles else self.welcome)

    def refresh(self) -> None:
        """Re-read the library into whatever is on screen (and the screen the photo viewer goes back to)."""
        self.people_model.reload()
        page = self.stack.currentWidget()
        under = self.photo_opened_from if page is self.photo_view else page
        if under is self.photos_view:
            self.photos_view.reload()
        elif under is not self.person_view or not self.person_view.reload():  # People, or the person is gone
            if page is not self.photo_view:
                self.show_people()
                return
            self.photo_opened_from = self.people_view  # Back from the photo: the person is gone
        if page is self.photo_view:
            self.photo_view.reload()

    def show_error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "photoface", message, parent=self)
        box.open()  # not modal: background work goes on

    def closeEvent(self, event) -> None:
        self._shut_down()
        super().closeEvent(event)

    def _shut_down(self) -> None:
        """Stop watching and every background job (indexing stops after the photos in hand), and
        close the library: nothing is lost, and its lock is free."""
        if self.closed:  # by a restore, before the window closes
            return
        self.watching.stop()
        self.photos_view.model.thumbnails.stop()
        for dialog in self.findChildren(ImproveDialog):  # its training stops, its candidate goes
            dialog.reject()
        for check in self.findChildren(ReadinessJob):  # left by a dialog closed while it looked
            check.wait()
        self.photo_view.stop()
        if self.job is not None:
            # Disconnected first: a closed window starts no follow-up job.
            self.job.succeeded.disconnect()
            self.job.failed.disconnect()
            if isinstance(self.job, IndexingJob):
                self.job.people_changed.disconnect()
                self.job.cancel()
            self.job.wait()
        self.closed = True
        self.library.close()

    # --- photos: the timeline and people together (issue #18) --------------------------

    def show_timeline(self, person_ids: list[int] = ()) -> None:
        """Photos by month, newest first: everyone's, or only those where all of ``person_ids`` are."""
        try:
            self.photos_view.show_people_photos(list(person_ids))
        except PhotofaceError as error:  # someone merged or undone away meanwhile
            self.show_error(error.in_app)
            return
        self.stack.setCurrentWidget(self.photos_view)

    def open_photo(self, photo_id: int) -> None:
        self._open_in_viewer(lambda: self.photo_view.show_photo(photo_id, self.photos_view.model.photo_ids()))

    def _add_photos_pages(self) -> None:
        self.people_view.together_requested.connect(self.show_timeline)
        self.person_view.photos_requested.connect(self.show_timeline)
        self.photos_view.back.connect(self.show_people)
        self.photos_view.photo_opened.connect(self.open_photo)
        navigation = self.addToolBar("Navigation")
        navigation.setMovable(False)
        people = QAction("People", self, triggered=self.show_people, shortcut="Ctrl+1", toolTip="People (Ctrl+1)")
        timeline = QAction("Timeline", self, triggered=lambda: self.show_timeline(), shortcut="Ctrl+2",
                           toolTip="All photos by month (Ctrl+2)")
        navigation.addActions([people, timeline])

    # --- construction ---------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle(f"photoface - {shown_path(self.library_dir)}")
        self.resize(1100, 760)
        self.stack = QStackedWidget()
        for page in (self.welcome, self.people_view, self.person_view, self.photo_view, self.photos_view):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self.statusBar().addPermanentWidget(self.progress, stretch=1)
        self.welcome.add_folder.connect(self.add_folder)
        self.watching.changed.connect(self._folders_changed)
        self.folders_dialog.add_requested.connect(lambda: self.add_folder())
        self.folders_dialog.pause_requested.connect(self.pause_folder)
        self.folders_dialog.remove_requested.connect(self.remove_folder)
        self.people_view.person_opened.connect(self.open_person)
        self.people_view.changed.connect(self.people_changed)
        self.people_view.failed.connect(self.show_error)
        self.person_view.back.connect(self.show_people)
        self.person_view.changed.connect(self.people_changed)
        self.person_view.failed.connect(self.show_error)
        self.person_view.face_opened.connect(lambda face: self.open_face(face, self.person_view.model.face_ids()))
        self.photo_view.back.connect(lambda: self.stack.setCurrentWidget(self.photo_opened_from))
        self.photo_view.changed.connect(self.people_changed)
        self.photo_view.failed.connect(self.show_error)
        self._add_actions()
        self._add_photos_pages()
        self._build_shell()

    def _add_actions(self) -> None:
        add = QAction("Add folder…", self, shortcut=QKeySequence.StandardKey.Open)
        add.triggered.connect(lambda: self.add_folder())
        folders = QAction("Photo folders…", self, triggered=self.show_folders)
        export = QAction("Export albums…", self, triggered=self.show_export)
        improve = QAction("Improve recognition…", self, triggered=self.show_improve)
        group = QAction("Group faces again", self, triggered=self.group_again)
        settings = QAction("Settings…", self, triggered=self.show_settings,
                           shortcut=QKeySequence.StandardKey.Preferences)
        undo = QAction("Undo", self, shortcut=QKeySequence.StandardKey.Undo)
        undo.triggered.connect(self.undo)
        menu = self.library_menu = self.menuBar().addMenu("&Library")
        for action in (add, folders, export, group, improve, settings, undo):
            menu.addAction(action)
        self.addActions([add, undo])

    # --- the shell: backup and restore, quit, help, folders dropped (issue #18) ---------

    def back_up(self, target: Path | None = None) -> Path | None:
        """Back the library up to ``target`` (asks, offering the library's backups folder, when not
        given); safe while jobs write. The backup, or None when none was made."""
        if target is None:
            suggested = backups.default_backup_path(self.library_dir)
            with contextlib.suppress(OSError):  # for the file dialog to open there; back_up says what fails
                suggested.parent.mkdir(parents=True, exist_ok=True)
            chosen, _ = QFileDialog.getSaveFileName(self, "Back up the library", str(suggested),
                                                    "photoface backups (*.db)")
            if not chosen:
                return None
            target = Path(chosen)
        try:
            saved = backups.back_up(self.library_dir, target)
        except PhotofaceError as error:
            self.show_error(error.in_app)
            return None
        self.statusBar().showMessage(f"Backed up to {saved}", MESSAGE_MS)
        return saved

    def show_restore(self) -> RestoreDialog:
        """The backups and safety copies ``restore --list`` shows, or a file; restored once confirmed."""
        dialog = RestoreDialog(backups.restorable_copies(self.library_dir), self)
        dialog.restore_requested.connect(self.restore_backup)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def restore_backup(self, backup: Path) -> "MainWindow | None":
        """Stop the jobs, close the library, restore ``backup`` into it (keeping the replaced one as a
        safety copy, as ``photoface restore`` does) and open it again in a new window, returned."""
        self._shut_down()
        try:
            kept = backups.restore(self.library_dir, backup)
        except PhotofaceError as error:  # nothing was replaced: the same library opens again
            kept, failure = None, error.in_app
        else:
            failure = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # its views would read the closed library
        try:
            self.successor = MainWindow(self.library_dir, self.embedder)
        except PhotofaceError as error:  # e.g. its disk went away: nothing left to show
            QMessageBox.critical(self, "photoface", error.in_app)
            self.close()
            return None
        self.successor.setGeometry(self.geometry())
        self.successor.show()  # before this one closes: closing the last window would quit the app
        if failure:
            self.successor.show_error(failure)
        else:
            kept_as = f"; the library it replaced is kept as {kept.name}" if kept else ""
            self.successor.statusBar().showMessage(f"Restored {Path(backup).name}{kept_as}", MESSAGE_MS)
        self.close()
        return self.successor

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "About photoface", ABOUT.format(version=__version__),
                          parent=self)
        box.open()
        return box

    def dragEnterEvent(self, event) -> None:
        """Folders dragged from a file manager are welcome; a file is refused, saying why."""
        folders, others = _dropped(event.mimeData())
        if folders:
            event.acceptProposedAction()
        else:
            if others:
                self.statusBar().showMessage(_NOT_FOLDERS, MESSAGE_MS)
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # over the people grid, which takes only people
        if _dropped(event.mimeData())[0]:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        folders, others = _dropped(event.mimeData())
        event.acceptProposedAction()
        for folder in folders:
            self.add_folder(folder)
        if others:
            self.statusBar().showMessage(_NOT_FOLDERS, MESSAGE_MS)

    def _build_shell(self) -> None:
        self.setAcceptDrops(True)
        for view, name in ((self.people_view, "People"), (self.person_view, "A person's faces"),
                           (self.photo_view, "Photo"), (self.photos_view, "Timeline and photos together")):
            view.setAccessibleName(name)  # also where the shortcuts list puts their keys
        back_up = QAction("Back up…", self, triggered=lambda: self.back_up())
        restore = QAction("Restore…", self, triggered=self.show_restore)
        # Ctrl+Q itself: not every desktop (nor Qt's offscreen platform) has a standard Quit key.
        quit_app = QAction("Quit", self, shortcut=QKeySequence("Ctrl+Q"), triggered=self.close,
                           menuRole=QAction.MenuRole.QuitRole)
        self.library_menu.addSeparator()
        self.library_menu.addActions([back_up, restore])
        self.library_menu.addSeparator()
        self.library_menu.addAction(quit_app)
        shortcuts = QAction("Keyboard shortcuts", self, triggered=self.show_shortcuts,
                            shortcut=QKeySequence.StandardKey.HelpContents)
        about = QAction("About photoface", self, triggered=self.show_about, menuRole=QAction.MenuRole.AboutRole)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addActions([shortcuts, about])
        self.addActions([quit_app, shortcuts])  # their keys work with the menu bar hidden too


_NOT_FOLDERS = "Only folders can be added: drop the folder your photos are in."


def _dropped(data: QMimeData) -> tuple[list[Path], list[Path]]:
    """The local folders dropped, and the other local files."""
    paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
    return [path for path in paths if path.is_dir()], [path for path in paths if not path.is_dir()]
