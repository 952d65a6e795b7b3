"""年度报告 services: the only place a report, its sections and the units' contributions change.

Moves go through ``fazhi.core.procedure.perform``; edits of text through ``fazhi.core.services.do_update``
(scope, role, optimistic version, audit — one transaction).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.http import Http404

from fazhi.core import audit, clocks, scoping, services as core_services
from fazhi.core.models import Role, Unit
from fazhi.core.procedure import InvalidInput, RoleDenied, perform
from fazhi.core.workdays import get_calendar

from . import output
from .compiler import compile_report
from .models import AnnualReport, Contribution, ReportSection, ReportTemplate
from .templates_data import default_template


def publication_due(year: int) -> dt.date:
    """第二十四条: published before April 1 of the next year — the last working day before it."""
    cal = get_calendar()
    day = dt.date(year + 1, 3, 31)
    while not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _extend_to(matter, clock_name: str, due: dt.date, user, reason: str, approver: str) -> None:
    clock = clocks.clock_of(matter, clock_name)
    amount = (due - clock.started_on).days - clock.rule.budget
    if amount > 0:
        clocks.add_event(clock, "extend", clock.started_on, actor=user, amount=amount, amount_unit="d",
                         reason=reason, approver=approver)


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
        due = publication_due(year)
        _extend_to(report, "publication", due, user, reason=f"应于{year + 1}年4月1日之前向社会公开（截止日 {due}）",
                   approver="《法治政府建设与责任落实督察工作规定》第二十四条")
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
            _extend_to(c, "contribution", due_date, user, reason=f"材料征集通知规定的截止日为 {due_date}",
                       approver=str(user))
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


def edit_template_section(user, section, data) -> None:
    """A coordinator adjusts a template section; the figure sentence and chart are checked first."""
    from .compiler import CompileError, Filler

    tpl = section.template
    _require_coordinator(user, tpl.unit)
    title = (data.get("title") or "").strip()
    if not title:
        raise InvalidInput("标题不能为空。")
    try:
        level, order = int(data.get("level", section.level)), int(data.get("order", section.order))
    except (TypeError, ValueError):
        raise InvalidInput("层级和排序须为数字。") from None
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
    new = {"title": title[:200], "level": level, "order": order, "figure_text": figure_text, "chart": chart[:400],
           "responsible_unit": unit, "guidance": (data.get("guidance") or "").strip()}
    with transaction.atomic():
        before = {k: getattr(section, k) for k in new}
        for k, v in new.items():
            setattr(section, k, v)
        section.save()
        ReportTemplate.objects.filter(pk=tpl.pk).update(version=tpl.version + 1)
        audit.record("reports.template.section", actor=user, obj=tpl,
                     changes=audit.diff({k: str(v) for k, v in before.items()}, {k: str(v) for k, v in new.items()}))
