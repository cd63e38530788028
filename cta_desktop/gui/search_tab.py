"""The Library tab: the people you imported, a search box that filters as you type, import and delete.

The tab only shows and asks; the main window runs imports and analyses (one background job at a time).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

# Files a drop accepts: every format the readers take (core/datasets detects each by content).
if TYPE_CHECKING:
    from cta_desktop.core.library import Library, Person

TWEET_FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".js", ".json", ".jsonl", ".ndjson", ".xlsx", ".zip", ".gz", ".bz2",
                       ".xz")


def _day(value: Any) -> str:
    return str(value)[:10] if value else "–"


class PeopleModel(QAbstractTableModel):
    COLUMNS = ("Name", "Handle", "Tweets", "First tweet", "Last tweet", "Imported from")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.people: list[Person] = []

    def set_people(self, people: list[Person]) -> None:
        self.beginResetModel()
        self.people = list(people)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.people)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p = self.people[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return p.name
            if col == 1:
                return f"@{p.handle}" if p.handle else ""
            if col == 2:
                return f"{int(p.tweet_count):,}"
            if col == 3:
                return _day(p.first_date)
            if col == 4:
                return _day(p.last_date)
            if col == 5:
                return Path(str(p.source_file)).name if p.source_file else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            return str(p.source_file or "")
        if role == Qt.ItemDataRole.UserRole:
            return p.id
        return None


class SearchTab(QWidget):
    analyze_requested = Signal(int)
    import_requested = Signal()
    files_dropped = Signal(list)
    delete_requested = Signal(int)
    compare_requested = Signal(list)  # two or more person ids (issue #11)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library: Library | None = None
        self._busy = False
        self.setAcceptDrops(True)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search people by name or handle…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setToolTip(f"Import a CSV of tweets ({QKeySequence(QKeySequence.StandardKey.Open).toString(QKeySequence.SequenceFormat.NativeText)}); you can also drop files here")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Remove the selected person and their tweets from the library")
        self.analyze_button = QPushButton("Analyze")
        self.analyze_button.setDefault(True)
        self.analyze_button.setToolTip("Classify the selected person's tweets (Enter, or double-click the row)")

        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Compare the selected people side by side (select two or more: Ctrl/Shift-click)")
        self.compare_button.clicked.connect(lambda: self.compare_requested.emit(self.selected_person_ids()))

        self.model = PeopleModel(self)
        self.table = QTableView()
        self.table.setObjectName("people")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # several: Compare
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.activated.connect(self._on_double_click)

        self.empty = QLabel()
        self.empty.setObjectName("empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.hint = QLabel("Tip: drop CSV files anywhere on this tab to import them.")
        self.hint.setEnabled(False)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.delete_button)
        bar.addWidget(self.analyze_button)
        bar.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.hint)

        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        self.import_button.clicked.connect(self.import_requested)
        self.analyze_button.clicked.connect(self._on_analyze)
        self.delete_button.clicked.connect(self._on_delete)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    # -- data -------------------------------------------------------------------------------
    def set_library(self, library: Library) -> None:
        self.library = library
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        """Query the library with the search text; keeps (or moves) the selection."""
        keep = select_id if select_id is not None else self.selected_person_id()
        query = self.search.text().strip()
        people = self.library.people(query) if self.library is not None else []
        self.model.set_people(people)
        if people:
            self.stack.setCurrentWidget(self.table)
            row = next((i for i, p in enumerate(people) if p.id == keep), 0)
            self.table.selectRow(row)
        else:
            self.empty.setText(
                f"No one matches “{query}”." if query else
                "Your library is empty.\n\nImport a CSV of tweets (Ctrl+O) or drop one here."
            )
            self.stack.setCurrentWidget(self.empty)
        self._update_buttons()

    def selected_person_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.people[rows[0].row()].id

    def selected_person_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [self.model.people[r.row()].id for r in sorted(rows, key=lambda r: r.row())]

    def selected_person(self) -> Person | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.people[rows[0].row()] if rows else None

    def select_person(self, person_id: int) -> bool:
        for i, p in enumerate(self.model.people):
            if p.id == person_id:
                self.table.selectRow(i)
                return True
        return False

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self, *args: Any) -> None:
        has = self.selected_person_id() is not None
        busy = self._busy
        self.analyze_button.setEnabled(has and not busy)
        self.delete_button.setEnabled(has and not busy)
        self.import_button.setEnabled(not busy)
        self.compare_button.setEnabled(len(self.selected_person_ids()) >= 2 and not busy)

    # -- actions ----------------------------------------------------------------------------
    def _on_double_click(self, index: QModelIndex) -> None:
        if index.isValid() and not self._busy:
            self.analyze_requested.emit(self.model.people[index.row()].id)

    def _on_analyze(self) -> None:
        pid = self.selected_person_id()
        if pid is not None:
            self.analyze_requested.emit(pid)

    def _on_delete(self) -> None:
        pid = self.selected_person_id()
        if pid is not None:
            self.delete_requested.emit(pid)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- drag and drop ----------------------------------------------------------------------
    @staticmethod
    def tweet_file_paths(mime) -> list[str]:
        if not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls()
                if u.isLocalFile() and u.toLocalFile().lower().endswith(TWEET_FILE_SUFFIXES)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.tweet_file_paths(event.mimeData()) and not self._busy:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = self.tweet_file_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            event.ignore()
