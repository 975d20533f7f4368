"""Light and dark: the Fusion style with a light or a dark palette, following the desktop's colour
scheme unless the user chose one (Settings, kept per user: ``paths.chosen_theme``)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

_CHOICE, _FOLLOWING = "photoface-theme", "photoface-follows-system"  # properties of the app
THEME_NAMES = {"system": "As the system", "light": "Light", "dark": "Dark"}  # by paths.THEMES

Role, Group = QPalette.ColorRole, QPalette.ColorGroup
SELECTION = "#2a6cc0"  # white on it is legible (WCAG contrast 5.2; Fusion's own blue: 3.7)
_DARK = {Role.Window: "#2d2d2d", Role.WindowText: "#e8e8e8", Role.Base: "#1f1f1f",
         Role.AlternateBase: "#353535", Role.ToolTipBase: "#3c3c3c", Role.ToolTipText: "#e8e8e8",
         Role.PlaceholderText: "#9a9a9a", Role.Text: "#e8e8e8", Role.Button: "#3a3a3a",
         Role.ButtonText: "#e8e8e8", Role.BrightText: "#ff6b6b", Role.Light: "#505050",
         Role.Midlight: "#444444", Role.Mid: "#2a2a2a", Role.Dark: "#1a1a1a", Role.Shadow: "#000000",
         Role.Highlight: SELECTION, Role.HighlightedText: "#ffffff", Role.Link: "#7cb4ff",
         Role.LinkVisited: "#c39bff"}
_DARK_DISABLED = {Role.WindowText: "#7a7a7a", Role.Text: "#7a7a7a", Role.ButtonText: "#7a7a7a",
                  Role.Highlight: "#505050", Role.HighlightedText: "#b0b0b0"}


def apply_theme(app: QApplication, choice: str) -> None:
    """Colour the app as ``choice`` says ("system", "light" or "dark"); with "system" it also
    follows the desktop when that switches while the app runs."""
    app.setProperty(_CHOICE, choice)
    if app.style().name() != "fusion":  # draws with the palette alone, the same everywhere
        app.setStyle("Fusion")  # once: a new style re-polishes every widget, closed ones too
    app.setPalette(dark_palette() if is_dark(choice) else light_palette(app))
    if not app.property(_FOLLOWING):
        QGuiApplication.styleHints().colorSchemeChanged.connect(_system_switched)
        app.setProperty(_FOLLOWING, True)


def _system_switched() -> None:
    app = QApplication.instance()
    if app.property(_CHOICE) == "system":
        apply_theme(app, "system")


def is_dark(choice: str) -> bool:
    if choice == "system":
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return choice == "dark"


def light_palette(app: QApplication) -> QPalette:
    palette = app.style().standardPalette()
    palette.setColor(Group.Active, Role.Highlight, QColor(SELECTION))
    palette.setColor(Group.Inactive, Role.Highlight, QColor(SELECTION))
    return palette


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(Group.Disabled, role, QColor(colour))
    return palette
