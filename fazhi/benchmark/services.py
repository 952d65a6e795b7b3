"""Importing a report: one transaction per file, audited; the same file twice changes nothing."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from fazhi.core import audit, scoping

from . import extract, text
from .models import Fact, Report
from .text import ReportInputError

MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ImportResult:
    report: Report
    created: bool

    @property
    def message(self) -> str:
        r = self.report
        if not self.created:
            return f"文件“{r.filename}”已导入过（SHA-256 相同），未作任何更改：{r}。"
        mapped = r.facts.exclude(metric="").count()
        return (f"已导入“{r.filename}”：{r.region or '未识别地区'}，{r.year or '未识别'}年度，"
                f"识别数据 {r.facts.count()} 项，其中对应指标 {mapped} 项。")


def read(data: bytes, filename: str = "") -> tuple[text.Document, str, str, extract.Extraction]:
    """Decode, clean and extract without storing anything (``fazhi benchmark extract``)."""
    if len(data) > MAX_BYTES:
        raise ReportInputError(f"文件过大（{len(data) // 1024 // 1024} MB），报告文件不应超过 {MAX_BYTES // 1024 // 1024} MB。")
    doc, encoding, kind = text.load(data, filename)
    result = extract.extract(doc)
    if not extract.looks_like_report(doc, result):
        raise ReportInputError("文件中没有找到法治政府建设情况报告的正文（可能是栏目列表页、错误页或其他文章）。"
                               "请打开报告全文页面后另存，或复制正文保存为 TXT 文件再导入。")
    return doc, encoding, kind, result


def import_file(data: bytes, filename: str, *, unit, user=None, population: Decimal | None = None) -> ImportResult:
    """Import one report file into ``unit``. Raises ReportInputError (Chinese message) for bad input,
    PermissionError when ``user`` may not change ``unit``; nothing is stored unless everything is."""
    if user is not None and not scoping.can_change_unit(user, unit):
        raise PermissionError("您无权向该单位导入报告。")
    filename = (filename or "report.txt").replace("\\", "/").rsplit("/", 1)[-1][:255]
    sha = hashlib.sha256(data).hexdigest()
    existing = Report.objects.filter(unit=unit, sha256=sha).first()
    if existing is not None:
        return ImportResult(existing, False)
    doc, encoding, kind, result = read(data, filename)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                unit=unit, sha256=sha, filename=filename, kind=kind, encoding=encoding, size=len(data),
                original=data, text=doc.text, clean_text=doc.clean_text, title=result.title[:255],
                region=result.region, level=result.level, year=result.year, published_on=result.published_on,
                issuer=result.issuer[:120], traditional=text.is_traditional(doc.text), population=population,
                outline=[{"level": h.level, "marker": h.marker, "title": h.title, "start": h.start, "parent": h.parent,
                          "part": h.part, "system": h.system} for h in result.outline],
                checks=result.checks, imported_by=user if getattr(user, "pk", None) else None,
            )
            Fact.objects.bulk_create([
                Fact(report=report, seq=i, metric=f.metric or "", value=Decimal(str(f.value)), unit_label=f.unit,
                     approx=f.approx, phrase=f.phrase[:255], quote=f.quote, start=f.start, end=f.end, pos=f.pos,
                     section=f.section[:500], flag=f.flag)
                for i, f in enumerate(result.facts, start=1)
            ])
            audit.record("benchmark.import", actor=user, obj=report, unit=unit, changes={
                "文件": filename, "SHA-256": sha, "地区": report.region, "年度": report.year,
                "数据项": len(result.facts), "对应指标": sum(1 for f in result.facts if f.metric)})
    except IntegrityError:
        # The same file imported concurrently: the other import won; this one changes nothing.
        existing = Report.objects.filter(unit=unit, sha256=sha).first()
        if existing is None:
            raise
        return ImportResult(existing, False)
    return ImportResult(report, True)


def set_population(report: Report, population: Decimal | None, *, user) -> Report:
    if not scoping.can_change_unit(user, report.unit):
        raise PermissionError("您无权修改该报告。")
    with transaction.atomic():
        before = report.population
        report.population = population
        report.save(update_fields=["population"])
        audit.record("benchmark.population", actor=user, obj=report, unit=report.unit,
                     changes=audit.diff({"常住人口（万人）": before}, {"常住人口（万人）": population}))
    return report


def target_unit(user):
    """The unit a user's imports belong to: the highest unit they may change (their government for a
    coordinator, their own unit for an operator); None if they may change none."""
    candidates = [u for u in scoping.visible_units(user).order_by("path") if scoping.can_change_unit(user, u)]
    return min(candidates, key=lambda u: (len(u.path), u.path)) if candidates else None
