"""Governments and years side by side on chosen metrics: imported reports and Fazhi's own figures.

A row is one report (a government and the year it covers) or one of Fazhi's own governments for a year
(``fazhi.core.metrics.value``). A cell keeps the figure as stated, the quote it came from (reports) and,
when asked, a normalised value: per 10,000 residents (needs the population) or per case (a count
divided by the case count it belongs to, e.g. revoked ÷ concluded reconsideration cases).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from fazhi.core import metrics, scoping

from .models import Fact, Report

DEFAULT_METRICS = ["reconsideration.concluded", "reconsideration.correction_rate", "litigation.cases",
                   "litigation.head_appearance_rate", "normdocs.filed", "enforcement.penalties",
                   "mediation.cases", "disclosure.requests"]
NORMALISATIONS = {"raw": "原始数值", "per_10k": "每万人口", "per_case": "每百件相关案件"}
# A count and the case count it is a part of (per-case normalisation, × 100 = per hundred cases).
PER_CASE = {
    "reconsideration.revoked": "reconsideration.concluded",
    "reconsideration.altered": "reconsideration.concluded",
    "reconsideration.confirmed_illegal": "reconsideration.concluded",
    "reconsideration.corrected": "reconsideration.concluded",
    "reconsideration.upheld": "reconsideration.concluded",
    "reconsideration.dismissed": "reconsideration.concluded",
    "reconsideration.mediated": "reconsideration.concluded",
    "reconsideration.concluded": "reconsideration.handled",
    "reconsideration.accepted": "reconsideration.received",
    "reconsideration.refused": "reconsideration.received",
    "litigation.head_appearances": "litigation.cases",
    "disclosure.concluded": "disclosure.requests",
    "normdocs.reviewed": "normdocs.issued",
    "normdocs.filed": "normdocs.issued",
    "enforcement.files_reviewed": "enforcement.penalties",
}


@dataclass
class Cell:
    value: float | None = None
    unit: str = ""
    approx: bool = False
    quote: str = ""
    fact_id: int | None = None
    flag: str = ""
    normalised: float | None = None

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        v = int(self.value) if float(self.value) == int(self.value) else round(float(self.value), 2)
        return f"{'约' if self.approx else ''}{v}{self.unit}"

    @property
    def shown(self) -> float | None:
        return self.normalised if self.normalised is not None else None


@dataclass
class Row:
    label: str
    region: str
    year: int | None
    source: str  # "report" | "fazhi"
    report_id: int | None = None
    population: float | None = None
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    codes: list[str]
    labels: list[str]
    units: list[str]
    norm: str
    rows: list[Row]

    def column(self, i: int) -> list[tuple[str, float | None]]:
        out = []
        for row in self.rows:
            c = row.cells[i]
            v = c.normalised if self.norm != "raw" else (float(c.value) if c.value is not None else None)
            out.append((f"{row.region} {row.year or ''}", v))
        return out


def _num(v) -> float | None:
    if v is None:
        return None
    return float(v) if isinstance(v, Decimal) else v


def _normalise(cells: dict[str, Cell], codes: list[str], norm: str, population: float | None) -> None:
    for code in codes:
        cell = cells[code]
        if cell.value is None or norm == "raw":
            continue
        if norm == "per_10k":
            if population and cell.unit != "%":
                cell.normalised = round(float(cell.value) / population, 3)
        elif norm == "per_case":
            base = PER_CASE.get(code)
            den = cells.get(base) if base else None
            if den is not None and den.value:
                cell.normalised = round(float(cell.value) * 100 / float(den.value), 2)


def build(user, codes: list[str] | None = None, years: list[int] | None = None, norm: str = "raw",
          include_own: bool = True) -> Table:
    registry = metrics.all_metrics()
    codes = [c for c in (codes or DEFAULT_METRICS) if c in registry]
    if not codes:
        raise metrics.MetricError("请至少选择一项已登记的指标。")
    if norm not in NORMALISATIONS:
        raise metrics.MetricError(f"归一化方式无效：{norm}（可选：{'、'.join(NORMALISATIONS)}）。")
    needed = set(codes) | {PER_CASE[c] for c in codes if c in PER_CASE}
    reports = Report.objects.visible_to(user) if user is not None else Report.objects.all()
    if years:
        reports = reports.filter(year__in=years)
    facts: dict[int, dict[str, Fact]] = {}
    for f in Fact.objects.filter(report__in=reports, metric__in=needed).order_by("report_id", "seq"):
        facts.setdefault(f.report_id, {}).setdefault(f.metric, f)  # the first statement of a figure
    rows = []
    for r in reports.order_by("region", "-year", "pk"):
        cells = {}
        for code in needed:
            f = facts.get(r.pk, {}).get(code)
            cells[code] = Cell(_num(f.value), f.unit_label, f.approx, f.quote, f.pk, f.flag) if f else Cell()
        pop = _num(r.population)
        _normalise(cells, codes, norm, pop)
        rows.append(Row(f"{r.region or '未识别地区'}", r.region, r.year, "report", r.pk, pop,
                        [cells[c] for c in codes]))
    if include_own:
        gov = metrics.top_government()
        own_years = sorted(set(years or [])) or sorted({r.year for r in rows if r.year}) or []
        if gov is not None and (user is None or scoping.can_view_unit(user, gov)):
            for year in own_years:
                period = metrics.Period.for_year(year)
                cells = {}
                for code in needed:
                    value = metrics.value(code, gov, period)
                    cells[code] = Cell(_num(value), registry[code].unit if value is not None else "")
                _normalise(cells, codes, norm, None)
                rows.append(Row(f"{gov.name}（本系统数据）", gov.name, year, "fazhi", None, None,
                                [cells[c] for c in codes]))
    return Table(codes, [registry[c].label for c in codes], [registry[c].unit for c in codes], norm, rows)


# ---------------------------------------------------------------------------
# Chart (server-rendered SVG; presentation attributes only, no inline style or script)
# ---------------------------------------------------------------------------
def bar_chart(table: Table, index: int, width: int = 640) -> dict:
    """Bars for one column: [{"label", "value", "x", "y", "w", "text"}] with the SVG's height."""
    data = [(label, v) for label, v in table.column(index)]
    values = [v for _, v in data if v is not None]
    top = max(values) if values else 0
    bar_h, gap, left = 22, 8, 190
    bars = []
    for i, (label, v) in enumerate(data):
        w = 0 if not top or v is None else max(1, int((width - left - 90) * v / top))
        bars.append({"label": label, "value": v, "y": i * (bar_h + gap), "w": w, "x": left,
                     "ty": i * (bar_h + gap) + 15, "vx": left + w + 6,
                     "text": "—" if v is None else (f"{v:g}" + ("%" if table.units[index] == "%" and
                                                             table.norm == "raw" else ""))})
    return {"bars": bars, "height": max(1, len(data)) * (bar_h + gap), "width": width, "bar_h": bar_h,
            "label": table.labels[index], "code": table.codes[index]}


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------
def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "对标比较"
    head = ["地区", "年度", "来源"] + [f"{label}（{code}）" for label, code in zip(table.labels, table.codes)]
    if table.norm != "raw":
        head += [f"{label}（{NORMALISATIONS[table.norm]}）" for label in table.labels]
    ws.append(head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        line = [row.label, row.year, "导入的报告" if row.source == "report" else "本系统统计"]
        line += [c.value for c in row.cells]
        if table.norm != "raw":
            line += [c.normalised for c in row.cells]
        ws.append(line)
    ws.column_dimensions["A"].width = 28
    quotes = wb.create_sheet("原文引文")
    quotes.append(["地区", "年度", "指标代码", "指标", "数值", "单位", "约数", "原文引文", "核对提示"])
    for cell in quotes[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        for code, label, c in zip(table.codes, table.labels, row.cells):
            if c.quote:
                quotes.append([row.label, row.year, code, label, c.value, c.unit, "是" if c.approx else "否",
                               c.quote, c.flag])
    quotes.column_dimensions["H"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
