"""Excel workbooks (.xlsx), through pandas with openpyxl.

The sheet is the first one, or the first whose columns include tweet text. A workbook is a zip
whose directory sits at its end, so it cannot be streamed: the import reads the file once into
memory (hashing it on the way) and lets pandas parse that; the preview reads the first rows only.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from cta_desktop.core.datasets.chunks import RowCounters
from cta_desktop.core.datasets.encoding import DetectedEncoding
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.mapping import ColumnMapping, Layout, detect_mapping
from cta_desktop.core.datasets.source import HashingStream, Source
from cta_desktop.core.datasets.values import NAME_CANDIDATES, norm_name

_SAMPLE_ROWS = 400


def _frame_rows(frame) -> tuple[list[str], list[list[str]]]:
    columns = [str(c).strip() or f"column {i + 1}" for i, c in enumerate(frame.columns)]
    rows = [["" if v is None else str(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return columns, rows


def _read_excel(data, name: str, **kw):
    import pandas as pd

    try:
        return pd.read_excel(data, engine="openpyxl", dtype=str, keep_default_na=False, **kw)
    except ImportError:
        raise CsvImportError(f"{name}: reading Excel files needs openpyxl; pip install openpyxl, "
                             "or save the sheet as CSV") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged workbooks
        raise CsvImportError(f"{name}: cannot read the Excel workbook ({type(exc).__name__}: {exc}); "
                             "save the sheet as CSV and import that") from None


class ExcelReader:
    key = "excel"

    @staticmethod
    def sniff(head: bytes, name: str) -> float:
        return 1.0 if head.startswith(b"PK") and name.lower().endswith((".xlsx", ".xlsm")) else 0.0

    @staticmethod
    def claims(source: Source) -> bool:
        return source.workbook

    @staticmethod
    def preview(source: Source, delimiter: str | None = None) -> Layout:
        sheets = _read_excel(source.path, source.name, sheet_name=None, nrows=_SAMPLE_ROWS)
        layouts = []
        for sheet, frame in sheets.items():
            columns, rows = _frame_rows(frame)
            layouts.append(Layout(source.path, DetectedEncoding("utf-8", "strict", "xlsx"), "", True, columns, rows,
                                  0, source.size, len(rows) < _SAMPLE_ROWS, format="Excel workbook",
                                  reader=ExcelReader.key, extra={"sheet": sheet}))
        # The first sheet with a column named like tweet text; else with text found by content; else the first.
        named = [lay for lay in layouts if any(norm_name(c) in NAME_CANDIDATES["text"] for c in lay.columns)]
        found = [lay for lay in layouts if lay.columns and detect_mapping(lay).text is not None]
        candidates: list[Layout] = named or found or layouts
        chosen = candidates[0] if candidates else None
        if chosen is None:
            raise CsvImportError(f"{source.name}: the workbook has no sheets; choose another file")
        if len(sheets) > 1:
            chosen.format = f"Excel workbook, sheet {chosen.extra['sheet']!r}"
        return chosen

    @staticmethod
    def read_rows(source: Source, layout: Layout, mapping: ColumnMapping, stream: HashingStream,
                  counters: RowCounters) -> Iterator[list[str]]:
        data = io.BytesIO(stream.read())
        frame = _read_excel(data, source.name, sheet_name=layout.extra.get("sheet", 0))
        _, rows = _frame_rows(frame)
        yield from rows


__all__ = ["ExcelReader"]
