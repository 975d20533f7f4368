"""The single main window: screens in a stack, background jobs, undo."""

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QStackedWidget, QWidget

from photoface.errors import PhotofaceError
from photoface.face_model import improved_model
from photoface.folders import FolderChanges, indexer_roots
from photoface.folders import library_folders as folder_list
from photoface.library_settings import cluster_level, index_options, save_index_options, set_cluster_level
from photoface.paths import choose_library
from photoface.people import operations, queries
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
from .views.export import ExportDialog
from .views.folders import FoldersDialog
from .views.improve import ImproveDialog
from .views.people import TILE_SIDE, PeopleView
from .views.person import PersonView
from .views.photo import PhotoView
from .views.photos import PHOTO_SIDE, PhotosView
from .views.settings import GROUPING_NAMES, SettingsDialog
from .views.welcome import WelcomeView

if TYPE_CHECKING:  # torch and the training package load with the first job, not with the window
    from photoface.embed.models import Embedder

MESSAGE_MS = 8000
# The undo log's kinds in the app's words (its summaries name ids).
UNDONE = {"name": "naming", "merge": "merging two people", "split": "moving faces", "create": "making a new person",
          "remove": "taking faces out", "confirm": "confirming faces", "reject": "saying faces are someone else",
          "hide": "hiding or showing", "cover": "choosing a cover"}
GROUPING = "Grouping faces into people…"


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
        thumbnails = ThumbnailCache(self.library, TILE_SIDE)
        self.people_model = PeopleModel(self.library, thumbnails, self)
        self.welcome = WelcomeView()
        self.people_view = PeopleView(self.people_model)
        self.person_view = PersonView(self.library, FacesModel(self.library, thumbnails, self))
        self.photo_view = PhotoView(self.library)
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
        dialog = SettingsDialog(index_options(self.library), self.library_dir, cluster_level(self.library), self)
        dialog.accepted.connect(lambda: self._save_settings(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _save_settings(self, dialog: SettingsDialog) -> None:
        save_index_options(self.library, dialog.index_options())
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

    def open_face(self, face_id: int) -> None:
        """The photo the face is in."""
        self._open_in_viewer(lambda: self.photo_view.show_face(face_id), self.person_view)

    def _open_in_viewer(self, show, opened_from: QWidget) -> None:
        try:
            show()
        except PhotofaceError as error:  # the photo was moved or broken since
            self.show_error(error.in_app)
            return
        self.photo_opened_from = opened_from
        self.stack.setCurrentWidget(self.photo_view)

    def show_people(self) -> None:
        self.stack.setCurrentWidget(self.people_view if self.people_model.tiles else self.welcome)

    def refresh(self) -> None:
        """Re-read the library into whatever is on screen (and the screen the photo viewer goes back to)."""
        self.people_model.reload()
        page = self.stack.currentWidget()
        under = self.photo_opened_from if page is self.photo_view else page
        if under is self.photos_view:
            self.photos_view.reload()
        elif not (under is self.person_view and self.person_view.reload()):
            self.show_people()
            return
        if page is self.photo_view:
            self.photo_view.reload()

    def show_error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "photoface", message, parent=self)
        box.open()  # not modal: background work goes on

    def closeEvent(self, event) -> None:
        self.watching.stop()
        self.photos_view.model.thumbnails.stop()
        for dialog in self.findChildren(ImproveDialog):  # its training stops, its candidate goes
            dialog.reject()
        for check in self.findChildren(ReadinessJob):  # left by a dialog closed while it looked
            check.wait()
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
        super().closeEvent(event)

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
        self._open_in_viewer(lambda: self.photo_view.show_photo(photo_id), self.photos_view)

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
        self.setWindowTitle(f"photoface - {self.library_dir}")
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
        self.person_view.face_opened.connect(self.open_face)
        self.photo_view.back.connect(lambda: self.stack.setCurrentWidget(self.photo_opened_from))
        self.photo_view.changed.connect(self.people_changed)
        self.photo_view.failed.connect(self.show_error)
        self._add_actions()
        self._add_photos_pages()

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
        menu = self.menuBar().addMenu("&Library")
        for action in (add, folders, export, group, improve, settings, undo):
            menu.addAction(action)
        self.addActions([add, undo])
