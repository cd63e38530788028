"""Why this label, in the window: highlighted words on the example tweets and, on demand, for any
tweet of the table (a side panel). Explanations (core/explain.py) run on a worker thread.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cta_desktop.core.explain import (
    NOTE,
    Explainer,
    Explanation,
    highlight_html,
    shaded_tokens,
    written_forms,
)
from cta_desktop.core.language import language_name
from cta_desktop.core.wording import sure_text
from cta_desktop.gui.charts import SENTIMENT_COLOURS
from cta_desktop.gui.workers import Task

NOT_JUDGED_COLOUR = "#9a9a9a"
# said where no word of an explained tweet is shaded (`core.explain.shaded_tokens`)
NO_WORD_STANDS_OUT = "no single word stands out"
# a theme change (light <-> dark) re-shades the highlighted words against the new background
_THEME_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
_EXPLAINER: Explainer | None = None
_LOCK = threading.Lock()

if TYPE_CHECKING:
    pass


def shared_explainer() -> Explainer:
    """One Explainer (the shipped model, best engine) for the whole app, built on first use."""
    global _EXPLAINER
    with _LOCK:
        if _EXPLAINER is None:
            _EXPLAINER = Explainer()
        return _EXPLAINER


def explain_texts(texts: Sequence[str], *, progress: Any = None, cancel: Any = None) -> list[Explanation]:
    """Worker-thread job: every text's explanation, in one engine batch."""
    return shared_explainer().explain_many(list(texts))


def explanation_html(ex: Explanation, background: str = "#ffffff") -> str:
    """The highlighted tweet, its label and confidence, and the words pushing hardest."""
    colour = SENTIMENT_COLOURS.get(ex.label, "#888888")
    written = {id(t): w for t, w in zip(ex.tokens, written_forms(ex), strict=True)}
    strong = ", ".join(f"{html.escape(written[id(t)])} (+{100 * t.toward(ex.label):.0f})"
                       for t in ex.strongest() if t.toward(ex.label) > 0.005) or NO_WORD_STANDS_OUT
    return (f"<p style='margin:2px 0'>{highlight_html(ex, background=background)}</p>"
            f"<p style='margin:2px 0'><b style='color:{colour}'>{ex.label}</b> · {sure_text(ex.confidence)}"
            f"<br><small>Strongest toward {ex.label}: {strong} (points)</small></p>")


class ExplainPanel(QWidget):
    """A side panel: `explain(text)` shows that tweet's highlighted words (computed off the GUI thread)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self.explanation: Explanation | None = None
        title = QLabel("<b>Why this label?</b>")
        self.body = QLabel("<i>Select a tweet in the table to see which words the label rests on.</i>")
        self.body.setObjectName("explain_body")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(f"<small><i>{html.escape(NOTE)}</i></small>")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title)
        layout.addWidget(self.body)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _background(self) -> str:
        return self.palette().color(self.backgroundRole()).name()

    def explain(self, text: str) -> Task:
        if self.task is not None and self.task.is_running():
            self.task.cancel()
        self.body.setText("<i>working…</i>")
        task = Task(explain_texts, [text], title="explain", parent=self)
        # a tweet selected meanwhile cancels this one: its late answer must not replace the newer one
        task.result.connect(lambda explanations: None if task.is_cancelled() else self._show(explanations))
        task.error.connect(lambda exc: self.body.setText(f"<i>could not explain: {html.escape(str(exc))}</i>"))
        self.task = task.start()
        return task

    def _show(self, explanations: list[Explanation]) -> None:
        if explanations:
            self.explanation = explanations[0]
            self.body.setText(explanation_html(self.explanation, self._background()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in _THEME_EVENTS and self.explanation is not None:
            self.body.setText(explanation_html(self.explanation, self._background()))


def example_meta(confidence: float, date: Any = None, note: str = "") -> str:
    """The line under an example tweet (HTML): how sure, the date, and `note` (the Results tab and the report)."""
    meta = sure_text(confidence)
    if date:
        meta += f" · {html.escape(str(date)[:10])}"
    if note:
        meta += f" · <i>{html.escape(note)}</i>"
    return meta


def example_card(tweet_html: str, item: Mapping[str, Any], note: str = "") -> str:
    """One example tweet (already HTML) with its confidence, date and `note`, as the Results tab lists them."""
    meta = example_meta(float(item["confidence"]), item.get("date"), note)
    return f"<p style='margin:2px 0 6px 0'>“{tweet_html}”<br><small>{meta}</small></p>"


class ExplainedExamples(QLabel):
    """A class's example tweets, highlighted once explained; re-shaded when the theme changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[Explanation, Mapping[str, Any]]] = []  # (explanation, the example it explains)

    def show_explained(self, rows: list[tuple[Explanation, Mapping[str, Any]]]) -> None:
        self.rows = rows
        self._render()
        self.setToolTip(NOTE)

    def show_plain(self, text: str) -> None:
        """Text before (or without) explanations; a theme change leaves it alone."""
        self.rows = []
        self.setText(text)

    def _render(self) -> None:
        bg = self.palette().color(self.backgroundRole()).name()
        self.setText("".join(example_card(highlight_html(ex, background=bg), item, shading_note(ex))
                             for ex, item in self.rows))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in _THEME_EVENTS and self.rows:
            self._render()


def highlight_examples(example_labels: Mapping[str, ExplainedExamples],
                       examples: Mapping[str, Sequence[Mapping[str, Any]]], parent: QWidget | None = None) -> Task:
    """Show each class's example tweets highlighted once explained (worker thread).

    `example_labels`: class -> the widget listing that class's examples (results_tab.ExampleList.labels)."""
    order = [(label, i) for label, items in examples.items() for i in range(len(items[:2]))]
    texts = [str(examples[label][i]["text"]) for label, i in order]
    task = Task(explain_texts, texts, title="explain-examples", parent=parent)

    def done(explanations: list[Explanation]) -> None:
        if task.is_cancelled():  # another person's results replaced these examples meanwhile
            return
        rows: dict[str, list[tuple[Explanation, Mapping[str, Any]]]] = {}
        for (label, i), ex in zip(order, explanations, strict=True):
            rows.setdefault(label, []).append((ex, examples[label][i]))
        for label, items in rows.items():
            if label in example_labels:
                example_labels[label].show_explained(items)

    task.result.connect(done)
    return task.start()


def judgement_html(not_judged: Mapping[str, Any], top_words_by_class: Mapping[str, Sequence[tuple[str, int]]]) -> str:
    """One grey line on the tweets not judged (count and reasons), then the top words of each class
    (`AnalysisResult.not_judged` and `.top_words_by_class`, or the same keys of a summary JSON)."""
    parts = []
    nj = not_judged
    if nj.get("total"):
        reasons = ", ".join(f"{n:,} {name}" for name, n in (nj.get("reasons") or {}).items() if n)
        langs = ", ".join(f"{language_name(code)} {n:,}" for code, n in list((nj.get("languages") or {}).items())[:4])
        parts.append(f"<span style='color:{NOT_JUDGED_COLOUR}'>● not judged <b>{nj['total']:,}</b> ({reasons}"
                     + (f": {langs}" if langs else "") + ") — left out of the figures</span>")
    by_class = top_words_by_class
    words = [f"<span style='color:{SENTIMENT_COLOURS[k]}'>{k}</span>: "
             + html.escape(", ".join(w for w, _ in by_class[k][:5])) for k in by_class if by_class[k]]
    if words:
        parts.append("<small>Words by sentiment — " + " · ".join(words) + "</small>")
    return "<br>".join(parts)


def mark_not_judged(columns: Any, result: Any) -> None:
    """Table columns: 'not judged' for the label and no confidence where the model did not judge."""
    judged = result.judged_mask()
    if columns is None or len(judged) != len(columns.labels) or judged.all():
        return
    columns.labels = np.asarray(result.label_names(), dtype=object)
    columns.confidences = np.where(judged, columns.confidences, np.nan)


def shading_note(ex: Explanation) -> str:
    """What an example card says beside its confidence about the shading: nothing, or that no word is shaded."""
    return "" if shaded_tokens(ex) else NO_WORD_STANDS_OUT


def highlighted_examples(examples: Mapping[str, Sequence[Mapping[str, Any]]]
                         ) -> dict[tuple[str, int], tuple[str, str]] | None:
    """(class, i) -> the i-th example tweet of that class with shaded words and its `shading_note`, for the
    HTML report.

    Runs the explainer here (a few milliseconds for six tweets once warm); None if it cannot run."""
    order = [(label, i) for label, items in examples.items() for i in range(len(list(items)[:2]))]
    try:
        exs = shared_explainer().explain_many([str(examples[label][i]["text"]) for label, i in order])
    except Exception:  # noqa: BLE001 - a report never fails for want of highlighting
        return None
    return {key: (highlight_html(ex), shading_note(ex)) for key, ex in zip(order, exs, strict=True)}


def judgement_html_of(summary: Mapping[str, Any]) -> str:
    """The report's line on not-judged tweets and words by sentiment, from a summary dict."""
    by_class = {k: [(str(x[0]), int(x[1])) for x in v] for k, v in (summary.get("top_words_by_class") or {}).items()}
    text = judgement_html(summary.get("not_judged") or {}, by_class)
    return f"<p>{text}</p>" if text else ""
