"""CSV as Excel reads and writes it: UTF-8 with a BOM out; UTF-8 (BOM or not), GB18030 or
UTF-16 ("Unicode text", tab-separated) in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from gaswarden.transfer.importer import Row, RowError, check_columns
from gaswarden.transfer.resources import Resource
from gaswarden.transfer.values import to_cell

BOM = "\ufeff"


def decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves "CSV" in the ANSI code page (GBK, a GB18030 subset).
        return content.decode("gb18030")


def read(resource: Resource, content: bytes) -> tuple[list[Row], list[RowError]]:
    """Rows numbered as the spreadsheet shows them (the header is row 1)."""
    try:
        text = decode(content)
    except UnicodeDecodeError:
        return [], [RowError(0, "", "无法识别文件编码 / not UTF-8, GB18030 or UTF-16 text")]
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records or not any(c.strip() for c in records[0]):
        return [], [RowError(1, "", "缺少表头 / the first row must name the columns")]
    header = [c.strip().lstrip(BOM).strip().lower() for c in records[0]]
    errors = check_columns(resource, [c for c in header if c], 1)
    rows: list[Row] = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines Excel leaves at the end
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            errors.append(RowError(index, "", "单元格多于表头 / more cells than the header has"))
            continue
        cells = {name: record[i] if i < len(record) else "" for i, name in enumerate(header)}
        cells.pop("", None)
        rows.append((index, cells))
    return rows, errors


def write(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The file a line at a time, starting with the BOM that tells Excel it is UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([to_cell(row.get(c)) for c in columns])
        yield buffer.getvalue()
