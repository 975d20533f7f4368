"""The app's shell: backup and restore from the Library menu, Quit, Help, folders dropped on the
window, what the empty screen says, Settings' words and the light and dark themes."""

import pytest
import shiboken6
from click.testing import CliRunner
from PySide6.QtCore import QEvent, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QColor, QDragEnterEvent, QDropEvent, QImage, QPalette, QShortcut
from PySide6.QtWidgets import QApplication, QMessageBox

from photoface import __version__
from photoface.cli import cli
from photoface.folders import library_folders
from photoface.gui.main_window import MainWindow
from photoface.gui.theme import apply_theme, dark_palette
from photoface.gui.views.restore import RestoreDialog
from photoface.gui.views.shortcuts import shortcut_rows
from photoface.paths import chosen_theme, library_location
from photoface.people import operations, queries
from photoface.store.backup import BACKUPS_DIR, SAFETY_COPY
from photoface.store.library import Library

from .test_window import INDEXING_TIMEOUT_MS

Role = QPalette.ColorRole


def action(window, text: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def names(library) -> list[str]:
    return sorted(person["name"] for person in queries.people(library) if person["name"])


# --- backup and restore ---------------------------------------------------------------


def unregistered_window(library_dir, embedder) -> MainWindow:
    """A window a restore replaces: it deletes itself, so qtbot must not close it again."""
    window = MainWindow(library_dir, embedder=embedder)
    window.show()
    return window


def test_back_up_then_restore_from_the_list_brings_the_names_back(qtbot, people_library, embedder):
    window = unregistered_window(people_library, embedder)
    backup = window.back_up(window.library_dir / BACKUPS_DIR / "before-naming.db")
    assert backup.is_file() and "Backed up to" in window.statusBar().currentMessage()
    person = queries.people(window.library)[0]["id"]
    operations.name_person(window.library, person, "Anna")

    dialog = window.show_restore()
    assert dialog.copies.count() == 1 and "Backup" in dialog.copies.item(0).text()
    assert not dialog.restore_button.isEnabled()
    dialog.copies.setCurrentRow(0)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    confirmation = dialog.confirmation
    assert confirmation.isVisible() and "safety copy" in confirmation.text()
    assert confirmation.defaultButton() is confirmation.button(QMessageBox.StandardButton.Cancel)
    restore = next(b for b in confirmation.buttons() if b.text() == "Restore")
    with qtbot.waitSignal(dialog.restore_requested):
        qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)

    reopened = window.successor
    qtbot.addWidget(reopened)
    assert window.closed and not window.isVisible() and reopened.isVisible()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(window), "no window left over the closed library"
    assert "Anna" not in names(reopened.library)
    assert "kept as library.db.before-restore-" in reopened.statusBar().currentMessage()
    safety = list(window.library_dir.glob(SAFETY_COPY + "-*"))
    assert len(safety) == 1
    with Library.open(safety[0].parent, read_only=True):
        pass
    operations.name_person(reopened.library, person, "Ben")  # it writes: the lock is the new window's


def test_restore_stops_the_indexing_and_a_bad_file_changes_nothing(qtbot, copy_photos, tmp_path, embedder):
    window = unregistered_window(tmp_path / "library", embedder)
    window.add_folder(copy_photos("knn/test"))
    job = window.job
    bad = tmp_path / "not-a-backup.db"
    bad.write_text("hello")
    reopened = window.restore_backup(bad)
    qtbot.addWidget(reopened)
    assert job.isFinished() and window.closed
    boxes = [box for box in reopened.findChildren(QMessageBox) if box.isVisible()]
    assert boxes and "is not a photoface library backup" in boxes[0].text()
    assert not list(window.library_dir.glob(SAFETY_COPY + "*")), "nothing was replaced"
    # The reopened window carries on: it catches up with the folder it watches.
    qtbot.waitUntil(lambda: reopened.job is None and not reopened.waiting_roots, timeout=INDEXING_TIMEOUT_MS)
    assert reopened.library.status()["photos"]["indexed"] > 0


def test_the_backup_menu_offers_the_library_backups_folder(qtbot, people_window, monkeypatch):
    offered = []
    monkeypatch.setattr("photoface.gui.main_window.QFileDialog.getSaveFileName",
                        lambda parent, title, path, kinds: offered.append(path) or (path, kinds))
    action(people_window, "Back up…").trigger()
    assert offered and offered[0].startswith(str(people_window.library_dir / BACKUPS_DIR / "library-"))
    assert len(list((people_window.library_dir / BACKUPS_DIR).glob("library-*.db"))) == 1


def test_restore_with_no_backups_says_how_to_make_one(qtbot, window):
    dialog = window.show_restore()
    assert isinstance(dialog, RestoreDialog) and dialog.copies.count() == 0
    assert not dialog.restore_button.isEnabled()


# --- quit, help -------------------------------------------------------------------------


def test_ctrl_q_quits_and_stops_the_indexing(qtbot, window, copy_photos):
    window.add_folder(copy_photos("knn/test"))
    job = window.job
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.closed and not window.isVisible() and job.isFinished()


def test_the_shortcuts_list_is_built_from_every_key_of_the_window(qtbot, people_window):
    rows = shortcut_rows(people_window)
    keyed = [a for a in people_window.findChildren(QAction) if a.shortcuts()]
    keyed += [s for s in people_window.findChildren(QShortcut) if not s.key().isEmpty()]
    listed = ", ".join(keys for _, _, keys in rows)
    for item in keyed:
        keys = item.shortcuts() if isinstance(item, QAction) else [item.key()]
        for key in keys:
            assert key.toString(key.SequenceFormat.NativeText) in listed
    assert all(what for _, what, _ in rows), f"a shortcut without a description: {rows}"
    assert ("Everywhere", "Quit", "Ctrl+Q") in rows
    assert ("A person's faces", "Yes: it is them", "Y") in rows
    dialog = people_window.show_shortcuts()
    assert dialog.table.rowCount() == len(rows)


def test_about_shows_the_version(qtbot, window):
    box = window.show_about()
    assert box.isVisible() and __version__ in box.text()


# --- folders dropped on the window, and given on the command line ----------------------------


def drag(window, *paths, drop: bool = False):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    kind = QDropEvent if drop else QDragEnterEvent
    event = kind(QPoint(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                 Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return event


def test_a_dropped_folder_is_added_and_a_file_politely_refused(qtbot, window, copy_photos):
    photos = copy_photos("knn/test")
    photo = next(photos.rglob("*.jpg"))
    assert drag(window, photos).isAccepted()
    refused = drag(window, photo)
    assert not refused.isAccepted() and "Only folders" in window.statusBar().currentMessage()

    drag(window, photos, photo, drop=True)
    assert [folder.path for folder in library_folders.folders(window.library)] == [photos.resolve()]
    assert window.job is not None, "indexing started"
    assert "Only folders" in window.statusBar().currentMessage()


def test_photoface_folder_opens_the_app_with_the_folders(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr("photoface.gui.app.run_app", lambda given, folders, theme: opened.append(
        (library_location(given), folders, theme)) or 0)
    (tmp_path / "a").mkdir()
    result = CliRunner().invoke(cli, ["--theme", "dark", str(tmp_path / "a"), str(tmp_path / "b")],
                                env={"PHOTOFACE_LIBRARY": str(tmp_path / "lib")})
    assert result.exit_code == 0, result.output
    assert opened == [(tmp_path / "lib", [tmp_path / "a", tmp_path / "b"], "dark")]
    mistyped = CliRunner().invoke(cli, ["indx"])
    assert mistyped.exit_code == 2 and "No such command 'indx'" in mistyped.output


# --- the empty screen, Settings ------------------------------------------------------------------


def test_photos_without_faces_are_not_no_photos_yet(qtbot, window, copy_photos):
    message = window.welcome.message
    assert "No photos yet" in message.text()
    assert message.height() >= message.heightForWidth(message.width()), "the text is clipped"
    window.add_folder(copy_photos("exif/landscape_1.jpg", "exif/portrait_3.jpg", "nonfaces/coffee.png"))
    qtbot.waitUntil(lambda: window.job is None and not window.waiting_roots, timeout=INDEXING_TIMEOUT_MS)
    assert window.stack.currentWidget() is window.welcome
    assert "No faces found" in message.text() and "3 photos" in message.text()
    assert message.height() >= message.heightForWidth(message.width()), "the text is clipped"


def test_settings_show_the_model_by_name_and_the_whole_library_path(qtbot, tmp_path, embedder):
    deep = tmp_path / "a folder with a rather long name" / "library"
    window = MainWindow(deep, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    dialog = window.show_settings()
    assert dialog.model.currentText() == "FaceNet, CASIA-WebFace (built in, recommended)"
    field = dialog.library
    assert field.width() >= field.fontMetrics().horizontalAdvance(str(deep)), "the path is cut"
    dialog.reject()


# --- light and dark -----------------------------------------------------------------------------------


@pytest.fixture
def themed(qapp, tmp_path, monkeypatch):
    """The app's colours put back after the test; the theme choice in a private config."""
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path / "config"))
    palette = qapp.palette()
    yield qapp
    qapp.setPalette(palette)


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio: 4.5 is legible body text."""
    def luminance(colour: QColor) -> float:
        channels = [c / 255 for c in (colour.red(), colour.green(), colour.blue())]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_tiles_and_selection_are_legible_in_both_themes(themed, theme):
    apply_theme(themed, theme)
    palette = themed.palette()
    for text, ground in ((Role.Text, Role.Base), (Role.WindowText, Role.Window), (Role.ButtonText, Role.Button),
                         (Role.HighlightedText, Role.Highlight), (Role.ToolTipText, Role.ToolTipBase)):
        assert contrast(palette.color(text), palette.color(ground)) >= 4.5, (theme, text, ground)
    assert (palette.color(Role.Window).lightness() < 128) == (theme == "dark")


def test_settings_choose_the_theme_for_the_user(qtbot, themed, window):
    dialog = window.show_settings()
    assert dialog.colours.currentData() == "system"
    dialog.colours.setCurrentIndex(dialog.colours.findData("dark"))
    dialog.accept()
    assert chosen_theme() == "dark"
    assert themed.palette().color(Role.Window) == dark_palette().color(Role.Window)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_in_either_theme(themed, people_library, tmp_path, theme):
    png = tmp_path / f"{theme}.png"
    result = CliRunner().invoke(cli, ["--library", str(people_library), "--screenshot", str(png),
                                      "--view", "person", "--theme", theme])
    assert result.exit_code == 0, result.output
    corner = QImage(str(png)).pixelColor(QImage(str(png)).width() - 30, 40)  # the window's ground
    assert (corner.lightness() < 128) == (theme == "dark")


def test_paths_show_from_the_home_folder(qtbot, people_library_template, people_library, embedder, monkeypatch,
                                        tmp_path):
    home = tmp_path / "home"  # a link to where the photos are: the library stores their paths resolved
    home.symlink_to(people_library_template.parent)
    monkeypatch.setenv("HOME", str(home))
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    window.open_person(window.people_model.tiles[0].person_id)
    window.open_face(window.person_view.model.faces[0]["face_id"])
    assert window.photo_view.path_label.toolTip().startswith("~/photos/")  # the label: the file name only
