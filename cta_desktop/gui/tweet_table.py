"""The table of every analysed tweet: a column-array model, sorted with NumPy and filtered by the proxy.

A 100k-row QTableWidget would hold 600k items; this model holds six NumPy columns and formats a
cell only when the view paints it. Sorting in Qt would call `data()` from C++ n·log n times, so the
proxy hands sorting to the model (one `argsort`); filtering stays in QSortFilterProxyModel, matching
a regular expression against one hidden role that joins a row's label and text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from cta_desktop.gui.charts import LABELS, SENTIMENT_COLOURS

FILTER_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_VALUE_ROLE = Qt.ItemDataRole.UserRole + 2
SEPARATOR = "\x1f"


class TweetColumns:
    """Parallel arrays, one row per tweet, in the order the analysis scored them."""

    def __init__(self, texts: Sequence[str], labels: Sequence[Any] | np.ndarray, confidences: Sequence[float] | np.ndarray,
                 dates: Sequence[str | None] | None = None, likes: Sequence[Any] | None = None,
                 retweets: Sequence[Any] | None = None) -> None:
        n = len(texts)
        self.texts = np.asarray(list(texts), dtype=object)
        lab = np.asarray(labels)
        if lab.dtype.kind in "iu":
            lab = np.asarray(LABELS, dtype=object)[lab]
        self.labels = lab.astype(object)
        self.confidences = np.asarray(confidences, dtype=np.float64)
        self.dates = np.asarray(list(dates) if dates is not None else [None] * n, dtype=object)
        self.likes = _counts(likes, n)
        self.retweets = _counts(retweets, n)
        if not (len(self.labels) == len(self.confidences) == n):
            raise ValueError(f"tweet columns differ in length: {n} texts, {len(self.labels)} labels, "
                             f"{len(self.confidences)} confidences")

    def __len__(self) -> int:
        return len(self.texts)


def _counts(values: Sequence[Any] | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, -1, dtype=np.int64)
    return np.asarray([-1 if v is None else int(v) for v in values], dtype=np.int64)


class TweetTableModel(QAbstractTableModel):
    COLUMNS = ("Date", "Sentiment", "Confidence", "Likes", "Retweets", "Tweet")
    TEXT_COLUMN = 5

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.cols: TweetColumns | None = None
        self.order = np.zeros(0, dtype=np.int64)  # display row -> tweet index
        self._brushes = {k: QBrush(QColor(v)) for k, v in SENTIMENT_COLOURS.items()}
        self._brushes["not judged"] = QBrush(QColor("#9a9a9a"))  # issue #11: tweets the model cannot judge

    def set_columns(self, cols: TweetColumns | None) -> None:
        self.beginResetModel()
        self.cols = cols
        self.order = np.arange(len(cols) if cols is not None else 0, dtype=np.int64)
        self.endResetModel()

    def tweet_index(self, row: int) -> int:
        return int(self.order[row])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.cols is None else len(self.order)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.cols is None:
            return None
        i = int(self.order[index.row()])
        col = index.column()
        c = self.cols
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                d = c.dates[i]
                return str(d)[:16].replace("T", " ") if d else ""
            if col == 1:
                return c.labels[i]
            if col == 2:
                conf = c.confidences[i]
                return "" if conf != conf else f"{100 * conf:.1f}%"  # NaN: not judged
            if col == 3:
                return "" if c.likes[i] < 0 else f"{int(c.likes[i]):,}"
            if col == 4:
                return "" if c.retweets[i] < 0 else f"{int(c.retweets[i]):,}"
            return " ".join(str(c.texts[i]).split())
        if role == FILTER_ROLE:
            return f"{c.labels[i]}{SEPARATOR}{c.texts[i]}"
        if role == SORT_VALUE_ROLE:
            return self._sort_key(col)[i]
        if role == Qt.ItemDataRole.ToolTipRole and col == self.TEXT_COLUMN:
            return str(c.texts[i])
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return self._brushes.get(c.labels[i])
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _sort_key(self, column: int) -> np.ndarray:
        c = self.cols
        assert c is not None  # sort() asks only when there are rows
        if column == 0:
            return np.asarray([d or "" for d in c.dates], dtype=object)
        if column == 1:
            return np.asarray([LABELS.index(x) if x in LABELS else -1 for x in c.labels])
        if column == 2:
            return c.confidences
        if column == 3:
            return c.likes
        if column == 4:
            return c.retweets
        return np.asarray([str(t).lower() for t in c.texts], dtype=object)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.cols is None or not len(self.cols):
            return
        self.layoutAboutToBeChanged.emit()
        key = self._sort_key(column) if column >= 0 else np.arange(len(self.cols))  # -1: original order
        if column >= 0 and order == Qt.SortOrder.DescendingOrder:
            key = _reverse_rank(key)  # descending, with ties kept in their original order
        idx = np.argsort(key, kind="stable").astype(np.int64)
        old = self.persistentIndexList()
        before, self.order = self.order, idx
        if old:
            new_row_of = np.empty(len(idx), dtype=np.int64)
            new_row_of[idx] = np.arange(len(idx))
            self.changePersistentIndexList(
                old, [self.index(int(new_row_of[before[p.row()]]), p.column()) for p in old])
        self.layoutChanged.emit()


def _reverse_rank(key: np.ndarray) -> np.ndarray:
    """Keys whose ascending stable order is `key`'s descending order (works for object arrays too)."""
    _, inverse = np.unique(key, return_inverse=True)
    return -inverse.reshape(-1)


class TweetFilterProxy(QSortFilterProxyModel):
    """Filters by label and text with one case-insensitive regular expression; sorting goes to the model."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterKeyColumn(TweetTableModel.TEXT_COLUMN)
        self.setDynamicSortFilter(False)
        self.label = ""
        self.text = ""

    def set_filter(self, label: str = "", text: str = "") -> None:
        self.label, self.text = label or "", text or ""
        if not self.label and not self.text:
            pattern = ""
        else:
            head = re.escape(self.label) if self.label else f"[^{SEPARATOR}]*"
            pattern = f"^{head}{SEPARATOR}[\\s\\S]*" + (re.escape(self.text) if self.text else "")
        rx = QRegularExpression(pattern, QRegularExpression.PatternOption.CaseInsensitiveOption)
        self.setFilterRegularExpression(rx)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)

    def tweet_index(self, proxy_row: int) -> int:
        src = self.mapToSource(self.index(proxy_row, 0))
        return cast(TweetTableModel, self.sourceModel()).tweet_index(src.row())
