"""Public pages of 行政复议 (no account): the online application and the status page by 查询码.

- ``/public/reconsideration/apply/``: anyone may apply online (《行政复议法》第二十二条 allows
  applications "通过互联网渠道"). The case is registered by ``services.do_register`` (user ``None``,
  channel ``online``); an application after the 60-day period (第二十条) is registered with the
  reviewer's flag, never refused here. The applicant sees the 查询码 once; only its digest is stored.
- ``/public/reconsideration/status/``: the code → the public stage, the next legal deadline and the
  documents issued to the applicant. Nothing else (no names, nothing about the respondent's
  internals), and an unknown code, whether mistyped, malformed or guessed, gets the same page by
  the same path: the code is always normalised, hashed and looked up, then the digests are
  compared in constant time.

Both forms are rate-limited per client address with Django's default cache (a fixed window): a
blocked attempt gets the Chinese 429 page. The address is ``REMOTE_ADDR``; behind a reverse proxy
the proxy must set it (the project trusts no forwarded header).
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from fazhi.core import clocks
from fazhi.core.deadlines import DeadlineError
from fazhi.core.models import Clock, Unit
from fazhi.core.procedure import ProcedureError

from . import services
from .models import Case, Office

APPLY_LIMIT = (5, 3600)  # 5 submissions an hour per address
STATUS_LIMIT = (20, 3600)  # 20 look-ups an hour per address: guessing 31^12 codes stays hopeless
MAX_FILES = 5
DATE = {"widget": forms.DateInput(attrs={"type": "date"})}

# The stage as the applicant reads it (the staff labels say more than the public needs).
PUBLIC_STAGES = {
    "received": "受理审查中",
    "correction": "待申请人补正材料",
    "trial": "已受理，审理中",
    "suspended": "中止审理",
    "decided": "已作出结论，待送达",
    "closed": "已办结",
    "refused": "不予受理",
    "abandoned": "视为放弃申请（逾期未补正）",
}


# ---------------------------------------------------------------------------
# Rate limit (per client address, fixed window in the default cache)
# ---------------------------------------------------------------------------
def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(request, scope: str, limit: tuple[int, int]) -> bool:
    """Count this attempt; True when it is beyond ``limit`` = (attempts, seconds)."""
    attempts, window = limit
    key = f"fazhi:public:reconsideration:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window)  # starts the window; a no-op while it runs
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > attempts


def _too_many(request, what: str, limit: tuple[int, int]):
    minutes = limit[1] // 60
    return render(request, "reconsideration/public/too_many.html", {
        "what": what, "attempts": limit[0], "minutes": minutes}, status=429)


# ---------------------------------------------------------------------------
# The online application
# ---------------------------------------------------------------------------
def respondent_choices() -> list[tuple[str, str]]:
    """Units that may be respondents: the departments, 派出机关 and lower governments of every government
    that has a 行政复议机构 here (第二十四条)."""
    out = []
    for office in Office.objects.select_related("government").order_by("government__path"):
        gov = office.government
        units = Unit.objects.filter(path__startswith=gov.path, active=True).exclude(pk=gov.pk).order_by("path")
        out.extend((u.code, u.name) for u in units)
    return out


def office_for_respondent(unit: Unit) -> Office | None:
    """The office of the nearest government above ``unit`` that has one."""
    best = None
    for office in Office.objects.select_related("government", "office_unit"):
        gov = office.government
        if unit.path.startswith(gov.path) and unit.pk != gov.pk:
            if best is None or len(gov.path) > len(best.government.path):
                best = office
    return best


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_resident_id(number: str) -> bool:
    """GB 11643-1999: the 18th character of a 居民身份证号码 is the ISO 7064 MOD 11-2 check."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return _ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS)) % 11] == number[17]


class ApplicationForm(forms.Form):
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=[("person", "自然人"), ("legal", "法人"),
                                                                   ("other", "其他组织")])
    applicant_name = forms.CharField(label="申请人姓名或名称", max_length=100)
    id_number = forms.CharField(label="身份证号码或统一社会信用代码", max_length=18, min_length=18,
                                help_text="自然人填写 18 位居民身份证号码；法人或其他组织填写 18 位统一社会信用代码。")
    phone = forms.RegexField(label="联系电话", max_length=20, regex=r"^[0-9+\- ]{7,20}$",
                             error_messages={"invalid": "联系电话只能包含数字、空格、“-”和“+”，至少 7 位。"})
    address = forms.CharField(label="通讯地址（用于送达文书）", max_length=200)
    respondent = forms.ChoiceField(label="被申请人（作出行政行为的单位）", choices=())
    act_description = forms.CharField(label="申请行政复议的行政行为", max_length=1000,
                                      widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text="例如：某某局作出的行政处罚决定书名称和文号。")
    act_date = forms.DateField(label="行政行为作出日期", required=False, **DATE)
    act_known_on = forms.DateField(label="知道该行政行为的日期", **DATE,
                                   help_text="应当自知道之日起六十日内提出申请（《行政复议法》第二十条）。")
    request_text = forms.CharField(label="行政复议请求", max_length=600, widget=forms.Textarea(attrs={"rows": 3}))
    reasons = forms.CharField(label="主要事实和理由", max_length=1200, widget=forms.Textarea(attrs={"rows": 6}))
    pledge = forms.BooleanField(label="本人承诺所填信息真实、准确", error_messages={"required": "请确认所填信息真实、准确。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].choices = [("", "请选择")] + respondent_choices()

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip().upper()
        if self.data.get("applicant_kind", "person") == "person" and not valid_resident_id(value):
            raise forms.ValidationError("居民身份证号码无效，请核对（18 位，最后一位为校验码）。")
        if not value.isalnum():
            raise forms.ValidationError("统一社会信用代码应为 18 位字母数字。")
        return value

    def clean_act_known_on(self):
        value = self.cleaned_data["act_known_on"]
        if value > clocks.today():
            raise forms.ValidationError("知道该行政行为的日期不能晚于今天。")
        return value


def apply_online(data: dict, files=()) -> tuple[Case, str]:
    """Register a public online application and store its attachments: all or nothing.

    ``data`` is an ``ApplicationForm``'s cleaned data. Returns (case, 查询码)."""
    unit = Unit.objects.filter(code=data["respondent"], active=True).first()
    office = office_for_respondent(unit) if unit else None
    if office is None:
        raise services.InvalidInput("请选择被申请人。")
    request_text = f"{data['request_text'].strip()}\n\n事实和理由：\n{data['reasons'].strip()}"
    with transaction.atomic():
        case, code = services.do_register(
            None, office=office, channel=Case.Channel.ONLINE, received_on=clocks.today(), respondent_unit=unit,
            act_description=data["act_description"], act_date=data.get("act_date"),
            act_known_on=data["act_known_on"], request=request_text,
            applicants=[{"kind": data["applicant_kind"], "name": data["applicant_name"],
                         "id_number": data["id_number"], "phone": data["phone"], "address": data["address"]}])
        if files:
            from fazhi.core.attachments import store_attachment

            for f in files:
                store_attachment(f, unit=case.unit, actor=None, owner=case)
    return case, code


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def apply(request):
    if request.method == "GET":
        return render(request, "reconsideration/public/apply.html", {"form": ApplicationForm(),
                                                                     "max_files": MAX_FILES})
    if over_limit(request, "apply", APPLY_LIMIT):
        return _too_many(request, "提交行政复议申请", APPLY_LIMIT)
    form = ApplicationForm(request.POST)
    files = request.FILES.getlist("attachments")
    error = ""
    if len(files) > MAX_FILES:
        error = f"最多上传 {MAX_FILES} 个附件。"
    elif form.is_valid():
        try:
            case, code = apply_online(form.cleaned_data, files)
        except (ProcedureError, DeadlineError) as exc:
            error = exc.message if isinstance(exc, ProcedureError) else str(exc)
        else:
            review_due = clocks.clock_of(case, "acceptance").due_date
            return render(request, "reconsideration/public/applied.html", {
                "code": code, "received_on": case.received_on, "review_due": review_due,
                "late": case.late_flag})
    else:
        error = "请按提示修改后重新提交。"
    return render(request, "reconsideration/public/apply.html",
                  {"form": form, "error": error, "max_files": MAX_FILES}, status=400)


# ---------------------------------------------------------------------------
# The status page
# ---------------------------------------------------------------------------
find_case = services.find_by_tracking_code  # one lookup, the constant-path one


def next_deadline(case: Case) -> tuple[str, dt.date | None, str]:
    """(what, date, note) of the next legal deadline the applicant can act on or wait for."""

    def due(name):
        clock = clocks.clock_of(case, name)
        return clock.due_date if clock is not None and clock.status == Clock.Status.RUNNING else None

    if case.state == "received":
        return ("受理审查期限", due("acceptance"),
                "期限届满未作出不予受理决定的，自届满之日起视为受理（《行政复议法》第三十条）。")
    if case.state == "correction":
        return ("提交补正材料的期限", due("correction"),
                "请在期限内按补正通知提交材料；无正当理由逾期不补正的，视为放弃申请（《行政复议法》第三十一条）。")
    if case.state == "trial":
        return ("审理期限", due("trial"), "应在此日期前作出行政复议决定（《行政复议法》第六十二条）。")
    if case.state == "suspended":
        return ("审理期限", None, "中止审理期间审理期限暂停计算，恢复审理后继续计算（《行政复议法》第三十九条）。")
    return ("", None, "")


def served_documents(case: Case) -> list[tuple[str, dt.date]]:
    """Documents issued to the applicant, by name and date (no content)."""
    docs: list[tuple[str, dt.date]] = []
    for c in case.corrections.all():
        docs.append(("补正通知书", c.notice_on))
    if case.refused_on:
        docs.append(("不予受理决定书", case.refused_on))
    if case.accepted_on and case.acceptance_kind == Case.Acceptance.DECIDED:
        docs.append(("受理通知书", case.accepted_on))
    for h in case.hearings.all():
        docs.append(("听证通知书", h.notice_on))
    for e in case.extensions.all():
        docs.append(("延期审理通知书", e.notice_on))
    for s in case.suspensions.all():
        docs.append(("中止审理通知书", s.notice_on or s.from_on))
    if case.served_on:
        name = {Case.Outcome.MEDIATED: "行政复议调解书", Case.Outcome.WITHDRAWN: "终止行政复议决定书",
                Case.Outcome.SETTLED_WITHDRAWN: "终止行政复议决定书",
                Case.Outcome.TERMINATED: "终止行政复议决定书"}.get(case.outcome, "行政复议决定书")
        docs.append((name, case.served_on))
    return sorted(docs, key=lambda d: d[1])


def public_status(case: Case) -> dict:
    what, when, note = next_deadline(case)
    return {"stage": PUBLIC_STAGES.get(case.state, "办理中"), "deadline_what": what, "deadline": when,
            "deadline_note": note, "documents": served_documents(case)}


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def status(request):
    # The code travels in a POST body, never in the URL (access logs, Referer, browser history).
    if request.method == "GET":
        return render(request, "reconsideration/public/status.html", {})
    if over_limit(request, "status", STATUS_LIMIT):
        return _too_many(request, "查询办理进度", STATUS_LIMIT)
    case = find_case(request.POST.get("code", ""))
    if case is None:
        return render(request, "reconsideration/public/status_unknown.html", {})
    return render(request, "reconsideration/public/status_result.html", {"s": public_status(case)})
