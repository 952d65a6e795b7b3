"""从轻/减轻/不予处罚清单 and 行政处罚裁量基准: versioned lists whose items cases reference by code.

A list belongs to the unit that made it (``StandardList.unit``) and applies to that unit and every unit
below it: a county's 裁量基准 binds its departments and 街镇. So a user sees the lists of the units in
their scope *and* of the units above them (``visible_lists``); only the owning unit's 法治协调员 (whose
reach is the whole government) or its own 法制工作人员 (its 经办人) may change one (``can_edit``).

A case applies an item by its code (``Case.lenient_item`` / ``Case.discretion_item``). A case must keep
the item it applied, so:

- item codes are unique across all lists and never change; a new version copies the items under new
  codes (``YX-BCF-001`` → ``YX-BCF-001-V2``) and closes the old version the day before the new one
  takes effect (``do_new_version``);
- an item that a case has applied is never edited or deleted: the user is told to make a new version;
- a list that has been superseded or retired (``effective_to`` set) is frozen.

Every change is one transaction with its audit row. Item edits use optimistic locking on a fingerprint
of the item's content (``fingerprint``): the form carries the fingerprint the user saw, and the save is
refused when the item changed meanwhile.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404

from fazhi.core import audit, scoping, xlsx
from fazhi.core.procedure import GuardFailed, InvalidInput, RoleDenied, StaleVersion

from .models import Case, StandardItem, StandardList

audit.register_action("enforcement.standard.create", "制定清单或裁量基准")
audit.register_action("enforcement.standard.item_add", "添加清单事项")
audit.register_action("enforcement.standard.item_update", "修改清单事项")
audit.register_action("enforcement.standard.new_version", "制定清单新版本")
audit.register_action("enforcement.standard.supersede", "清单被新版本替代")
audit.register_action("enforcement.standard.retire", "废止清单")
audit.register_action("enforcement.standard.upload", "从 Excel 导入清单事项")

Kind = StandardList.Kind
LENIENT_KINDS = (Kind.NO_PENALTY, Kind.LIGHTER, Kind.MITIGATED)
# 法治协调员 (司法局, government-wide) and a unit's own 法制工作人员 (经办人); admins for support.
EDIT_ROLES = {"coordinator", "operator", "admin"}

CODE_MAX = 40
TITLE_MAX = 300
MEASURE_MAX = 300
BASIS_MAX = 2000
LIST_TITLE_MAX = 200
_CODE_RE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._\-]*$")
_VERSION_SUFFIX = re.compile(r"-V\d+$")


def case_field(kind: str) -> str:
    """The ``Case`` column that holds codes of items of a list of ``kind``."""
    return "discretion_item" if kind == Kind.DISCRETION else "lenient_item"


# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------
def _ancestor_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def visible_lists(user):
    """Lists of the units in the user's scope and of the units above them (their lists apply downwards)."""
    reach = scoping.reach(user)
    if not reach:
        return StandardList.objects.none()
    q = Q()
    for path, _role in reach:
        q |= Q(unit__path__startswith=path) | Q(unit_id__in=_ancestor_ids(path))
    return StandardList.objects.filter(q)


def can_view(user, lst_or_unit) -> bool:
    """The unit is in the user's scope, or above it (its lists apply to the user's units)."""
    unit = lst_or_unit.unit if isinstance(lst_or_unit, StandardList) else lst_or_unit
    return any(unit.path.startswith(p) or p.startswith(unit.path) for p, _role in scoping.reach(user))


def can_edit(user, lst_or_unit) -> bool:
    unit = lst_or_unit.unit if isinstance(lst_or_unit, StandardList) else lst_or_unit
    return bool(scoping.roles_at(user, unit) & EDIT_ROLES)


def get_list_or_404(user, pk) -> StandardList:
    try:
        return visible_lists(user).select_related("unit").get(pk=pk)
    except (StandardList.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该清单，或您无权查看。") from None


def editable_units(user):
    """Units for which ``user`` may make lists (the create form's choices)."""
    return [u for u in scoping.visible_units(user).order_by("path") if scoping.roles_at(user, u) & EDIT_ROLES]


def _require_editor(user, lst: StandardList) -> None:
    if not can_view(user, lst):
        raise Http404("未找到该清单，或您无权查看。")
    if not can_edit(user, lst):
        raise RoleDenied(f"只有制定单位（{lst.unit.name}）的法治协调员或法制工作人员可以修改该清单。")


def _require_open(lst: StandardList) -> None:
    if lst.effective_to is not None:
        newer = StandardList.objects.filter(unit_id=lst.unit_id, kind=lst.kind, version__gt=lst.version) \
            .order_by("version").first()
        if newer:
            raise GuardFailed(f"该清单已有第{newer.version}版，第{lst.version}版自 {lst.effective_to:%Y-%m-%d} "
                              "起不再适用，不能再修改。请在最新版本中修改。")
        raise GuardFailed(f"该清单已于 {lst.effective_to:%Y-%m-%d} 废止，不能再修改。")


def _locked(lst: StandardList) -> StandardList:
    """Take the audit chain lock first (fazhi.core.audit.lock_chain: one lock order), then the list row."""
    audit.lock_chain()
    return StandardList.objects.select_for_update(of=("self",)).select_related("unit").get(pk=lst.pk)


# ---------------------------------------------------------------------------
# Use by cases
# ---------------------------------------------------------------------------
def usage_counts(lst: StandardList, cases=None, codes=None) -> dict[str, int]:
    """Cases (of ``cases``, default all) that applied each item of ``lst``: one grouped COUNT query.

    ``codes`` (a list, or a ``values("code")`` queryset) narrows the count to those items (a page of the list,
    one item); default all of them.
    """
    col = case_field(lst.kind)
    qs = Case.objects.all() if cases is None else cases
    items = StandardItem.objects.filter(standard=lst)
    if codes is not None:
        items = items.filter(code__in=codes)
    rows = (qs.filter(**{f"{col}__in": items.values("code")})
            .values(col).annotate(n=Count("id")).order_by())
    return {r[col]: r["n"] for r in rows}


def used_codes(codes) -> dict[str, int]:
    """Codes among ``codes`` that any case applied (in either column), with the number of cases."""
    codes = list(codes)
    if not codes:
        return {}
    out: dict[str, int] = {}
    for col in ("lenient_item", "discretion_item"):
        for r in Case.objects.filter(**{f"{col}__in": codes}).values(col).annotate(n=Count("id")).order_by():
            out[r[col]] = out.get(r[col], 0) + r["n"]
    return out


def _used_message(n: int) -> str:
    return (f"该事项已被 {n} 件案件适用，不能修改：案件须保留其适用的事项。"
            "如需调整，请制定新版本清单，在新版本中修改。")


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------
_text = xlsx.cell_text


def code_error(code: str) -> str:
    if not code:
        return "请填写事项编码。"
    if len(code) > CODE_MAX:
        return f"事项编码不能超过 {CODE_MAX} 个字符。"
    if not _CODE_RE.match(code):
        return "事项编码只能由字母、数字、汉字、连字符、下划线和点组成，且不含空格。"
    return ""


def item_errors(title: str, basis: str, measure: str) -> list[tuple[str, str]]:
    """[(field label, message)] for an item's content."""
    errs = []
    if not title:
        errs.append(("违法行为", "请填写违法行为。"))
    elif len(title) > TITLE_MAX:
        errs.append(("违法行为", f"违法行为不能超过 {TITLE_MAX} 个字。"))
    if len(basis) > BASIS_MAX:
        errs.append(("依据", f"依据不能超过 {BASIS_MAX} 个字。"))
    if len(measure) > MEASURE_MAX:
        errs.append(("处理方式或裁量幅度", f"处理方式或裁量幅度不能超过 {MEASURE_MAX} 个字。"))
    return errs


def _owner_label(item: StandardItem) -> str:
    return f"“{item.standard.title}”（第{item.standard.version}版）"


def fingerprint(item: StandardItem) -> str:
    """What the edit form carries: the item's content as the user saw it (optimistic lock)."""
    raw = "\x1f".join([item.code, item.title, item.basis, item.measure])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------
@transaction.atomic
def do_create_list(user, *, unit, kind: str, title: str, effective_from: dt.date) -> StandardList:
    if not can_view(user, unit):
        raise Http404("未找到该单位，或您无权查看。")
    if not scoping.roles_at(user, unit) & EDIT_ROLES:
        raise RoleDenied(f"只有{unit.name}的法治协调员或法制工作人员可以为其制定清单。")
    if kind not in Kind.values:
        raise InvalidInput("请选择清单类型。")
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写清单名称。")
    if len(title) > LIST_TITLE_MAX:
        raise InvalidInput(f"清单名称不能超过 {LIST_TITLE_MAX} 个字。")
    if not isinstance(effective_from, dt.date):
        raise InvalidInput("请填写施行日期。")
    audit.lock_chain()
    existing = StandardList.objects.filter(unit=unit, kind=kind).order_by("-version").first()
    if existing:
        raise GuardFailed(f"{unit.name}已有{Kind(kind).label}“{existing.title}”（第{existing.version}版）。"
                          "同一单位的同类清单只有一条版本序列，请在该清单上制定新版本。")
    try:
        with transaction.atomic():
            lst = StandardList.objects.create(unit=unit, kind=kind, title=title, version=1,
                                              effective_from=effective_from)
    except IntegrityError:
        raise GuardFailed(f"{unit.name}的{Kind(kind).label}刚被他人建立，请刷新页面后查看。") from None
    audit.record("enforcement.standard.create", actor=user, obj=lst,
                 changes={"kind": kind, "title": title, "version": 1, "effective_from": effective_from})
    return lst


def _check_new_code(code: str) -> None:
    err = code_error(code)
    if err:
        raise InvalidInput(err)
    other = StandardItem.objects.filter(code=code).select_related("standard").first()
    if other:
        raise GuardFailed(f"事项编码“{code}”已在{_owner_label(other)}中使用。事项编码在所有清单中唯一，请换一个编码。")


@transaction.atomic
def do_add_item(user, lst: StandardList, *, code: str, title: str, basis: str = "", measure: str = "") -> StandardItem:
    lst = _locked(lst)
    _require_editor(user, lst)
    _require_open(lst)
    code, title, basis, measure = (_text(v) for v in (code, title, basis, measure))
    _check_new_code(code)
    errs = item_errors(title, basis, measure)
    if errs:
        raise InvalidInput(errs[0][1])
    try:
        with transaction.atomic():
            item = StandardItem.objects.create(standard=lst, code=code, title=title, basis=basis, measure=measure)
    except IntegrityError:
        raise GuardFailed(f"事项编码“{code}”刚被他人使用，请换一个编码。") from None
    audit.record("enforcement.standard.item_add", actor=user, obj=item, unit=lst.unit,
                 changes={"list": lst.pk, "code": code, "title": title, "basis": basis, "measure": measure})
    return item


@transaction.atomic
def do_update_item(user, item: StandardItem, *, seen: str, title: str, basis: str = "",
                   measure: str = "") -> StandardItem:
    """Edit an item's content (never its code). Refused when a case applied it, or it changed since ``seen``."""
    lst = _locked(item.standard)
    _require_editor(user, lst)
    current = StandardItem.objects.select_for_update().get(pk=item.pk)
    if current.standard_id != lst.pk:  # pragma: no cover - items never move between lists
        raise Http404("未找到该事项。")
    _require_open(lst)
    if not seen or seen != fingerprint(current):
        raise StaleVersion("该事项已被他人修改，本次修改未保存。请刷新页面，核对最新内容后重试。")
    n = used_codes([current.code]).get(current.code, 0)
    if n:
        raise GuardFailed(_used_message(n))
    title, basis, measure = _text(title), _text(basis), _text(measure)
    errs = item_errors(title, basis, measure)
    if errs:
        raise InvalidInput(errs[0][1])
    before = {"title": current.title, "basis": current.basis, "measure": current.measure}
    after = {"title": title, "basis": basis, "measure": measure}
    if before == after:
        return current
    current.title, current.basis, current.measure = title, basis, measure
    current.save(update_fields=["title", "basis", "measure"])
    audit.record("enforcement.standard.item_update", actor=user, obj=current, unit=lst.unit,
                 changes={"code": current.code, **audit.diff(before, after)})
    return current


def derive_code(code: str, version: int) -> str:
    """The code of an item in version ``version``: ``X`` or ``X-V2`` → ``X-V3`` (the base cut to fit 40 characters)."""
    suffix = f"-V{version}"
    return _VERSION_SUFFIX.sub("", code)[:CODE_MAX - len(suffix)] + suffix


@transaction.atomic
def do_new_version(user, lst: StandardList, *, effective_from: dt.date, title: str = "") -> StandardList:
    """Copy ``lst`` (the latest version) into version N+1 with new item codes; the old version ends the day before."""
    lst = _locked(lst)
    _require_editor(user, lst)
    siblings = list(StandardList.objects.select_for_update().filter(unit_id=lst.unit_id, kind=lst.kind)
                    .order_by("-version"))
    latest = siblings[0]
    if latest.pk != lst.pk:
        raise GuardFailed(f"该清单已有第{latest.version}版，只能在最新版本的基础上制定新版本。")
    if not isinstance(effective_from, dt.date):
        raise InvalidInput("请填写新版本的施行日期。")
    if effective_from <= lst.effective_from:
        raise InvalidInput(f"新版本的施行日期应晚于第{lst.version}版的施行日期（{lst.effective_from:%Y-%m-%d}）。")
    title = (title or "").strip() or lst.title
    if len(title) > LIST_TITLE_MAX:
        raise InvalidInput(f"清单名称不能超过 {LIST_TITLE_MAX} 个字。")
    version = lst.version + 1
    items = list(StandardItem.objects.filter(standard=lst).order_by("pk"))
    new_codes = [derive_code(i.code, version) for i in items]
    taken = set(StandardItem.objects.filter(code__in=new_codes).values_list("code", flat=True))
    problems = [f"“{c}”已被其他事项使用" for c in new_codes if c in taken]
    problems += [f"“{c}”重复（原编码过长，截短后相同）" for c in sorted({c for c in new_codes if new_codes.count(c) > 1})]
    if problems:
        raise GuardFailed("无法为新版本生成事项编码：" + "；".join(problems[:10])
                          + ("等" if len(problems) > 10 else "") + "。新版本未建立，请联系系统管理员处理。")
    new = StandardList.objects.create(unit=lst.unit, kind=lst.kind, title=title, version=version,
                                      effective_from=effective_from)
    StandardItem.objects.bulk_create([
        StandardItem(standard=new, code=c, title=i.title, basis=i.basis, measure=i.measure)
        for i, c in zip(items, new_codes)])
    old_to = lst.effective_to
    end = effective_from - dt.timedelta(days=1)
    if old_to is None or old_to > end:
        lst.effective_to = end
        lst.save(update_fields=["effective_to"])
    audit.record("enforcement.standard.new_version", actor=user, obj=new,
                 changes={"from_list": lst.pk, "version": [lst.version, version], "title": title,
                          "effective_from": effective_from, "items": len(items),
                          "codes": dict(zip([i.code for i in items], new_codes))})
    audit.record("enforcement.standard.supersede", actor=user, obj=lst,
                 changes={"effective_to": [old_to, lst.effective_to], "new_list": new.pk, "new_version": version})
    return new


@transaction.atomic
def do_retire_list(user, lst: StandardList, *, effective_to: dt.date) -> StandardList:
    lst = _locked(lst)
    _require_editor(user, lst)
    _require_open(lst)
    if not isinstance(effective_to, dt.date):
        raise InvalidInput("请填写失效日期。")
    if effective_to < lst.effective_from:
        raise InvalidInput(f"失效日期不能早于施行日期（{lst.effective_from:%Y-%m-%d}）。")
    lst.effective_to = effective_to
    lst.save(update_fields=["effective_to"])
    audit.record("enforcement.standard.retire", actor=user, obj=lst, changes={"effective_to": [None, effective_to]})
    return lst


def status_label(lst: StandardList, today: dt.date) -> str:
    if lst.effective_from > today:
        return "尚未施行"
    if lst.effective_to is not None and lst.effective_to < today:
        return "已失效"
    return "施行中"


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------
HEADERS = ["事项编码", "违法行为", "依据", "处理方式或裁量幅度"]
FIELDS = ["code", "title", "basis", "measure"]
ALIASES = {"编码": "事项编码", "事项名称": "违法行为", "名称": "违法行为", "违法行为表现": "违法行为",
           "法律依据": "依据", "处理方式": "处理方式或裁量幅度", "裁量幅度": "处理方式或裁量幅度",
           "处罚裁量基准": "处理方式或裁量幅度"}
SHEET = "清单事项"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


def export_items(lst: StandardList) -> bytes:
    """The list's items as .xlsx, in the upload format (so downloading and re-uploading changes nothing)."""
    wb = xlsx.header_workbook(SHEET, HEADERS, widths=[22, 50, 50, 40])
    ws = wb.active
    for item in lst.items.order_by("pk"):
        ws.append([item.code, item.title, item.basis, item.measure])
    info = wb.create_sheet("清单信息")
    for row in (["名称", lst.title], ["类型", lst.get_kind_display()], ["制定单位", lst.unit.name],
                ["版本", f"第{lst.version}版"], ["施行日期", lst.effective_from.isoformat()],
                ["失效日期", lst.effective_to.isoformat() if lst.effective_to else ""]):
        info.append(row)
    info.column_dimensions["B"].width = 50
    return xlsx.to_bytes(wb)


@dataclass
class Rejection:
    row: int
    column: str  # the column's letter (A, B, …), or "" for the whole row
    header: str
    reason: str


@dataclass
class UploadResult:
    total: int = 0
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejections

    def summary(self) -> str:
        if self.rejections:
            rows = len({r.row for r in self.rejections})
            return f"导入未执行：{rows} 行共 {len(self.rejections)} 处错误，所有行均未导入。请修改后重新上传。"
        if not self.inserted and not self.updated:
            return f"文件中的 {self.total} 个事项与清单现有内容一致，未作任何改动。"
        return (f"已导入：新增 {len(self.inserted)} 个事项，修改 {len(self.updated)} 个，"
                f"内容一致未改动 {len(self.unchanged)} 个。")


def _read(data: bytes) -> tuple[dict[str, int], list[tuple[int, list]]]:
    header, body = xlsx.read_sheet(
        data, sheet=SHEET, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, refuse=InvalidInput, rows_word="个事项",
        use_hint="请先下载本清单的 Excel，按其格式填写后上传", split_hint="请拆分后分批上传",
        empty_hint="事项编码、违法行为、依据、处理方式或裁量幅度")
    index: dict[str, int] = {}
    for i, text in enumerate(header):
        text = ALIASES.get(text, text)
        if text in HEADERS and text not in index:
            index[text] = i
    missing = [h for h in HEADERS if h not in index]
    if missing:
        raise InvalidInput(f"第 1 行缺少列：{'、'.join(missing)}。请使用本清单下载的 Excel 格式。")
    return index, body


@transaction.atomic
def do_upload_items(user, lst: StandardList, data: bytes) -> UploadResult:
    """Add or update items from an .xlsx, all or nothing. Rows equal to the stored items change nothing.

    Items missing from the file are left as they are (an upload never deletes). A row that would change
    an item some case applied, or that uses another list's code, is rejected.
    """
    from openpyxl.utils import get_column_letter

    lst = _locked(lst)
    _require_editor(user, lst)
    _require_open(lst)
    index, body = _read(data)
    result = UploadResult(total=len(body))
    letter = {h: get_column_letter(index[h] + 1) for h in HEADERS}

    def reject(n, header, reason):
        result.rejections.append(Rejection(n, letter.get(header, ""), header, reason))

    parsed: list[tuple[int, dict]] = []
    seen_at: dict[str, int] = {}
    for n, values in body:
        row = {f: _text(values[index[h]]) if index[h] < len(values) else "" for f, h in zip(FIELDS, HEADERS)}
        err = code_error(row["code"])
        if err:
            reject(n, "事项编码", err)
        elif row["code"] in seen_at:
            reject(n, "事项编码", f"与第 {seen_at[row['code']]} 行的事项编码重复。")
        else:
            seen_at[row["code"]] = n
        for header, message in item_errors(row["title"], row["basis"], row["measure"]):
            reject(n, header, message)
        parsed.append((n, row))
    codes = [r["code"] for _, r in parsed if r["code"]]
    existing = {i.code: i for i in StandardItem.objects.select_for_update(of=("self",)).filter(code__in=codes)
                .select_related("standard")}
    changed = [r["code"] for _, r in parsed if r["code"] in existing and existing[r["code"]].standard_id == lst.pk
               and [r["title"], r["basis"], r["measure"]] != [existing[r["code"]].title, existing[r["code"]].basis,
                                                             existing[r["code"]].measure]]
    used = used_codes(changed)
    for n, row in parsed:
        item = existing.get(row["code"])
        if item is None:
            continue
        if item.standard_id != lst.pk:
            reject(n, "事项编码", f"事项编码“{row['code']}”已在{_owner_label(item)}中使用，编码在所有清单中唯一。")
        elif row["code"] in used:
            reject(n, "事项编码", _used_message(used[row["code"]]))
    result.rejections.sort(key=lambda r: (r.row, r.column))
    if result.rejections:
        return result
    new_items, updates = [], []
    for _n, row in parsed:
        item = existing.get(row["code"])
        if item is None:
            new_items.append(StandardItem(standard=lst, **row))
            result.inserted.append(row["code"])
        elif [row["title"], row["basis"], row["measure"]] != [item.title, item.basis, item.measure]:
            item.title, item.basis, item.measure = row["title"], row["basis"], row["measure"]
            updates.append(item)
            result.updated.append(row["code"])
        else:
            result.unchanged.append(row["code"])
    if new_items:
        try:
            with transaction.atomic():
                StandardItem.objects.bulk_create(new_items)
        except IntegrityError:
            raise GuardFailed("文件中的事项编码刚被他人使用，本次导入未保存，请刷新后重试。") from None
    if updates:
        StandardItem.objects.bulk_update(updates, ["title", "basis", "measure"])
    if new_items or updates:
        audit.record("enforcement.standard.upload", actor=user, obj=lst,
                     changes={"inserted": result.inserted, "updated": result.updated,
                              "unchanged": len(result.unchanged)})
    return result
