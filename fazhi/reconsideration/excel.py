"""Excel (.xlsx) in and out for 行政复议 cases: the template, the import of historic cases, the export.

Import (``import_cases``) takes a ledger of past years, one row a concluded case, and is:

- atomic: every row is checked first; if any row is rejected nothing is written, and every
  rejected row is reported with its row number, column and reason;
- idempotent on 案件编号: a row whose case number already exists with the same content is left
  alone ("unchanged"); one whose content differs is rejected (import never edits a case).

Historic cases cannot go through ``services.do_register``: they predate the system (and often the
2023 law, which do_register refuses) and have no running clocks. This module is therefore the
service that creates them, in one transaction, with an audit record per case and no personal
data in the audit trail. They get no tracking code anyone knows (a random digest is stored) and no
clock, so they count in every figure except the on-time rate (``concluded_on_time`` stays unknown).

Export (``export_cases``) writes any queryset of cases, already scoped by the caller with
``Case.objects.visible_to``, with the same columns plus 状态.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.http import Http404

from fazhi.core import audit, clocks, scoping, xlsx
from fazhi.core.models import DocumentSequence, Unit
from fazhi.core.procedure import ProcedureError, RoleDenied

from . import procedure as proc
from .models import Applicant, Case, Office, hash_tracking_code, new_tracking_code

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
SHEET = "行政复议案件"
DOC_TYPE = "行政复议案件"  # the numbering sequence services._number uses

audit.register_action("reconsideration.import", "导入历史行政复议案件")
audit.register_action("reconsideration.import_batch", "批量导入历史行政复议案件")
audit.register_action("reconsideration.export", "导出行政复议案件")


class ImportRefused(ProcedureError):
    code = "import_refused"
    status = 400


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str


COLUMNS = [
    Column("number", "案件编号", True, "案号，如 云府复〔2023〕12号；据此判断是否重复导入。"),
    Column("received_on", "收到日期", True, "收到行政复议申请的日期，如 2023-05-08。"),
    Column("channel", "申请方式", False, "网上申请、当面递交或邮寄；不填视为当面递交。"),
    Column("applicants", "申请人", True, "姓名或名称；多名申请人用“、”分隔。"),
    Column("respondent", "被申请人（单位代码或名称）", True, "本级政府所属单位的代码（如 YX-ZJJ）、全称或简称。"),
    Column("act", "行政行为", True, "被申请行政复议的行政行为。"),
    Column("accepted_on", "受理日期", False, "不予受理、视为放弃申请的不填；其他结果必填。"),
    Column("procedure_type", "审理程序", False, "普通程序或简易程序；不填视为普通程序。"),
    Column("outcome", "结果", True, "见“填写说明”中的可选值。"),
    Column("concluded_on", "审结日期", True, "作出决定、调解书、终止决定或不予受理决定的日期。"),
    Column("served_on", "送达日期", False, "可不填。"),
]
STATE_HEADER = "状态"  # export only; ignored on import
HEADERS = [c.header for c in COLUMNS]
OUTCOME_BY_LABEL = {label: value for value, label in Case.Outcome.choices}
OUTCOME_BY_LABEL.update({
    "驳回复议请求": Case.Outcome.DISMISSED_REQUEST, "撤销并责令重作": Case.Outcome.REVOKED_REDO,
    "调解结案": Case.Outcome.MEDIATED, "和解": Case.Outcome.SETTLED_WITHDRAWN, "撤回": Case.Outcome.WITHDRAWN,
    "终止": Case.Outcome.TERMINATED,
})
REFUSED, ABANDONED = "不予受理", "视为放弃申请"
OUTCOME_CHOICES_TEXT = "、".join([*[label for _v, label in Case.Outcome.choices], REFUSED, ABANDONED])
CHANNEL_BY_LABEL = {label: value for value, label in Case.Channel.choices}
TYPE_BY_LABEL = {label: value for value, label in Case.ProcedureType.choices}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "") + f"：{self.message}"


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"导入未执行：{len(self.errors)} 处错误，所有行均未导入。请修改后重新导入。"
        verb = "可导入" if self.dry_run else "已导入"
        return (f"{'试导入（未写入）：' if self.dry_run else ''}{verb} {len(self.created)} 件，"
                f"已存在且内容一致未改动 {len(self.unchanged)} 件。")


# ---------------------------------------------------------------------------
# Template and export
# ---------------------------------------------------------------------------
def _workbook(headers: list[str]):
    return xlsx.header_workbook(SHEET, headers)


def cell_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


_bytes = xlsx.to_bytes


def template_bytes() -> bytes:
    """The import template: the headers, one example row, and a sheet of instructions."""
    wb = _workbook(HEADERS)
    wb.active.append(["云府复〔2023〕12号", dt.date(2023, 5, 8), "当面递交", "张三", "YX-ZJJ",
                      "责令限期拆除违法建设决定", dt.date(2023, 5, 12), "普通程序", "维持", dt.date(2023, 7, 3),
                      dt.date(2023, 7, 6)])
    for cell in (wb.active["B2"], wb.active["G2"], wb.active["J2"], wb.active["K2"]):
        cell.number_format = "yyyy-mm-dd"
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    for c in COLUMNS:
        notes.append([c.header, "必填" if c.required else "选填", c.note])
    notes.append([])
    notes.append(["结果的可选值", "", OUTCOME_CHOICES_TEXT])
    notes.append(["说明", "", "每行一件已办结的历史案件；第二行为示例，导入前请删除。导入是整体的：任一行有误则全部不导入，"
                              "并列出每一处错误。案件编号已存在且内容一致的行跳过，不会重复导入。日期可用 Excel 日期"
                              "或 2023-05-08、2023/5/8、2023年5月8日 等格式。"])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["C"].width = 100
    return _bytes(wb)


def case_row(case: Case) -> list:
    applicants = "、".join(a.name for a in case.applicants.all())
    refused = case.state == "refused"
    outcome = REFUSED if refused else ABANDONED if case.state == "abandoned" else case.get_outcome_display()
    concluded = case.refused_on if refused else case.concluded_on
    return [case.number or case.display_number, case.received_on, case.get_channel_display(), applicants,
            case.respondent_unit.name, case.act_description, case.accepted_on, case.get_procedure_type_display(),
            outcome, concluded, case.served_on, case.state_label]


def export_cases(cases, *, user, filters: dict | None = None) -> bytes:
    """The .xlsx of ``cases`` (a queryset the caller has scoped with ``visible_to``); audited."""
    wb = _workbook([*HEADERS, STATE_HEADER])
    ws = wb.active
    qs = cases.select_related("respondent_unit").prefetch_related("applicants").order_by("received_on", "pk")
    n = 0
    for case in qs.iterator(chunk_size=500):
        ws.append(case_row(case))
        n += 1
    for row in ws.iter_rows(min_row=2):
        for idx in (1, 6, 9, 10):
            if row[idx].value is not None:
                row[idx].number_format = "yyyy-mm-dd"
    # Applicants' names leave the system: who exported what is on the record (《个人信息保护法》).
    audit.record("reconsideration.export", actor=user, object_type="reconsideration.case",
                 object_repr=f"导出 {n} 件", changes={"件数": n, "筛选条件": filters or {}},
                 unit=scoping.home_units(user)[0] if scoping.home_units(user) else None)
    return _bytes(wb)


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _as_date(value) -> dt.date | None | str:
    """A date, None for an empty cell, or an error text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.match(str(value))
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    return f"无法识别的日期“{value}”，请填写如 2023-05-08 的日期"


_as_text = xlsx.cell_text


def _respondents(office: Office) -> dict[str, Unit]:
    gov = office.government
    out: dict[str, Unit] = {}
    for u in Unit.objects.filter(path__startswith=gov.path).exclude(pk=gov.pk):
        for key in (u.code, u.name, u.short_name):
            if key:
                out.setdefault(key.strip().upper(), u)
    return out


def _require_office_staff(user, office: Office) -> None:
    if user is None:  # the command line (system administrator on the server)
        return
    if not scoping.can_view_unit(user, office.office_unit):
        raise Http404("未找到该单位，或您无权查看。")
    if not (scoping.roles_at(user, office.office_unit) - scoping.READ_ONLY_ROLES) & proc.OFFICE:
        raise RoleDenied(f"只有{office.office_unit.name}的协调员或负责人可以导入历史案件。")


def _read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """(header → column index, [(row number, values)]); ImportRefused for an unreadable file."""
    header, body = xlsx.read_sheet(data, sheet=SHEET, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, refuse=ImportRefused,
                                   use_hint="请使用导入模板填写后上传", empty_hint="请使用导入模板")
    index: dict[str, int] = {}
    for i, text in enumerate(header):
        if text:
            index[text] = i
    return index, body


def _check_row(n: int, get, respondents, today) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []

    def err(header, message):
        errors.append(RowError(n, header, message))

    h = {c.key: c.header for c in COLUMNS}
    row: dict = {}
    number = _as_text(get("number"))
    if not number:
        err(h["number"], "必填")
    elif len(number) > 60:
        err(h["number"], "不能超过 60 个字")
    row["number"] = number
    for key in ("received_on", "accepted_on", "concluded_on", "served_on"):
        value = _as_date(get(key))
        if isinstance(value, str):
            err(h[key], value)
            value = None
        elif value is not None and value > today:
            err(h[key], f"日期 {value} 晚于今天")
            value = None
        row[key] = value
    if row["received_on"] is None and not any(e.column == h["received_on"] for e in errors):
        err(h["received_on"], "必填")
    channel = _as_text(get("channel")) or "当面递交"
    if channel not in CHANNEL_BY_LABEL:
        err(h["channel"], f"应为{'、'.join(CHANNEL_BY_LABEL)}之一，不能是“{channel}”")
    row["channel"] = CHANNEL_BY_LABEL.get(channel)
    names = [p.strip() for p in re.split(r"[、，,;；\n]", _as_text(get("applicants"))) if p.strip()]
    if not names:
        err(h["applicants"], "必填")
    elif any(len(p) > 100 for p in names):
        err(h["applicants"], "每名申请人的姓名或名称不能超过 100 个字")
    row["applicants"] = names
    resp = _as_text(get("respondent"))
    row["respondent"] = respondents.get(resp.upper()) if resp else None
    if not resp:
        err(h["respondent"], "必填")
    elif row["respondent"] is None:
        err(h["respondent"], f"“{resp}”不是本级人民政府所属的单位（请填写单位代码、全称或简称）")
    act = _as_text(get("act"))
    if not act:
        err(h["act"], "必填")
    elif len(act) > 2000:
        err(h["act"], "不能超过 2000 个字")
    row["act"] = act
    ptype = _as_text(get("procedure_type")) or "普通程序"
    if ptype not in TYPE_BY_LABEL:
        err(h["procedure_type"], f"应为普通程序或简易程序，不能是“{ptype}”")
    row["procedure_type"] = TYPE_BY_LABEL.get(ptype)
    outcome = _as_text(get("outcome"))
    if not outcome:
        err(h["outcome"], "必填（历史案件导入只接受已办结的案件；正在办理的案件请通过“登记申请”录入）")
    elif outcome not in OUTCOME_BY_LABEL and outcome not in (REFUSED, ABANDONED):
        err(h["outcome"], f"无法识别的结果“{outcome}”，可选：{OUTCOME_CHOICES_TEXT}")
    row["outcome"] = outcome
    if row["concluded_on"] is None and not any(e.column == h["concluded_on"] for e in errors):
        err(h["concluded_on"], "必填")
    # Order of the dates.
    rec, acc, con, srv = row["received_on"], row["accepted_on"], row["concluded_on"], row["served_on"]
    if outcome in (REFUSED, ABANDONED):
        if acc is not None:
            err(h["accepted_on"], f"结果为“{outcome}”的案件不应有受理日期")
    elif outcome in OUTCOME_BY_LABEL and acc is None and not any(e.column == h["accepted_on"] for e in errors):
        err(h["accepted_on"], f"结果为“{outcome}”的案件须填写受理日期")
    if rec and acc and acc < rec:
        err(h["accepted_on"], f"受理日期 {acc} 早于收到日期 {rec}")
    if con and (acc or rec) and con < (acc or rec):
        err(h["concluded_on"], f"审结日期 {con} 早于{'受理' if acc else '收到'}日期 {acc or rec}")
    if srv and con and srv < con:
        err(h["served_on"], f"送达日期 {srv} 早于审结日期 {con}")
    return row, errors


def _same(case: Case, row: dict) -> list[str]:
    """Headers whose value differs between ``case`` and ``row``."""
    concluded = case.refused_on if case.state == "refused" else case.concluded_on
    existing_outcome = REFUSED if case.state == "refused" else ABANDONED if case.state == "abandoned" else \
        case.get_outcome_display()
    wanted = row["outcome"] if row["outcome"] in (REFUSED, ABANDONED) else \
        Case.Outcome(OUTCOME_BY_LABEL[row["outcome"]]).label
    diffs = []
    if case.received_on != row["received_on"]:
        diffs.append("收到日期")
    if case.respondent_unit_id != row["respondent"].pk:
        diffs.append("被申请人（单位代码或名称）")
    if existing_outcome != wanted:
        diffs.append("结果")
    if concluded != row["concluded_on"]:
        diffs.append("审结日期")
    if case.accepted_on != row["accepted_on"]:
        diffs.append("受理日期")
    return diffs


_NUMBER_RE = re.compile(r"^(?P<prefix>.+)〔(?P<year>\d{4})〕(?P<n>\d+)号$")


def _reserve_numbers(office: Office, numbers: list[str]) -> None:
    """Imported case numbers in the office's own style (代字〔年〕n号) move its numbering sequence
    past them, so a case accepted later never gets a number already used by an imported one."""
    top: dict[int, int] = {}
    for number in numbers:
        m = _NUMBER_RE.match(number)
        if m and m["prefix"] == office.number_prefix:
            top[int(m["year"])] = max(top.get(int(m["year"]), 0), int(m["n"]))
    for year, n in top.items():
        seq, _ = DocumentSequence.objects.select_for_update().get_or_create(
            unit=office.office_unit, year=year, doc_type=DOC_TYPE, defaults={"prefix": office.number_prefix})
        if seq.last_number < n:
            DocumentSequence.objects.filter(pk=seq.pk).update(last_number=n)


def import_cases(data: bytes, *, office: Office, user=None, dry_run: bool = False,
                 filename: str = "") -> ImportResult:
    """Check every row, then (unless ``dry_run`` or any row is rejected) create the new cases in one
    transaction. ``user`` None = the command line."""
    _require_office_staff(user, office)
    index, body = _read_rows(data)
    result = ImportResult(dry_run=dry_run)
    missing = [c.header for c in COLUMNS if c.header not in index]
    unknown = [h for h in index if h not in HEADERS and h != STATE_HEADER]
    for header in missing:
        result.errors.append(RowError(1, header, "缺少该列（请使用导入模板，列名须一致）"))
    for header in unknown:
        result.errors.append(RowError(1, header, "无法识别的列名"))
    if result.errors:
        return result
    if not body:
        raise ImportRefused("工作表中没有数据行。")
    respondents = _respondents(office)
    today = clocks.today()
    seen: dict[str, int] = {}
    rows = []
    for n, values in body:
        def get(key, values=values):
            i = index[next(c.header for c in COLUMNS if c.key == key)]
            return values[i] if i < len(values) else None

        row, errors = _check_row(n, get, respondents, today)
        result.errors.extend(errors)
        if row["number"]:
            if row["number"] in seen:
                result.errors.append(RowError(n, "案件编号", f"与第 {seen[row['number']]} 行的案件编号重复"))
            seen.setdefault(row["number"], n)
        if not errors:
            rows.append((n, row))
    existing = {c.number: c for c in Case.objects.filter(number__in=[r["number"] for _n, r in rows])
                .select_related("unit")}
    new_rows = []
    for n, row in rows:
        case = existing.get(row["number"])
        if case is None:
            new_rows.append((n, row))
        elif case.unit_id != office.office_unit_id:
            result.errors.append(RowError(n, "案件编号", "该案件编号已被其他行政复议机构的案件使用"))
        else:
            diffs = _same(case, row)
            if diffs:
                result.errors.append(RowError(n, "案件编号", f"该案件已存在，但{'、'.join(diffs)}与系统中的记录不一致；"
                                                             "导入不修改已有案件，请核对"))
            else:
                result.unchanged.append(row["number"])
    result.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else -1))
    if result.errors:
        result.unchanged.clear()
        return result
    result.created = [row["number"] for _n, row in new_rows]
    if dry_run or not new_rows:
        return result
    with transaction.atomic():
        for _n, row in new_rows:
            _create(office, row, user)
        _reserve_numbers(office, result.created)
        audit.record("reconsideration.import_batch", actor=user, obj=office, unit=office.office_unit,
                     changes={"文件": filename, "导入件数": len(result.created), "未改动件数": len(result.unchanged)})
    return result


def _create(office: Office, row: dict, user) -> Case:
    outcome = row["outcome"]
    fields = {"state": "closed", "outcome": "", "concluded_on": None, "refused_on": None, "refusal_reason": ""}
    if outcome == REFUSED:
        fields.update(state="refused", refused_on=row["concluded_on"], refusal_reason="历史案件导入（理由见原案卷）")
    elif outcome == ABANDONED:
        # No field of its own: the date is kept in concluded_on, which counts nowhere without an outcome.
        fields.update(state="abandoned", concluded_on=row["concluded_on"])
    else:
        fields.update(outcome=OUTCOME_BY_LABEL[outcome], concluded_on=row["concluded_on"])
        if fields["outcome"] in (Case.Outcome.WITHDRAWN, Case.Outcome.SETTLED_WITHDRAWN, Case.Outcome.TERMINATED):
            fields["termination_ground"] = "历史案件导入（终止情形见原案卷）"
    case = Case.objects.create(
        unit=office.office_unit, number=row["number"],
        # Nobody holds a code for a historic case: a random digest keeps the column unique.
        tracking_code_hash=hash_tracking_code(new_tracking_code()), channel=row["channel"],
        received_on=row["received_on"], rules_date=row["received_on"], respondent_unit=row["respondent"],
        act_description=row["act"], procedure_type=row["procedure_type"], accepted_on=row["accepted_on"],
        acceptance_kind=Case.Acceptance.DECIDED if row["accepted_on"] else "",
        acceptance_note="历史案件导入" if row["accepted_on"] else "", served_on=row["served_on"], **fields)
    for order, name in enumerate(row["applicants"]):
        Applicant.objects.create(case=case, order=order, name=name)
    audit.record("reconsideration.import", actor=user, obj=case, changes={
        "案件编号": case.number, "收到日期": case.received_on, "被申请人": case.respondent_unit.name,
        "结果": outcome, "审结日期": row["concluded_on"], "申请人人数": len(row["applicants"])})
    return case


def office_for_user(user) -> Office | None:
    """The office whose historic cases ``user`` may import (a coordinator or leader there)."""
    for office in Office.objects.select_related("office_unit", "government"):
        if (scoping.roles_at(user, office.office_unit) - scoping.READ_ONLY_ROLES) & proc.OFFICE:
            return office
    return None


def office_by_code(code: str | None) -> Office:
    """For the command line: the office of the government ``code`` (or the only office)."""
    qs = Office.objects.select_related("office_unit", "government")
    if code:
        office = qs.filter(Q(government__code=code) | Q(office_unit__code=code)).first()
        if office is None:
            raise ImportRefused(f"未找到单位代码为 {code} 的行政复议机关或机构。")
        return office
    offices = list(qs[:2])
    if len(offices) != 1:
        raise ImportRefused("请用 --unit 指定人民政府的单位代码（系统中有多个或没有行政复议机构）。" if offices
                            else "系统中还没有设置行政复议机构。")
    return offices[0]
