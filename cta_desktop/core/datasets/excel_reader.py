"""Excel workbooks (.xlsx), read with openpyxl in its read-only (streaming) mode.

The sheet is the first one, or the first whose columns include tweet text. A workbook is a zip
whose directory sits at its end, so it cannot be streamed from the file as it is read: the import
reads the file once into memory (hashing it on the way), then openpyxl walks the chosen sheet's
rows one at a time; the preview reads the first rows of each sheet only.

Cells become text as a spreadsheet shows them: whole numbers without ".0", dates as
"YYYY-MM-DD HH:MM:SS", empty cells as "". Fully empty rows are skipped; the header is the first
row that is not empty (an empty header cell is named "column N", a repeated one gets ".1", ".2").
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cta_desktop.core.datasets.chunks import RowCounters
from cta_desktop.core.datasets.encoding import DetectedEncoding
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.mapping import ColumnMapping, Layout, detect_mapping
from cta_desktop.core.datasets.source import HashingStream, Source
from cta_desktop.core.datasets.values import NAME_CANDIDATES, norm_name

_SAMPLE_ROWS = 400


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header(cells: list[str]) -> list[str]:
    """Column names: empty ones as "column N", repeats made unique with ".1", ".2"."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = cell.strip() or f"column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _sheet_rows(sheet: Any, limit: int | None = None) -> tuple[list[str], Iterator[list[str]]]:
    """(column names, the data rows as lists of strings as wide as the header), lazily."""
    rows = (list(map(_text, r)) for r in sheet.iter_rows(values_only=True))
    rows = (r for r in rows if any(r))
    first = next(rows, None)
    if first is None:
        return [], iter(())
    while first and not first[-1]:
        first.pop()
    width = len(first)

    def data() -> Iterator[list[str]]:
        for n, row in enumerate(rows):
            if limit is not None and n >= limit:
                return
            yield row[:width] if len(row) >= width else row + [""] * (width - len(row))

    return _header(first), data()


@contextmanager
def _workbook(data: Any, name: str) -> Iterator[Any]:
    """The workbook opened read-only, closed afterwards; whatever openpyxl raises while it is read
    (a damaged sheet inside a readable zip) becomes a CsvImportError that names the file."""
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise CsvImportError(f"{name}: reading Excel files needs openpyxl; pip install openpyxl, "
                             "or save the sheet as CSV") from None
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged workbooks
        raise _damaged(name, exc) from None
    try:
        yield workbook
    except CsvImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - as above, while the sheets are read
        raise _damaged(name, exc) from None
    finally:
        workbook.close()


def _damaged(name: str, exc: Exception) -> CsvImportError:
    return CsvImportError(f"{name}: cannot read the Excel workbook ({type(exc).__name__}: {exc}); "
                          "save the sheet as CSV and import that")


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
        layouts = []
        with _workbook(source.path, source.name) as workbook:
            for sheet in workbook.worksheets:
                columns, data = _sheet_rows(sheet, _SAMPLE_ROWS)
                rows = list(data)
                layouts.append(Layout(source.path, DetectedEncoding("utf-8", "strict", "xlsx"), "", True, columns,
                                      rows, 0, source.size, len(rows) < _SAMPLE_ROWS, format="Excel workbook",
                                      reader=ExcelReader.key, extra={"sheet": sheet.title}))
        # The first sheet with a column named like tweet text; else with text found by content; else the first.
        named = [lay for lay in layouts if any(norm_name(c) in NAME_CANDIDATES["text"] for c in lay.columns)]
        found = [lay for lay in layouts if lay.columns and detect_mapping(lay).text is not None]
        candidates: list[Layout] = named or found or layouts
        chosen = candidates[0] if candidates else None
        if chosen is None:
            raise CsvImportError(f"{source.name}: the workbook has no sheets; choose another file")
        if len(layouts) > 1:
            chosen.format = f"Excel workbook, sheet {chosen.extra['sheet']!r}"
        return chosen

    @staticmethod
    def read_rows(source: Source, layout: Layout, mapping: ColumnMapping, stream: HashingStream,
                  counters: RowCounters) -> Iterator[list[str]]:
        with _workbook(io.BytesIO(stream.read()), source.name) as workbook:
            sheet = layout.extra.get("sheet")
            worksheet = workbook[sheet] if isinstance(sheet, str) and sheet in workbook.sheetnames \
                else workbook.worksheets[0]
            yield from _sheet_rows(worksheet)[1]


__all__ = ["ExcelReader"]
