"""Reading an uploaded .xlsx the same way in every module: size cap, a readable workbook, the header
row, the non-empty rows with their sheet row numbers, a row cap. Each module keeps its own columns,
checks and wording of the hint ("use the template" …); every refusal is a Chinese sentence raised as
the module's own exception."""
from __future__ import annotations

import io
from typing import Callable


def cell_text(value) -> str:
    """A cell as text: None → "", 12.0 → "12" (Excel stores every number as a float), trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(data: bytes, *, sheet: str, max_bytes: int, max_rows: int, refuse: Callable[[str], Exception],
               use_hint: str, empty_hint: str, rows_word: str = "行",
               split_hint: str = "请拆分后分批导入") -> tuple[list[str], list[tuple[int, list]]]:
    """(header texts, [(sheet row number, values)]) of the sheet named ``sheet`` (else the first).

    ``refuse(message)`` builds the exception raised for a file that cannot be read at all."""
    from openpyxl import load_workbook

    if len(data) > max_bytes:
        raise refuse(f"文件过大（超过 {max_bytes // 1024 // 1024} MB），{split_hint}。")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a non-xlsx file
        raise refuse(f"文件不是有效的 Excel 工作簿（.xlsx），{use_hint}。") from None
    try:
        ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise refuse(f"工作表为空：第 1 行应为列名（{empty_hint}）。")
        body = []
        for n, values in enumerate(rows, start=2):
            if values is None or all(cell_text(v) == "" for v in values):
                continue
            body.append((n, list(values)))
            if len(body) > max_rows:
                raise refuse(f"一次最多导入 {max_rows} {rows_word}，{split_hint}。")
        return [cell_text(h) for h in header], body
    finally:
        wb.close()


def header_workbook(sheet: str, headers: list[str], widths: list[int] | None = None):
    """A workbook whose first sheet ``sheet`` has a bold, frozen header row — the layout every import
    template and export uses, so a downloaded file can be filled in and uploaded again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, h in enumerate(headers, start=1):
        width = widths[i - 1] if widths else max(12, min(40, len(h) * 2 + 4))
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return wb


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
