"""The Excel template of a return and its upload: the same validation as the browser, with every
error named by its cell (E7：…)."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from .models import Return
from .validation import FieldError

VALUE_COL = "E"
FIRST_ROW = 6
MAX_UPLOAD = 2 * 1024 * 1024


class UploadError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；".join(errors))


def build_template(ret: Return) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    form = ret.round.form
    wb = Workbook()
    ws = wb.active
    ws.title = "填报"
    bold = Font(bold=True)
    ws["A1"], ws["B1"], ws["C1"] = "表号", form.code, form.name
    ws["A2"], ws["B2"], ws["C2"] = "填报单位代码", ret.unit.code, ret.unit.name
    ws["A3"], ws["B3"] = "统计期", ret.round.period_label
    ws["A4"], ws["B4"] = "说明", (f"请只在“填报值”列（{VALUE_COL} 列）填写，不要改动表号、单位代码、统计期和指标代码；"
                                 f"报送截止日 {ret.round.due_date:%Y-%m-%d}。")
    headers = ["序号", "指标代码", "指标名称", "计量单位", "填报值", "填报说明"]
    for i, h in enumerate(headers):
        cell = ws.cell(row=FIRST_ROW - 1, column=i + 1, value=h)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    values = {v.field_id: v.raw for v in ret.values.all()}
    for n, f in enumerate(form.fields.all()):
        row = FIRST_ROW + n
        hint = f.help_text or {"percentage": "0–100，保留一位小数", "integer": "非负整数",
                               "decimal": "非负数", "text": "文字"}[f.field_type]
        ws.cell(row=row, column=1, value=n + 1)
        ws.cell(row=row, column=2, value=f.metric_code)
        ws.cell(row=row, column=3, value=f.label + ("（必填）" if f.required else ""))
        ws.cell(row=row, column=4, value=f.unit_label)
        cell = ws.cell(row=row, column=5, value=values.get(f.pk, ""))
        cell.number_format = "@"  # text: "85%" stays as typed, never becomes 0.85
        cell.protection = Protection(locked=False)
        cell.alignment = Alignment(horizontal="right")
        ws.cell(row=row, column=6, value=hint)
    for col, width in zip("ABCDEF", (8, 30, 36, 10, 14, 40)):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True  # only the value column is editable
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value).strip()


def parse_upload(ret: Return, data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """Read an uploaded template: ({metric code: text}, {metric code: cell}). Raises UploadError with
    every structural problem (wrong form, unit or period; unknown or missing rows) by cell."""
    from openpyxl import load_workbook

    if len(data) > MAX_UPLOAD:
        raise UploadError([f"文件过大（上限 {MAX_UPLOAD // 1024 // 1024} MB）。"])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UploadError(["无法读取该文件：请上传由本系统生成的 Excel 模板（.xlsx）。"]) from None
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(min_row=1, max_col=6, values_only=True))
    wb.close()

    def cell(r, c):
        return _text(rows[r - 1][c]) if len(rows) >= r and len(rows[r - 1]) > c else ""

    form = ret.round.form
    errors = []
    if cell(1, 1) != form.code:
        errors.append(f"B1：表号应为“{form.code}”，文件中是“{cell(1, 1)}”——这不是本报表的模板。")
    if cell(2, 1) != ret.unit.code:
        errors.append(f"B2：单位代码应为“{ret.unit.code}”（{ret.unit.name}），文件中是“{cell(2, 1)}”。")
    if cell(3, 1) != ret.round.period_label:
        errors.append(f"B3：统计期应为“{ret.round.period_label}”，文件中是“{cell(3, 1)}”。")
    fields = {f.metric_code: f for f in form.fields.all()}
    raw: dict[str, str] = {}
    cell_of: dict[str, str] = {}
    for r in range(FIRST_ROW, len(rows) + 1):
        code = cell(r, 1)
        value = cell(r, 4)
        if not code:
            if value:
                errors.append(f"B{r}：缺少指标代码，无法识别 {VALUE_COL}{r} 的数据。")
            continue
        if code not in fields:
            errors.append(f"B{r}：本报表没有指标“{code}”。")
            continue
        if code in raw:
            errors.append(f"B{r}：指标“{code}”重复出现（另见 {cell_of[code]}）。")
            continue
        raw[code], cell_of[code] = value, f"{VALUE_COL}{r}"
    missing = [f"“{f.label}”（{c}）" for c, f in fields.items() if c not in raw]
    if missing:
        errors.append("模板缺少以下指标行：" + "、".join(missing))
    if errors:
        raise UploadError(errors)
    return raw, cell_of


def cell_errors(errors: list[FieldError], cell_of: dict[str, str]) -> list[str]:
    return [f"{cell_of[e.code]}：{e.message}" if e.code in cell_of else e.message for e in errors]
