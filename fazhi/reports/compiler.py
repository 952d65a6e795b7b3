"""The report compiler: a template (or a year's report) + the metrics registry → a compiled report
that the HTML preview and the DOCX writer render.

Figure sentences are templates: ``办理行政复议案件{{reconsideration.received}}件``. A placeholder is
``{{code}}`` (the value for the unit's subtree and the year), ``{{code|yoy}}`` (同比增长/下降, from
the previous year's value), or ``{{code|prev}}`` (the previous year's value); ``{{year}}``,
``{{next_year}}`` and ``{{unit_name}}`` are plain words. Values come from the registry exactly as
``fazhi metrics`` computes them (one ``all_metrics()`` snapshot, ``value_for(subtree, period)``).
A figure without a value is written as 【数据缺失：…】, never as 0.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fazhi.core import metrics
from fazhi.core.metrics import Metric

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\s*(?:\|\s*([a-z]+)\s*)?\}\}")
WORDS = ("year", "next_year", "unit_name")
CN_NUM = "一二三四五六七八九十"


class CompileError(ValueError):
    """A template the compiler cannot fill (unknown placeholder, bad chart spec); Chinese message."""


@dataclass
class Figure:
    code: str
    label: str
    unit: str
    value: metrics.Number
    text: str
    missing: bool
    link: str
    kind: str = "value"  # value | yoy | prev


@dataclass
class Chart:
    kind: str  # bar | trend
    title: str
    codes: list[str]
    labels: list[str]
    values: list  # bar: one value per code; trend: one per year
    years: list[int] = field(default_factory=list)
    png: bytes | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in self.values)


@dataclass
class Paragraph:
    parts: list  # str | Figure
    missing_text: bool = False  # a narrative placeholder (【待撰写：…】)

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


@dataclass
class Block:
    key: str
    level: int
    number: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"


@dataclass
class Compiled:
    title: str
    unit: object
    year: int
    preamble: list[Paragraph]
    blocks: list[Block]
    figures: list[Figure]
    issuer: str
    date: dt.date | None

    def figure_codes(self) -> set[str]:
        return {f.code for f in self.figures}


class Filler:
    """Fills placeholders for one unit and year, with one registry snapshot and a value cache."""

    def __init__(self, unit, year: int, *, strict: bool = False):
        self.strict = strict  # editors check templates strictly; compiling shows an unknown code as missing
        self.unit = unit
        self.year = int(year)
        self.registry = metrics.all_metrics()
        self.units = metrics.subtree(unit)
        self._cache: dict[tuple[str, int], metrics.Number] = {}
        self.figures: list[Figure] = []

    def value(self, code: str, year: int) -> metrics.Number:
        key = (code, year)
        if key not in self._cache:
            if code not in self.registry:
                return None
            self._cache[key] = self.registry[code].value_for(self.units, metrics.Period.for_year(year))
        return self._cache[key]

    def link(self, code: str, year: int) -> str:
        return f"/metrics/{code}/?" + urlencode({"year": year, "unit": self.unit.code})

    def words(self, text: str) -> str:
        return (text.replace("{{year}}", str(self.year)).replace("{{next_year}}", str(self.year + 1))
                .replace("{{unit_name}}", self.unit.name))

    def metric(self, code: str) -> metrics.Metric:
        m = self.registry.get(code)
        if m is None:
            if self.strict:
                raise CompileError(f"模板引用了未登记的指标：{code}")
            # Not registered (e.g. a return form not yet defined): reported as missing, never 0.
            return Metric(code, f"未登记的指标 {code}", "", formula="", note="unregistered")
        return m

    def fill(self, text: str) -> list:
        """Text → parts (str and Figure)."""
        text = self.words(text or "")
        parts: list = []
        pos = 0
        for match in PLACEHOLDER.finditer(text):
            if match.start() > pos:
                parts.append(text[pos:match.start()])
            code, op = match.group(1), match.group(2) or ""
            if "." not in code:
                raise CompileError(f"无法识别的占位符：{match.group(0)}")
            parts.append(self.figure(code, op))
            pos = match.end()
        if pos < len(text):
            parts.append(text[pos:])
        leftover = [p for p in parts if isinstance(p, str) and "{{" in p]
        if leftover:
            raise CompileError(f"无法识别的占位符：{leftover[0][leftover[0].index('{{'):][:40]}")
        return parts

    def figure(self, code: str, op: str) -> Figure:
        m = self.metric(code)
        if op not in ("", "yoy", "prev"):
            raise CompileError(f"占位符 {code}|{op} 的写法无效（可用 yoy 同比、prev 上年数）。")
        now = self.value(code, self.year)
        if op == "prev":
            prev = self.value(code, self.year - 1)
            fig = Figure(code, m.label, m.unit, prev, format_value(prev, m.unit) if prev is not None
                         else missing_text(m, self.year - 1), prev is None, self.link(code, self.year - 1), "prev")
        elif op == "yoy":
            prev = self.value(code, self.year - 1)
            text, missing = yoy_text(m, now, prev, self.year)
            fig = Figure(code, m.label, m.unit, now, text, missing, self.link(code, self.year), "yoy")
        else:
            fig = Figure(code, m.label, m.unit, now, format_value(now, m.unit) if now is not None
                         else missing_text(m, self.year), now is None, self.link(code, self.year))
        self.figures.append(fig)
        return fig

    def chart(self, spec: str) -> Chart:
        spec = spec.strip()
        kind, _, rest = spec.partition(":")
        codes_text, _, title = rest.partition("|")
        codes = [c.strip() for c in codes_text.split(",") if c.strip()]
        if kind not in ("bar", "trend") or not codes:
            raise CompileError(f"图表写法无效：“{spec}”（应为 bar:代码,代码|标题 或 trend:代码|标题）。")
        for c in codes:
            self.metric(c)
        title = self.words(title.strip()) or self.metric(codes[0]).label
        if kind == "bar":
            return Chart("bar", title, codes, [self.metric(c).label for c in codes],
                         [self.value(c, self.year) for c in codes])
        years = list(range(self.year - 2, self.year + 1))
        code = codes[0]
        return Chart("trend", title, [code], [self.metric(code).label], [self.value(code, y) for y in years],
                     years=years)


def format_value(value, unit: str) -> str:
    """Counts as integers; rates to one decimal place with “%” (official-document-format.md)."""
    if value is None:
        return ""
    if unit == "%":
        return f"{float(value):.1f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(int(value))


def missing_text(metric: metrics.Metric, year: int) -> str:
    why = "指标未登记" if metric.note == "unregistered" else ("无数据来源" if not metric.has_source else "无数据")
    return f"【数据缺失：{year}年{metric.label}（{metric.code}），{why}】"


def yoy_text(metric: metrics.Metric, now, prev, year: int) -> tuple[str, bool]:
    """同比 phrasing: counts by percentage change, rates by percentage points."""
    if now is None:
        return missing_text(metric, year), True
    if prev is None:
        return f"【数据缺失：{year - 1}年{metric.label}（{metric.code}），无法计算同比】", True
    if metric.unit == "%":
        diff = round(float(now) - float(prev), 1)
        if diff == 0:
            return "与上年持平", False
        return f"同比{'上升' if diff > 0 else '下降'}{abs(diff):.1f}个百分点", False
    if prev == 0:
        return ("与上年持平" if now == 0 else f"上年为0，本年{format_value(now, metric.unit)}{metric.unit}"), False
    change = round((float(now) - float(prev)) * 100 / float(prev), 1)
    if change == 0:
        return "与上年持平", False
    return f"同比{'增长' if change > 0 else '下降'}{abs(change):.1f}%", False


def _numbering(sections) -> list[str]:
    numbers, top, sub = [], 0, 0
    for s in sections:
        if s.level <= 1:
            top, sub = top + 1, 0
            numbers.append(f"{cn_number(top)}、")
        else:
            sub += 1
            numbers.append(f"（{cn_number(sub)}）")
    return numbers


def cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUM[n - 1]
    if n < 20:
        return "十" + CN_NUM[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


def _narrative(text: str, title: str, filler: Filler, placeholder: bool) -> list[Paragraph]:
    paragraphs = []
    for line in (text or "").splitlines():
        if line.strip():
            paragraphs.append(Paragraph(filler.fill(line.strip())))
    if not paragraphs and placeholder:
        paragraphs.append(Paragraph([f"【待撰写：{filler.words(title)}】"], missing_text=True))
    return paragraphs


def compile_sections(unit, year: int, *, title: str, preamble: str, sections, issuer: str = "",
                     date: dt.date | None = None, narrative_of=None, with_charts: bool = True) -> Compiled:
    """``sections``: template or report sections in order; ``narrative_of(section)`` → its text."""
    filler = Filler(unit, year)
    sections = list(sections)
    blocks = []
    for i, (section, number) in enumerate(zip(sections, _numbering(sections))):
        block = Block(section.key, section.level, number, filler.words(section.title))
        narrative = narrative_of(section) if narrative_of else ""
        has_children = section.level <= 1 and i + 1 < len(sections) and sections[i + 1].level > 1
        block.paragraphs = _narrative(narrative, section.title, filler, placeholder=not has_children
                                      and not (section.figure_text or "").strip())
        if (section.figure_text or "").strip():
            block.paragraphs.append(Paragraph(filler.fill(section.figure_text.strip())))
        if with_charts:
            for spec in (section.chart or "").split(";"):
                if spec.strip():
                    block.charts.append(filler.chart(spec))
        blocks.append(block)
    return Compiled(title=filler.words(title), unit=unit, year=int(year),
                    preamble=_narrative(preamble, "导语", filler, placeholder=False), blocks=blocks,
                    figures=filler.figures, issuer=issuer or unit.name, date=date)


def compile_report(report, *, with_charts: bool = True) -> Compiled:
    return compile_sections(report.unit, report.year, title=report.title, preamble=report.preamble,
                            sections=report.sections.order_by("order", "pk"), date=report.published_on,
                            narrative_of=lambda s: s.narrative, with_charts=with_charts)


def compile_template(template, unit, year: int, *, with_charts: bool = True) -> Compiled:
    return compile_sections(unit, year, title=template.title, preamble=template.preamble,
                            sections=template.sections.order_by("order", "pk"), with_charts=with_charts)


def compile_for(unit, year: int, *, with_charts: bool = True) -> Compiled:
    """The year's report of ``unit`` if there is one, else the default template with empty narrative."""
    from .models import AnnualReport
    from .templates_data import default_template

    report = AnnualReport.objects.filter(unit=unit, year=year).first()
    if report is not None and report.sections.exists():
        return compile_report(report, with_charts=with_charts)
    return compile_template(default_template(unit, create=False), unit, year, with_charts=with_charts)
