"""The Results tab: who, how they sound, their most confident tweets, their words, their months, every tweet.

`show_bundle` fills the cheap parts at once; the charts render on a worker thread (see charts.py),
so a result never freezes the window while matplotlib works.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cta_desktop.core.judgement import NOT_JUDGED_LABEL
from cta_desktop.gui.charts import (
    LABELS,
    SENTIMENT_COLOURS,
    ChartWidget,
    draw_by_month,
    draw_sentiment_ratio,
    draw_top_words,
)
from cta_desktop.gui.explain_panel import (
    ExplainedExamples,
    ExplainPanel,
    example_card,
    highlight_examples,
    judgement_html,
    mark_not_judged,
)
from cta_desktop.gui.tweet_table import TweetFilterProxy, TweetTableModel

if TYPE_CHECKING:
    from cta_desktop.core.analysis import AnalysisResult
    from cta_desktop.gui.jobs import AnalysisBundle
    from cta_desktop.gui.workers import Task


def sharing_text(result: AnalysisResult) -> str:
    """How many retweets and replies the person has, and whether this analysis took them."""
    rts = f"{result.n_retweets:,} retweets " + ("included" if result.include_retweets else "left out")
    replies = f"{result.n_replies:,} replies " + ("included" if result.include_replies else "left out")
    return f"{rts}, {replies} (Analysis menu)"


class ExampleList(QWidget):
    """The two tweets the model is surest of, for each class."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, ExplainedExamples] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for label in LABELS:
            title = QLabel(f"<b><span style='color:{SENTIMENT_COLOURS[label]}'>●</span> {label.capitalize()}</b>")
            body = ExplainedExamples()
            body.setObjectName(f"examples_{label}")
            body.setWordWrap(True)
            body.setTextFormat(Qt.TextFormat.RichText)
            body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(title)
            layout.addWidget(body)
            self.labels[label] = body
        layout.addStretch(1)

    def set_examples(self, examples: dict[str, list[dict[str, Any]]]) -> None:
        """`examples` as AnalysisResult.examples: per class, JSON-shaped dicts with text, confidence, date."""
        for label, body in self.labels.items():
            items = list(examples.get(label) or [])[:2]
            if not items:
                body.show_plain("<i>no tweet in this class</i>")
                continue
            body.show_plain("".join(example_card(html.escape(" ".join(str(ex["text"]).split())), ex) for ex in items))

    def texts(self, label: str) -> str:
        return self.labels[label].text()


class ResultsTab(QWidget):
    export_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bundle: AnalysisBundle | None = None
        self.examples_task: Task | None = None

        # header ------------------------------------------------------------------------
        self.name_label = QLabel()
        self.name_label.setObjectName("person_name")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name_label.setFont(font)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("person_meta")
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ratio_label = QLabel()
        self.ratio_label.setObjectName("ratio_text")
        self.ratio_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Per-tweet CSV, HTML report or chart images (Ctrl+E)")
        self.export_button.clicked.connect(self.export_requested)
        head_text = QVBoxLayout()
        head_text.addWidget(self.name_label)
        head_text.addWidget(self.meta_label)
        head_text.addWidget(self.ratio_label)
        self.judgement_label = QLabel()  # not judged (grey) and the top words of each class
        self.judgement_label.setObjectName("judgement_text")
        self.judgement_label.setTextFormat(Qt.TextFormat.RichText)
        self.judgement_label.setWordWrap(True)
        head_text.addWidget(self.judgement_label)
        header = QHBoxLayout()
        header.addLayout(head_text, 1)
        header.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)

        # overview: charts and examples ---------------------------------------------------
        self.ratio_chart = ChartWidget("sentiment", min_height=130)
        self.ratio_chart.setObjectName("ratio_chart")
        self.words_chart = ChartWidget("top_words", min_height=130)
        self.words_chart.setObjectName("words_chart")
        self.month_chart = ChartWidget("by_month", min_height=130)
        self.month_chart.setObjectName("month_chart")
        self.examples = ExampleList()
        examples_scroll = QScrollArea()
        examples_scroll.setWidgetResizable(True)
        examples_scroll.setFrameShape(QFrame.Shape.NoFrame)
        examples_scroll.setWidget(self.examples)

        def box(title: str, widget: QWidget) -> QGroupBox:
            g = QGroupBox(title)
            lay = QVBoxLayout(g)
            lay.setContentsMargins(6, 6, 6, 6)
            lay.addWidget(widget)
            return g

        overview = QWidget()
        grid = QGridLayout(overview)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(box("Sentiment", self.ratio_chart), 0, 0)
        grid.addWidget(box("Most confident tweets", examples_scroll), 0, 1)
        grid.addWidget(box("Top 5 words", self.words_chart), 1, 0)
        grid.addWidget(box("Sentiment by month", self.month_chart), 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        # all tweets -----------------------------------------------------------------------
        self.model = TweetTableModel(self)
        self.proxy = TweetFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("tweets")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        h = self.table.horizontalHeader()
        for col, width in enumerate((130, 90, 90, 80, 80)):
            h.resizeSection(col, width)
        h.setSectionResizeMode(TweetTableModel.TEXT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.label_filter = QComboBox()
        self.label_filter.setObjectName("label_filter")
        self.label_filter.addItem("All sentiments", "")
        for label in LABELS:
            self.label_filter.addItem(label.capitalize(), label)
        self.label_filter.addItem("Not judged", NOT_JUDGED_LABEL)  # issue #11: their own grey group
        self.text_filter = QLineEdit()
        self.text_filter.setObjectName("text_filter")
        self.text_filter.setPlaceholderText("Filter tweets by text…")
        self.text_filter.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show:"))
        filters.addWidget(self.label_filter)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.count_label)
        table_panel = QWidget()
        tl = QVBoxLayout(table_panel)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(filters)
        self.explain_panel = ExplainPanel()  # why this label, for the selected tweet (worker thread)
        self.explain_panel.setObjectName("explain_panel")
        table_split = QSplitter(Qt.Orientation.Horizontal)
        table_split.addWidget(self.table)
        table_split.addWidget(self.explain_panel)
        table_split.setStretchFactor(0, 3)
        table_split.setStretchFactor(1, 1)
        tl.addWidget(table_split, 1)
        self.table.selectionModel().currentRowChanged.connect(self._explain_current)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(overview)
        self.splitter.addWidget(table_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 300])

        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(header)
        cl.addWidget(self.splitter, 1)

        self.placeholder = QLabel("Nothing analysed yet.\n\nChoose a person on the Library tab and press Analyze.")
        self.placeholder.setObjectName("results_placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self._filter_timer = QTimer(self, singleShot=True, interval=200)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._filter_timer.start)
        self.label_filter.currentIndexChanged.connect(self._apply_filter)

    # -- showing a result -------------------------------------------------------------------
    def show_bundle(self, bundle: AnalysisBundle) -> None:
        """Fill the tab from an AnalysisBundle (person, result, tweet columns)."""
        self.bundle = bundle
        person, result = bundle.person, bundle.result
        handle = person.handle
        self.name_label.setText((person.name or "Unknown") + (f"  @{handle}" if handle else ""))
        first, last = person.first_date, person.last_date
        dates = f"{str(first)[:10]} – {str(last)[:10]}" if first or last else "no dates"
        meta = [f"{result.n_tweets:,} tweets", dates]
        if result.skipped_rows:
            meta.append(f"{result.skipped_rows:,} rows skipped")
        meta.append(sharing_text(result))
        if result.model_name:
            meta.append(f"model {result.model_name}")
        meta.append(f"analysed in {result.seconds:.2f} s")
        self.meta_label.setText("  ·  ".join(meta))
        counts, ratios = result.counts, result.ratios
        self.ratio_label.setText("   ".join(
            f"<span style='color:{SENTIMENT_COLOURS[k]}'>●</span> {k} <b>{100 * float(ratios.get(k, 0)):.1f}%</b>"
            f" ({int(counts.get(k, 0)):,})" for k in LABELS))
        self.examples.set_examples(result.examples)
        self.judgement_label.setText(judgement_html(result.not_judged, result.top_words_by_class))
        if self.examples_task is not None:  # the last person's examples, if still being explained
            self.examples_task.cancel()
        self.examples_task = highlight_examples(self.examples.labels, result.examples, self)
        mark_not_judged(bundle.columns, result)

        self.model.set_columns(bundle.columns)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._apply_filter()
        self.stack.setCurrentIndex(1)

        self.ratio_chart.plot(draw_sentiment_ratio, dict(counts))
        self.words_chart.plot(draw_top_words, list(result.top_words)[:5])
        self.month_chart.plot(draw_by_month, list(result.by_month))

    def charts_pending(self) -> bool:
        return any(c.is_rendering() for c in self.charts().values())

    def flush_charts(self) -> None:
        for chart in self.charts().values():
            chart.wait_rendered()

    def charts(self) -> dict[str, ChartWidget]:
        return {"sentiment": self.ratio_chart, "top_words": self.words_chart, "by_month": self.month_chart}

    def clear(self) -> None:
        self.bundle = None
        self.model.set_columns(None)
        for chart in self.charts().values():
            chart.clear()
        self.stack.setCurrentIndex(0)

    def _explain_current(self, current: Any, _previous: Any = None) -> None:
        if current is None or not current.isValid() or self.model.cols is None:
            return
        self.explain_panel.explain(str(self.model.cols.texts[self.proxy.tweet_index(current.row())]))

    # -- filtering --------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.label_filter.currentData() or "", self.text_filter.text().strip())
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count_label.setText(f"{shown:,} of {total:,} tweets" if shown != total else f"{total:,} tweets")

    def apply_filter_now(self) -> None:
        self._filter_timer.stop()
        self._apply_filter()
