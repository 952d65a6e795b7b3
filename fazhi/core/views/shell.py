"""The application shell: the dashboard at / and the unit switcher."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import scoping
from ..models import Membership

ACTIVE_UNIT_KEY = "active_unit_id"

# The dashboard's sections; their pages are built by the other parts of the spine.
SECTIONS = [
    ("我的待办与期限", "/inbox/", "本人可办理的各类事项，按届满日排序，标示临期与逾期。"),
    ("行政复议", "/reconsideration/", "申请、受理、答复、审理、决定、送达，直接纠错率。"),
    ("行政应诉", "/litigation/", "答辩举证、负责人出庭应诉、裁判与上诉，败诉率。"),
    ("行政执法监督", "/enforcement/", "执法主体与证件、执法案件归集、三项制度检查、案卷评查、监督意见。"),
    ("统计填报", "/returns/", "各单位定期填报业务系统未记录的统计数据。"),
    ("年度报告", "/reports/", "由数据与各单位材料汇编法治政府建设年度报告。"),
    ("报告对标", "/benchmark/", "导入各地已公开的年度报告，提取数据并对比。"),
    ("期限计算器", "/deadline/", "按法定工作日或自然日计算期限届满日，支持中止与延长。"),
    ("单位", "/units/", "本人可查看的单位及其成员与角色。"),
    ("指标", "/metrics/", "法治政府建设各项统计指标及其口径。"),
    ("工作日历", "/calendar/", "法定节假日与调休安排，期限计算的依据。"),
    ("审计日志", "/audit/", "系统操作记录，防篡改校验。"),
]


@login_required
def home(request):
    memberships = (
        Membership.objects.filter(user=request.user, unit__active=True)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
    return render(request, "core/home.html", {"memberships": memberships, "sections": SECTIONS})


@require_POST
@login_required
def switch_unit(request):
    """Stores the active unit in the session, only if the user is a member of it."""
    raw = request.POST.get("unit", "")
    allowed = {u.pk: u for u in scoping.home_units(request.user)}
    try:
        unit = allowed.get(int(raw))
    except (TypeError, ValueError):
        unit = None
    if unit is None:
        messages.error(request, "无法切换到该单位：您不是该单位的成员。")
    else:
        request.session[ACTIVE_UNIT_KEY] = unit.pk
        messages.success(request, f"当前单位已切换为：{unit.name}。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "core:home"
    return redirect(target)


urlpatterns = [
    path("", home, name="home"),
    path("switch-unit/", switch_unit, name="switch_unit"),
]
