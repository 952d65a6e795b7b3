"""年度报告 services: the only place a report, its sections and the units' contributions change.

Moves go through ``fazhi.core.procedure.perform``; edits of text through ``fazhi.core.services.do_update``
(scope, role, optimistic version, audit — one transaction).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from fazhi.core import audit, clocks, scoping
from fazhi.core import services as core_services
from fazhi.core.models import Role, Unit
from fazhi.core.procedure import InvalidInput, RoleDenied, StaleVersion, perform
from fazhi.core.workdays import get_calendar

from . import output
from .compiler import compile_report
from .models import (
    AnnualReport,
    Contribution,
    ReportSection,
    ReportTemplate,
    TemplateSection,
)
from .templates_data import default_template


def publication_due(year: int) -> dt.date:
    """第二十四条: published before April 1 of the next year — the last working day before it."""
    cal = get_calendar()
    day = dt.date(year + 1, 3, 31)
    while not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _start_publication_clock(report: AnnualReport, user, on: dt.date) -> None:
    """第二十四条: the clock ends on the last working day before April 1 of the next year.

    Opened in time: it starts today and is extended (in the ledger) to that day. Opened after that
    day: it starts on the day before it, so it ends on the real legal date and shows as overdue —
    never a fresh one-day period counted from today. The rule is the one in force today.
    """
    due = publication_due(report.year)
    budget = clocks.rule_for("reports.publication", on).budget  # calendar days ("d")
    late = on > due - dt.timedelta(days=budget)
    start = due - dt.timedelta(days=budget) if late else on
    why = (f"报告建立时（{on}）公开期限已届满，按法定截止日 {due} 起算，显示为逾期" if late else "起草年度报告")
    clocks.start_clock(report, "publication", "reports.publication", start, actor=user, reason=why, rule_on=on)
    clocks.extend_to(report, "publication", due, actor=user,
                     reason=f"应于{report.year + 1}年4月1日之前向社会公开（截止日 {due}）",
                     approver="《法治政府建设与责任落实督察工作规定》第二十四条")


def _require_coordinator(user, unit: Unit) -> None:
    if not scoping.can_view_unit(user, unit):
        raise Http404("未找到该单位，或您无权查看。")
    if Role.COORDINATOR not in scoping.roles_at(user, unit):
        raise RoleDenied("只有法治协调员可以办理此事项。")


def create_report(user, *, unit: Unit, year: int, template: ReportTemplate | None = None,
                  on: dt.date | None = None) -> AnnualReport:
    """Open the year's report of ``unit`` from ``template`` (default: the government's default
    template); its sections are copied, and the publication clock (第二十四条) starts."""
    _require_coordinator(user, unit)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput("报告年度无效。") from None
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"报告年度超出范围：{year}。")
    on = on or clocks.today()
    with transaction.atomic():
        template = template or default_template(unit, actor=user)
        if not scoping.can_view_unit(user, template.unit):
            raise Http404("未找到该模板，或您无权查看。")
        filler_title = template.title.replace("{{unit_name}}", unit.name).replace("{{year}}", str(year))
        try:
            with transaction.atomic():
                report = AnnualReport.objects.create(unit=unit, year=year, template=template, title=filler_title[:200],
                                                     preamble=template.preamble, state="new")
        except IntegrityError:
            raise InvalidInput(f"{unit.name}{year}年度报告已经建立。") from None
        for s in template.sections.order_by("order", "pk"):
            ReportSection.objects.create(report=report, unit=unit, key=s.key, order=s.order, level=s.level,
                                         title=s.title, figure_text=s.figure_text, guidance=s.guidance,
                                         responsible_unit=s.responsible_unit, chart=s.chart)
        audit.record("reports.report.create", actor=user, obj=report,
                     changes={"year": [None, year], "template": [None, template.name]})
        report = perform(report, "open", user, version=report.version, on=on, reason="起草年度报告")
        _start_publication_clock(report, user, on)
    return report


def request_contributions(user, report: AnnualReport, *, version, due_date: dt.date,
                          on: dt.date | None = None) -> AnnualReport:
    """Ask each section's responsible unit for its text, due on ``due_date``."""
    on = on or clocks.today()
    if not isinstance(due_date, dt.date) or due_date <= on:
        raise InvalidInput(f"材料报送截止日（{due_date}）须晚于今天（{on}）。")
    with transaction.atomic():
        report = perform(report, "request", user, version=version, on=on, reason="征集年度报告材料")
        for section in report.sections.filter(responsible_unit__isnull=False).select_related("responsible_unit"):
            c = Contribution.objects.create(report=report, section=section, unit=section.responsible_unit,
                                            due_date=due_date, state="new")
            audit.record("reports.contribution.create", actor=user, obj=c,
                         changes={"section": section.title, "due_date": due_date})
            c = perform(c, "issue", user, version=c.version, on=on, reason=f"征集“{section.title}”材料")
            clocks.extend_to(c, "contribution", due_date, actor=user,
                             reason=f"材料征集通知规定的截止日为 {due_date}", approver=str(user))
    return report


def save_contribution(user, c: Contribution, *, version, text: str) -> Contribution:
    if c.state not in ("writing", "returned"):
        raise InvalidInput(f"材料当前状态为“{c.state_label}”，不能修改。")
    roles = scoping.roles_at(user, c.unit) - scoping.READ_ONLY_ROLES
    if scoping.can_view_unit(user, c.unit) and not roles & {Role.OPERATOR, Role.LEADER}:
        raise RoleDenied("只有撰写单位的经办人或负责人可以撰写材料。")
    return core_services.do_update(c, user, version=version, fields={"text": (text or "").strip()},
                                   action="reports.contribution.edit")


def move_contribution(user, c: Contribution, op: str, *, version, comment: str = "", on=None) -> Contribution:
    if op not in ("submit", "approve", "reject", "send_back"):
        raise InvalidInput(f"未知的操作：{op}")
    changes = {"comment": comment.strip()} if op in ("reject", "send_back") else None
    return perform(c, op, user, version=version, on=on, reason=(comment or "").strip(), changes=changes)


def start_editing(user, report: AnnualReport, *, version, on=None) -> AnnualReport:
    """Coordinator takes over: approved contributions become the sections' text where it is empty."""
    with transaction.atomic():
        report = perform(report, "edit", user, version=version, on=on, reason="开始统稿")
        for section in report.sections.all():
            texts = [c.text.strip() for c in section.contributions.filter(state="approved").order_by("unit__path")
                     if c.text.strip()]
            if texts and not section.narrative.strip():
                core_services.do_update(section, user, version=section.version, fields={"narrative": "\n".join(texts)},
                                        action="reports.section.merge")
    return report


def edit_section(user, section: ReportSection, *, version, narrative: str | None = None,
                 figure_text: str | None = None, title: str | None = None) -> ReportSection:
    """Coordinator edits a section while drafting or editing; the figure sentence is checked first."""
    report = section.report
    if report.state not in ("draft", "collecting", "editing"):
        raise InvalidInput(f"报告当前状态为“{report.state_label}”，不能修改正文。")
    _require_coordinator(user, report.unit)
    fields = {}
    if narrative is not None:
        fields["narrative"] = narrative.strip()
    if figure_text is not None:
        from .compiler import CompileError, Filler

        try:
            Filler(report.unit, report.year, strict=True).fill(figure_text)
        except CompileError as exc:
            raise InvalidInput(str(exc)) from None
        fields["figure_text"] = figure_text.strip()
    if title is not None:
        if not title.strip():
            raise InvalidInput("标题不能为空。")
        fields["title"] = title.strip()[:200]
    return core_services.do_update(section, user, version=version, fields=fields, action="reports.section.edit")


def move_report(user, report: AnnualReport, op: str, *, version, comment: str = "", on=None) -> AnnualReport:
    if op == "edit":
        return start_editing(user, report, version=version, on=on)
    if op == "publish":
        return publish(user, report, version=version, on=on)
    if op not in ("submit", "approve", "send_back"):
        raise InvalidInput(f"未知的操作：{op}")
    changes = {"comment": comment.strip()} if op == "send_back" else None
    return perform(report, op, user, version=version, on=on, reason=(comment or "").strip(), changes=changes)


def publish(user, report: AnnualReport, *, version, on=None) -> AnnualReport:
    """Publish: the compiled text is frozen (HTML and DOCX), so the public page keeps showing what was
    published even when figures are corrected later."""
    on = on or clocks.today()
    with transaction.atomic():
        current = AnnualReport.objects.get(pk=report.pk)
        current.published_on = on
        compiled = compile_report(current)
        html, docx = output.to_html_fragment(compiled), output.to_docx(compiled)
        report = perform(report, "publish", user, version=version, on=on, reason="向社会公开",
                         changes={"published_on": on})
        AnnualReport.objects.filter(pk=report.pk).update(published_html=html, published_docx=docx)
        audit.record("reports.report.snapshot", actor=user, obj=report,
                     changes={"docx_sha256": hashlib.sha256(docx).hexdigest(), "html_chars": len(html),
                              "figures": len(compiled.figures)})
        report.refresh_from_db()
    return report


# ---------------------------------------------------------------------------
# The template (a coordinator adjusts it; reports already created keep their own copy of the sections)
# ---------------------------------------------------------------------------
KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")


def _lock_template(user, tpl: ReportTemplate, version) -> ReportTemplate:
    """Scope, role and optimistic version of a template; returns it locked for this transaction."""
    _require_coordinator(user, tpl.unit)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise InvalidInput("缺少或无法识别版本号，请刷新页面后重试。") from None
    current = ReportTemplate.objects.select_for_update().get(pk=tpl.pk)
    if current.version != version:
        raise StaleVersion(f"该模板已被他人修改（您看到的是第 {version} 版，当前为第 {current.version} 版），"
                           "本次修改未保存，请刷新页面后重试。")
    return current


def _bump(tpl: ReportTemplate) -> None:
    ReportTemplate.objects.filter(pk=tpl.pk).update(version=F("version") + 1, updated_at=timezone.now())
    tpl.refresh_from_db(fields=["version", "updated_at"])


def _clean_section(user, tpl: ReportTemplate, data, section: TemplateSection | None = None) -> dict:
    """The section's fields from form/JSON data, checked (figure sentence and chart are compiled)."""
    from .compiler import CompileError, Filler

    title = (data.get("title") or "").strip()
    if not title:
        raise InvalidInput("标题不能为空。")
    try:
        level = int(data.get("level") or (section.level if section else 1))
    except (TypeError, ValueError):
        raise InvalidInput("层级须为数字。") from None
    if level not in (1, 2):
        raise InvalidInput("层级应为 1（“一、”）或 2（“（一）”）。")
    filler = Filler(tpl.unit, clocks.today().year - 1, strict=True)
    figure_text, chart = (data.get("figure_text") or "").strip(), (data.get("chart") or "").strip()
    try:
        filler.fill(figure_text)
        for spec in chart.split(";"):
            if spec.strip():
                filler.chart(spec)
    except CompileError as exc:
        raise InvalidInput(str(exc)) from None
    code = (data.get("responsible_unit") or "").strip()
    unit = Unit.objects.filter(code=code).first() if code else None
    if code and (unit is None or not scoping.can_view_unit(user, unit)):
        raise InvalidInput(f"未找到单位代码：{code}")
    return {"title": title[:200], "level": level, "figure_text": figure_text, "chart": chart[:400],
            "responsible_unit": unit, "guidance": (data.get("guidance") or "").strip()}


def _renumber(tpl: ReportTemplate, ordered: list[TemplateSection]) -> None:
    for i, s in enumerate(ordered, start=1):
        if s.order != i * 10:
            s.order = i * 10
            s.save(update_fields=["order"])


def _titles(tpl: ReportTemplate) -> list[str]:
    return [s.title for s in tpl.sections.order_by("order", "pk")]


def add_template_section(user, tpl: ReportTemplate, data, *, version) -> TemplateSection:
    """Add a section to the template, after the section whose pk is ``data["after"]`` (empty: at the
    end; "0": first). ``data["key"]`` is optional (letters, digits, - and _); one is made otherwise."""
    with transaction.atomic():
        tpl = _lock_template(user, tpl, version)
        fields = _clean_section(user, tpl, data)
        key = (data.get("key") or "").strip().lower()
        if key and not KEY_RE.match(key):
            raise InvalidInput(f"章节代码“{key}”无效：应以小写字母开头，只含小写字母、数字、“-”和“_”，不超过50个字符。")
        taken = set(tpl.sections.values_list("key", flat=True))
        if key in taken:
            raise InvalidInput(f"章节代码“{key}”已被本模板的其他章节使用。")
        if not key:
            n = len(taken) + 1
            while f"section-{n}" in taken:
                n += 1
            key = f"section-{n}"
        ordered = list(tpl.sections.order_by("order", "pk"))
        after = str(data.get("after") or "").strip()
        if after == "0":
            pos = 0
        elif after:
            pos = next((i + 1 for i, s in enumerate(ordered) if str(s.pk) == after), None)
            if pos is None:
                raise InvalidInput("插入位置无效：所选章节不属于本模板。")
        else:
            pos = len(ordered)
        before = _titles(tpl)
        section = TemplateSection.objects.create(template=tpl, key=key, order=0, **fields)
        ordered.insert(pos, section)
        _renumber(tpl, ordered)
        _bump(tpl)
        audit.record("reports.template.section_add", actor=user, obj=tpl,
                     changes={"key": [None, key], "title": [None, section.title], "position": pos + 1,
                              "sections": [before, _titles(tpl)], "version": [tpl.version - 1, tpl.version]})
    return section


def delete_template_section(user, section: TemplateSection, *, version) -> ReportTemplate:
    """Remove a section from the template; reports already created keep theirs (their own copy)."""
    with transaction.atomic():
        tpl = _lock_template(user, section.template, version)
        if not tpl.sections.filter(pk=section.pk).exists():
            raise Http404("未找到该章节。")
        if tpl.sections.count() <= 1:
            raise InvalidInput("模板至少须保留一个章节。")
        before = _titles(tpl)
        removed = {"key": section.key, "title": section.title, "level": section.level,
                   "figure_text": section.figure_text, "chart": section.chart,
                   "responsible_unit": section.responsible_unit.code if section.responsible_unit else ""}
        section.delete()
        _renumber(tpl, list(tpl.sections.order_by("order", "pk")))
        _bump(tpl)
        audit.record("reports.template.section_delete", actor=user, obj=tpl,
                     changes={"removed": removed, "sections": [before, _titles(tpl)],
                              "version": [tpl.version - 1, tpl.version]})
    return tpl


def move_template_section(user, section: TemplateSection, direction: str, *, version) -> ReportTemplate:
    """Move a section one place up or down (the headings' numbers follow the new order)."""
    if direction not in ("up", "down"):
        raise InvalidInput(f"未知的移动方向：{direction}")
    with transaction.atomic():
        tpl = _lock_template(user, section.template, version)
        ordered = list(tpl.sections.order_by("order", "pk"))
        i = next((i for i, s in enumerate(ordered) if s.pk == section.pk), None)
        if i is None:
            raise Http404("未找到该章节。")
        j = i - 1 if direction == "up" else i + 1
        if not 0 <= j < len(ordered):
            raise InvalidInput("该章节已在" + ("最前" if direction == "up" else "最后") + "，不能再移动。")
        before = _titles(tpl)
        ordered[i], ordered[j] = ordered[j], ordered[i]
        _renumber(tpl, ordered)
        _bump(tpl)
        audit.record("reports.template.section_move", actor=user, obj=tpl,
                     changes={"title": ordered[j].title, "direction": direction,
                              "sections": [before, _titles(tpl)], "version": [tpl.version - 1, tpl.version]})
    return tpl


def edit_template_section(user, section: TemplateSection, data, *, version) -> TemplateSection:
    """A coordinator adjusts a template section; the figure sentence and chart are checked first.
    ``data["order"]``, when given, is the new sort number (the sections are then renumbered)."""
    with transaction.atomic():
        tpl = _lock_template(user, section.template, version)
        new = _clean_section(user, tpl, data, section)
        order_raw = str(data.get("order") or "").strip()
        if order_raw:
            try:
                new["order"] = int(order_raw)
            except ValueError:
                raise InvalidInput("排序须为数字。") from None
        before = {k: getattr(section, k) for k in new}
        for k, v in new.items():
            setattr(section, k, v)
        section.save()
        if "order" in new:
            _renumber(tpl, sorted(tpl.sections.all(), key=lambda s: (s.order, s.pk != section.pk, s.pk)))
        _bump(tpl)
        audit.record("reports.template.section", actor=user, obj=tpl,
                     changes={**audit.diff({k: str(v) for k, v in before.items()}, {k: str(v) for k, v in new.items()}),
                              "key": section.key, "version": [tpl.version - 1, tpl.version]})
    section.refresh_from_db()
    return section
