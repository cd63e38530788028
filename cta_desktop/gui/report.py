"""A one-file HTML report of an analysis: charts as inline SVG, every tweet text HTML-escaped.

Qt-free (matplotlib's SVG backend only), so it can run from a test or a script. The file needs no
network and no other files: styles are inline, charts are embedded.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cta_desktop import __version__
from cta_desktop.core.explain import NOTE
from cta_desktop.gui.charts import (
    LABELS,
    LIGHT,
    SENTIMENT_COLOURS,
    draw_by_month,
    draw_sentiment_ratio,
    draw_top_words,
    render,
)
from cta_desktop.gui.explain_panel import example_meta, highlighted_examples, judgement_html_of

if TYPE_CHECKING:
    from cta_desktop.core.library import Person

MAX_TABLE_ROWS = 5000  # the report stays a readable size; the CSV export has every tweet


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _svg(draw, *args, size=(5.0, 3.4)) -> str:
    svg = render(draw, *args, fmt="svg", theme=LIGHT, size=size).decode("utf-8")
    start = svg.find("<svg")  # drop the XML prolog and DOCTYPE: inline SVG in HTML5 needs neither
    return svg[start:] if start >= 0 else svg


def _pct(value: Any) -> str:
    """'82.3%'; '' for a tweet without a confidence (not judged: NaN)."""
    v = float(value if value is not None else "nan")
    return "" if v != v else f"{100 * v:.1f}%"


def person_title(person: Person) -> str:
    name = person.name or "Unknown"
    return f"{name} (@{person.handle})" if person.handle else name


def build_html_report(person: Person, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]] = (),
                      model_label: str = "") -> str:
    """`summary` holds counts, ratios, examples, top_words, by_month, n_tweets (the AnalysisResult's fields);
    `rows` are per-tweet dicts (date, label, confidence, text) for the table."""
    counts = {k: int(summary.get("counts", {}).get(k, 0)) for k in LABELS}
    total = sum(counts.values())
    ratios = summary.get("ratios") or {k: (counts[k] / total if total else 0.0) for k in LABELS}
    examples = summary.get("examples") or {}
    top_words = list(summary.get("top_words") or [])[:5]
    by_month = list(summary.get("by_month") or [])
    first, last = person.first_date, person.last_date
    span = f"{_e(str(first)[:10])} – {_e(str(last)[:10])}" if first or last else "dates unknown"
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")

    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(person_title(person))} — CTA Desktop report</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<style>",
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;"
        "padding:0 1em;color:#1f1f1f;background:#fff;line-height:1.45}",
        "h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}",
        ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.2em}",
        ".card{border:1px solid #e2e2e2;border-radius:8px;padding:.8em 1em}",
        ".card svg{width:100%;height:auto}",
        ".pill{display:inline-block;padding:0 .5em;border-radius:1em;color:#fff;font-size:.85em}",
        "table{border-collapse:collapse;width:100%;font-size:.9em}",
        "td,th{border-bottom:1px solid #eee;padding:.3em .5em;text-align:left;vertical-align:top}",
        "td.num{text-align:right;white-space:nowrap}",
        "blockquote{margin:.4em 0 .8em;padding-left:.8em;border-left:3px solid #ccc}",
        "</style></head><body>",
        f"<h1>{_e(person_title(person))}</h1>",
        f"<p class='sub'>{total:,} tweets analysed · {span}"
        + (f" · model: {_e(model_label)}" if model_label else "") + "</p>",
        "<div class='grid'>",
        "<div class='card'><h2>Sentiment</h2>" + _svg(draw_sentiment_ratio, counts) + "<p>"
        + " · ".join(f"<span class='pill' style='background:{SENTIMENT_COLOURS[k]}'>{k}</span> "
                     f"{100 * float(ratios.get(k, 0)):.1f}% ({counts[k]:,})" for k in LABELS)
        + "</p></div>",
        "<div class='card'><h2>Most confident examples</h2>",
    ]
    shaded = highlighted_examples(examples)  # issue #11: words shaded by their push (None: plain text)
    for label in LABELS:
        items = list(examples.get(label) or [])[:2]
        parts.append(f"<h3><span class='pill' style='background:{SENTIMENT_COLOURS[label]}'>{label}</span></h3>")
        if not items:
            parts.append("<p><i>none</i></p>")
        for i, ex in enumerate(items):
            text, note = shaded.get((label, i), (None, "")) if shaded else (None, "")
            meta = example_meta(float(ex.get("confidence", 0)), ex.get("date"), note)
            parts.append(f"<blockquote>{text or _e(ex.get('text'))}<br><small>{meta}</small></blockquote>")
    if shaded:
        parts.append(f"<p class='sub'><small>{_e(NOTE)}</small></p>")
    parts += [
        "</div>",
        "<div class='card'><h2>Top 5 words</h2>" + _svg(draw_top_words, top_words) + judgement_html_of(summary)
        + "</div>",
        "<div class='card'><h2>Sentiment by month</h2>" + _svg(draw_by_month, by_month, size=(6.0, 3.4)) + "</div>",
        "</div>",
    ]
    if rows:
        shown = list(rows)[:MAX_TABLE_ROWS]
        parts.append(f"<h2>Tweets ({len(rows):,}" + (f", first {len(shown):,} shown" if len(shown) < len(rows) else "")
                     + ")</h2><table><tr><th>date</th><th>sentiment</th><th>confidence</th><th>tweet</th></tr>")
        for r in shown:
            label = str(r.get("label", ""))
            parts.append(
                f"<tr><td class='num'>{_e(str(r.get('date') or '')[:10])}</td>"
                f"<td><span class='pill' style='background:{SENTIMENT_COLOURS.get(label, '#888')}'>{_e(label)}</span></td>"
                f"<td class='num'>{_pct(r.get('confidence'))}</td><td>{_e(r.get('text'))}</td></tr>")
        parts.append("</table>")
    parts += [
        f"<p class='sub'><small>Made with CTA Desktop {__version__} on {now}, offline. "
        "Sentiment is a model's estimate, not a fact about the person.</small></p>",
        "</body></html>",
    ]
    return "\n".join(parts)
