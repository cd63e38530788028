"""Issue #11 in the window: highlighted example tweets, the explain side panel, the comparison view."""

from __future__ import annotations

import csv
from pathlib import Path

from cta_desktop.core.model_spec import LABELS

POSITIVE = ["I love this so much", "what a wonderful day with friends", "so happy and grateful today",
            "best concert ever, thank you all"]
NEGATIVE = ["what a terrible and rude service", "I hate mondays", "this is awful and sad news",
            "worst traffic ever, so angry"]


def write_person(path: Path, texts: list[str], months: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "date", "text"])
        for i, text in enumerate(texts):
            w.writerow([str(5000 + i), f"{months[i % len(months)]}-10T12:00:00", text])
    return path


def test_highlighted_examples_render(qtbot, need_models) -> None:
    from cta_desktop.core.analysis import analyze_texts
    from cta_desktop.gui.explain_panel import ExplainedExamples, highlight_examples

    result = analyze_texts(POSITIVE + NEGATIVE, workers=0)
    labels = {k: ExplainedExamples() for k in LABELS}
    for lab in labels.values():
        qtbot.addWidget(lab)
    task = highlight_examples(labels, result.examples)
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    positive = labels["positive"].text()
    negative = labels["negative"].text()
    assert "background-color:" in positive and "background-color:" in negative
    assert '">love</span>' in positive or '">wonderful</span>' in positive or '">happy</span>' in positive
    assert '">terrible</span>' in negative or '">hate</span>' in negative or '">awful</span>' in negative
    assert "% sure" in positive and "relies on" in labels["positive"].toolTip()


def test_explain_panel_off_the_gui_thread(qtbot, need_models) -> None:
    from cta_desktop.gui.explain_panel import ExplainPanel

    panel = ExplainPanel()
    qtbot.addWidget(panel)
    task = panel.explain("what a terrible and rude service")
    qtbot.waitUntil(lambda: panel.explanation is not None, timeout=60_000)
    assert task.done or task.is_running() is False
    assert panel.explanation.label == "negative"
    text = panel.body.text()
    assert '">terrible</span>' in text and "negative" in text and "% sure" in text
    assert "not whether the label is true" in panel.note.text()


def test_comparison_view_draws_two_imported_people(qtbot, need_models, tmp_path) -> None:
    from cta_desktop.core.library import Library
    from cta_desktop.gui.compare_view import CompareView, compare_people

    library = Library(tmp_path / "library.sqlite3")
    try:
        a = library.import_file(write_person(tmp_path / "ann.csv", POSITIVE * 3 + NEGATIVE, ["2021-01", "2021-02"]),
                                person_name="Ann").person_id
        b = library.import_file(write_person(tmp_path / "bob.csv", NEGATIVE * 3 + POSITIVE, ["2021-02", "2021-03"]),
                                person_name="Bob").person_id
        people = compare_people(library, [a, b])
    finally:
        library.close()
    assert [p["name"] for p in people] == ["Ann", "Bob"]
    assert people[0]["counts"]["positive"] > people[1]["counts"]["positive"]
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_people(people)
    view.chart.wait_rendered()
    qtbot.waitUntil(lambda: view.chart.figure is not None, timeout=60_000)
    ax_mix, ax_words, ax_time = view.chart.figure.axes[:3]
    assert len(ax_mix.patches) == 3 * 2  # three classes for each person
    assert [t.get_text() for t in ax_mix.get_yticklabels()] == ["Ann", "Bob"][::-1] or \
        sorted(t.get_text() for t in ax_mix.get_yticklabels()) == ["Ann", "Bob"]
    assert len(ax_time.lines) == 2 * 2  # positive and negative share for each person
    assert [t.get_text() for t in ax_time.get_xticklabels()] == ["2021-01", "2021-02", "2021-03"]
    assert any("Ann" in t.get_text() for t in ax_words.texts) and any("Bob" in t.get_text() for t in ax_words.texts)
    png, svg = view.save(tmp_path / "cmp.png"), view.save(tmp_path / "cmp.svg")
    assert png.read_bytes()[:4] == b"\x89PNG" and b"<svg" in svg.read_bytes()[:500]
    assert view.export_button.isEnabled()


def test_results_tab_shows_not_judged_group_and_highlights(qtbot, need_models) -> None:
    from types import SimpleNamespace

    from cta_desktop.core.analysis import analyze_texts
    from cta_desktop.gui.jobs import AnalysisBundle
    from cta_desktop.gui.results_tab import ResultsTab
    from cta_desktop.gui.tweet_table import TweetColumns

    foreign = ["오늘 콘서트 정말 최고였어요! 와주신 모든 분들 감사합니다", "Je suis tellement déçu par cette décision du gouvernement",
               "https://t.co/abc123", "@someone"]
    texts = POSITIVE + foreign + NEGATIVE
    result = analyze_texts(texts, [f"2021-0{1 + i % 3}-10T12:00:00" for i in range(len(texts))], workers=0)
    assert result.not_judged["total"] == 4
    columns = TweetColumns(result.texts, result.labels, result.confidences, result.dates, result.likes, result.retweets)
    person = SimpleNamespace(name="Mixed", handle=None, first_date="2021-01-10", last_date="2021-03-10")
    tab = ResultsTab()
    qtbot.addWidget(tab)
    tab.resize(1000, 800)
    tab.show_bundle(AnalysisBundle(person, result, columns))
    # the grey group: count and reasons, and the words of each class
    text = tab.judgement_label.text()
    assert "not judged <b>4</b>" in text and "2 not English" in text and "2 no known words" in text
    assert "Korean" in text and "French" in text and "positive</span>:" in text
    # the table marks them and filters them as their own group
    labels = [tab.model.index(r, 1).data() for r in range(tab.model.rowCount())]
    assert labels.count("not judged") == 4 and labels[len(POSITIVE)] == "not judged"
    assert tab.model.index(len(POSITIVE), 2).data() == ""
    tab.label_filter.setCurrentIndex(tab.label_filter.findData("not judged"))
    tab.apply_filter_now()
    assert tab.proxy.rowCount() == 4
    # highlighted examples arrive from the worker thread
    qtbot.waitUntil(lambda: tab.examples_task.done, timeout=60_000)
    assert "background-color:" in tab.examples.texts("positive")
    assert "background-color:" in tab.examples.texts("negative")
    # a table tweet explained on demand in the side panel
    tab.label_filter.setCurrentIndex(0)
    tab.apply_filter_now()
    tab.table.setCurrentIndex(tab.proxy.index(len(POSITIVE) + len(foreign) + 1, 0))  # "I hate mondays"
    qtbot.waitUntil(lambda: tab.explain_panel.explanation is not None, timeout=60_000)
    assert tab.explain_panel.explanation.text == "I hate mondays"
    assert '">hate</span>' in tab.explain_panel.body.text()


def test_report_examples_are_highlighted(need_models) -> None:
    from types import SimpleNamespace

    from cta_desktop.core.analysis import analyze_texts
    from cta_desktop.gui.report import build_html_report

    result = analyze_texts(POSITIVE + NEGATIVE + ["https://t.co/x"], workers=0)
    summary = result.summary_json()
    page = build_html_report(SimpleNamespace(name="P", handle=None, first_date=None, last_date=None), summary,
                             [{"date": None, "label": "not judged", "confidence": float("nan"), "text": "x"}])
    assert page.count("background-color:") >= 4
    assert "relies on" in page and "% sure" in page
    assert "not judged <b>1</b>" in page and "nan%" not in page
    assert "no single word stands out" not in page  # every example here has a telling word


def test_report_says_when_no_word_of_an_example_stands_out(need_models) -> None:
    from types import SimpleNamespace

    from cta_desktop.core.analysis import analyze_texts
    from cta_desktop.gui.report import build_html_report

    # sure of it whichever single word goes: the model's answer does not rest on one word
    repeated = "happy happy happy happy happy happy"
    summary = analyze_texts([repeated] + NEGATIVE, workers=0).summary_json()
    page = build_html_report(SimpleNamespace(name="P", handle=None, first_date=None, last_date=None), summary)
    card = next(b for b in page.split("<blockquote>")[1:] if "happy" in b).split("</blockquote>")[0]
    assert "% sure" in card and "<i>no single word stands out</i>" in card


def test_library_compare_button_opens_the_comparison(qtbot, window, need_models, tmp_path) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from cta_desktop.gui.compare_view import CompareView

    lib = window.library
    lib.import_file(write_person(tmp_path / "ann.csv", POSITIVE * 2, ["2021-01"]), person_name="Ann")
    lib.import_file(write_person(tmp_path / "bob.csv", NEGATIVE * 2, ["2021-02"]), person_name="Bob")
    tab = window.search_tab
    tab.refresh()
    assert not tab.compare_button.isEnabled()  # one row selected
    sel = tab.table.selectionModel()
    for row in range(2):
        sel.select(tab.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    assert tab.compare_button.isEnabled() and len(tab.selected_person_ids()) == 2
    tab.compare_button.click()
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), CompareView), timeout=120_000)
    view = window.tabs.currentWidget()
    assert sorted(p["name"] for p in view.people) == ["Ann", "Bob"]
    view.chart.wait_rendered()
    qtbot.waitUntil(lambda: view.chart.figure is not None, timeout=60_000)
    assert len(view.chart.figure.axes[2].lines) == 4


def test_the_panel_names_the_strongest_words_as_written(qtbot, need_models) -> None:
    from cta_desktop.gui.explain_panel import explain_texts, explanation_html

    ex = explain_texts(["@Bob I HATE this 😡😡"])[0]
    markup = explanation_html(ex)
    strongest = markup.split("Strongest toward")[1]
    assert ex.label == "negative" and "HATE" in strongest
    assert ":pouting_face:" not in markup and "<user>" not in markup


def _dark(widget):
    from PySide6.QtGui import QColor, QPalette

    palette = widget.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        palette.setColor(role, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    return palette


def _shades(markup: str) -> list[str]:
    import re

    return re.findall(r"background-color:(#[0-9a-f]{6})", markup)


def test_highlights_follow_a_theme_change(qtbot, need_models) -> None:
    from cta_desktop.gui.explain_panel import ExplainedExamples, ExplainPanel, explain_texts

    ex = explain_texts(["what a terrible and rude service"])[0]
    cards = ExplainedExamples()
    qtbot.addWidget(cards)
    cards.show_explained([(ex, {"confidence": 0.99})])
    panel = ExplainPanel()
    qtbot.addWidget(panel)
    panel._show([ex])
    for widget, text in ((cards, cards.text), (panel, panel.body.text)):
        light = _shades(text())
        widget.setPalette(_dark(widget))  # as the system's dark mode would
        dark = _shades(text())
        assert light and len(dark) == len(light) and dark != light, widget
        # the same push shaded over a dark background is darker than over a light one
        assert sum(int(c[1:3], 16) for c in dark) < sum(int(c[1:3], 16) for c in light)
    cards.show_plain("<i>no tweet in this class</i>")
    cards.setPalette(cards.palette())  # a theme change now leaves the plain text alone
    cards.setPalette(_dark(cards))
    assert cards.text() == "<i>no tweet in this class</i>"


def test_a_cancelled_highlight_leaves_the_cards_alone(qtbot, need_models) -> None:
    # the Results tab cancels the examples' explanations when another person's results replace them;
    # the explanations still arrive (they take milliseconds) but must not be drawn over the new cards
    from cta_desktop.core.analysis import analyze_texts
    from cta_desktop.gui.explain_panel import ExplainedExamples, highlight_examples

    result = analyze_texts(POSITIVE + NEGATIVE, workers=0)
    labels = {k: ExplainedExamples() for k in LABELS}
    for lab in labels.values():
        qtbot.addWidget(lab)
        lab.show_plain("the next person's examples")
    task = highlight_examples(labels, result.examples)
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    qtbot.wait(50)  # the result signal, had it been drawn, has been delivered by now
    assert all(lab.text() == "the next person's examples" for lab in labels.values())


def test_the_panel_shows_the_last_tweet_asked_for(qtbot, need_models) -> None:
    from cta_desktop.gui.explain_panel import ExplainPanel

    panel = ExplainPanel()
    qtbot.addWidget(panel)
    first = panel.explain("I love this so much")
    second = panel.explain("what a terrible and rude service")
    qtbot.waitUntil(lambda: first.done and second.done, timeout=60_000)
    qtbot.wait(50)
    assert first.is_cancelled() and panel.explanation is not None
    assert panel.explanation.text == "what a terrible and rude service"


def test_an_example_with_no_shaded_word_says_so(qtbot) -> None:
    from cta_desktop.core.explain import Explanation, TokenPush
    from cta_desktop.gui.explain_panel import NO_WORD_STANDS_OUT, ExplainedExamples

    def ex(text: str, push: float) -> Explanation:
        tokens = [TokenPush(w, {"negative": -push, "neutral": 0.0, "positive": push}) for w in text.split()]
        return Explanation(text, "positive", {"negative": 0.0, "neutral": 0.001, "positive": 0.999}, tokens)

    cards = ExplainedExamples()
    qtbot.addWidget(cards)
    cards.show_explained([(ex("so happy so happy", 0.001), {"confidence": 0.999}),
                          (ex("love it", 0.2), {"confidence": 0.9})])
    first, second = cards.text().split("</p>")[:2]
    assert NO_WORD_STANDS_OUT in first and "background-color" not in first
    assert NO_WORD_STANDS_OUT not in second and "background-color" in second
