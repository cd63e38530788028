"""Dialogs: the import preview (detected columns, changeable), About with the model card, and errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cta_desktop import __version__ as APP_VERSION  # noqa: N812

if TYPE_CHECKING:
    from cta_desktop.core.datasets import ColumnMapping, FilePreview

ROLE_TITLES = {
    "text": "Tweet text",
    "date": "Date",
    "id": "Tweet id",
    "likes": "Likes",
    "retweets": "Retweets",
    "replies": "Replies",
    "handle": "Handle",
    "is_retweet": "Is retweet",
    "name": "Display name",
}
NONE_CHOICE = "(none)"


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """A modal error box: one clear line, with the traceback (if any) behind 'Show Details'."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setText(message)
    if details:
        box.setDetailedText(details)
    box.exec()


def mapping_roles(mapping: ColumnMapping) -> list[str]:
    return [f.name for f in dataclasses.fields(mapping)]


class ImportPreviewDialog(QDialog):
    """Shows what `preview_file` detected: the format, columns per role (changeable), the person and a sample.

    `adding`: the tweets go to an existing person ("Add tweets to…"), so no name is asked for.
    """

    def __init__(self, preview: FilePreview, path: Path, parent: QWidget | None = None, adding: bool = False) -> None:
        super().__init__(parent)
        self.preview = preview
        self.adding = adding
        self.setWindowTitle(f"{'Add tweets from' if adding else 'Import'} {Path(path).name}")
        self.setMinimumSize(760, 520)
        columns = list(preview.columns)

        who = QGroupBox("Person")
        form = QFormLayout(who)
        self.name_edit = QLineEdit(preview.person_guess or "")
        self.name_edit.setPlaceholderText("the person's name, e.g. Ada Lovelace")
        self.handle_edit = QLineEdit(preview.handle_guess or "")
        self.handle_edit.setPlaceholderText("@handle (optional)")
        form.addRow("Name:", self.name_edit)
        form.addRow("Handle:", self.handle_edit)

        roles_box = QGroupBox("Columns (detected — change them if they are wrong)")
        grid = QGridLayout(roles_box)
        self.role_combos: dict[str, QComboBox] = {}
        for i, role in enumerate(mapping_roles(preview.mapping)):
            combo = QComboBox()
            combo.setObjectName(f"role_{role}")
            if role != "text":
                combo.addItem(NONE_CHOICE, None)
            for col in columns:
                combo.addItem(col, col)
            current = getattr(preview.mapping, role)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.currentIndexChanged.connect(self._validate)
            label = QLabel(ROLE_TITLES.get(role, role.replace("_", " ").capitalize()) + ":")
            label.setBuddy(combo)
            grid.addWidget(label, i // 2, (i % 2) * 2)
            grid.addWidget(combo, i // 2, (i % 2) * 2 + 1)
            self.role_combos[role] = combo

        info = QLabel(self._info_text(preview))
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.setWordWrap(True)

        self.sample = QTableWidget(len(preview.rows), len(columns))
        self.sample.setHorizontalHeaderLabels(columns)
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sample.verticalHeader().setVisible(False)
        self.sample.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for r, row in enumerate(preview.rows):
            for c, col in enumerate(columns):
                value = str(row.get(col, "") if isinstance(row, dict) else row[c])
                item = QTableWidgetItem(value[:200])
                item.setToolTip(value[:1000])
                self.sample.setItem(r, c, item)
        self.sample.resizeColumnsToContents()
        for c in range(len(columns)):
            self.sample.setColumnWidth(c, min(self.sample.columnWidth(c), 320))

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: palette(highlight);")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        who.setVisible(not adding)
        top.addWidget(who, 1)
        top.addWidget(roles_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(info)
        layout.addWidget(QLabel(f"First {len(preview.rows)} rows:"))
        layout.addWidget(self.sample, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._validate)
        self._validate()

    @staticmethod
    def _info_text(preview: FilePreview) -> str:
        parts = [f"Format: {preview.format}", f"encoding {preview.encoding}"]
        if preview.delimiter and preview.format.startswith("CSV"):
            parts.append("delimiter " + {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
                preview.delimiter, repr(preview.delimiter)))
        if preview.n_rows_estimate:
            parts.append(f"about {int(preview.n_rows_estimate):,} rows")
        return ", ".join(parts) + "."

    def _validate(self) -> None:
        problem = ""
        if self.role_combos.get("text") is not None and not self.role_combos["text"].currentData():
            problem = "Choose the column that holds the tweet text."
        elif not self.adding and not self.name_edit.text().strip():
            problem = "Enter the person's name."
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def mapping(self) -> ColumnMapping:
        values = {role: combo.currentData() for role, combo in self.role_combos.items()}
        return dataclasses.replace(self.preview.mapping, **values)

    def person_name(self) -> str:
        return self.name_edit.text().strip()

    def handle(self) -> str | None:
        text = self.handle_edit.text().strip().lstrip("@")
        return text or None


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from cta_desktop.gui.model_card import load_model_card, model_card_html
        from cta_desktop.paths import resources_dir

        self.setWindowTitle("About CTA Desktop")
        self.setMinimumSize(640, 560)
        icon = QLabel()
        pix = QPixmap(str(resources_dir() / "icons" / "cta-desktop-128.png"))
        if not pix.isNull():
            icon.setPixmap(pix.scaled(72, 72, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))
        title = QLabel(
            f"<h2>CTA Desktop {APP_VERSION}</h2>"
            "<p>Celeb's Tweet Analysis, offline: the sentiment of a public figure's tweets from a CSV, "
            "with a pruned text-CNN run by a sparse (NZB) engine.</p>"
            "<p>Grown out of the capstone project <i>CTA — faster inference through sparse-matrix "
            "processing</i>. Nothing leaves this computer.</p>"
        )
        title.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(title, 1)
        self.card = QTextBrowser()
        self.card.setObjectName("model_card")
        self.card.setOpenExternalLinks(False)
        self.card.setHtml(model_card_html(load_model_card()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.card, 1)
        layout.addWidget(buttons)


def app_icon() -> QIcon:
    from cta_desktop.paths import resources_dir

    icon = QIcon()
    folder = resources_dir() / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = folder / f"cta-desktop-{size}.png"
        if path.exists():
            icon.addFile(str(path))
    return icon
