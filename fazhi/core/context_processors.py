"""What every page's shell (base.html) needs: navigation, the unit switcher, the request id."""
from . import scoping

# Linked by path: each page belongs to its own part of the spine.
NAV = [
    ("首页", "/"),
    ("我的待办与期限", "/inbox/"),
    ("行政复议", "/reconsideration/"),
    ("行政应诉", "/litigation/"),
    ("行政执法监督", "/enforcement/"),
    ("报告对标", "/benchmark/"),
    ("统计填报", "/returns/"),
    ("年度报告", "/reports/"),
    ("期限计算器", "/deadline/"),
    ("单位", "/units/"),
    ("附件", "/attachments/"),
    ("指标", "/metrics/"),
    ("工作日历", "/calendar/"),
    ("审计日志", "/audit/"),
]


def _nav(current: str) -> list[dict]:
    return [
        {"label": label, "href": href,
         "active": current == "/" if href == "/" else current.startswith(href)}
        for label, href in NAV
    ]


def shell(request):
    ctx = {"request_id": getattr(request, "request_id", "")}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ctx
    units = scoping.home_units(user)
    session = getattr(request, "session", None)
    active_id = session.get("active_unit_id") if session is not None else None
    active = next((u for u in units if u.pk == active_id), units[0] if units else None)
    ctx.update({"home_units": units, "active_unit": active, "nav": _nav(request.path)})
    return ctx
