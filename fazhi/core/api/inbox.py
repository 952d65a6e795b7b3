"""GET /api/inbox: the same items as the 我的待办与期限 page, as JSON, a page at a time."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from .. import inbox

try:  # the API's shared authentication (session with CSRF, or bearer token), when present
    from .base import session_or_token as _auth
except ImportError:  # pragma: no cover - depends on the API module's version
    _auth = None

router = Router(tags=["我的待办与期限"], **({"auth": _auth} if _auth is not None else {}))


class InboxItemOut(Schema):
    matter_type: str
    matter_type_label: str
    matter_id: int
    matter_label: str
    unit: str
    state: str
    state_label: str
    clock: str
    clock_label: str
    citation: str
    budget: int
    day_unit: str
    clock_status: str
    clock_status_label: str
    due_date: dt.date | None
    days_left: int | None
    due_soon: bool
    overdue: bool
    actions: list[str]
    warnings: list[str]
    link: str


class InboxPageOut(Schema):
    count: int = Field(description="全部待办的项数（所有页）")
    page: int
    page_size: int
    pages: int
    overdue_count: int = Field(description="全部待办中已逾期的项数")
    due_soon_count: int = Field(description="全部待办中临期的项数")
    items: list[InboxItemOut]


class InboxFilter(Schema):
    type: str = ""
    on: dt.date | None = None
    page: int = Field(1, ge=1, description="页码，从 1 开始；超出末页时 items 为空")
    page_size: int = Field(inbox.PAGE_SIZE, ge=1, le=inbox.MAX_PAGE_SIZE, description="每页项数，最多 200")


@router.get("", response=InboxPageOut, summary="我的待办与期限",
            description="当前用户可办理的各类事项的未结期限，按届满日排序（已中止的期限列在最后），分页返回。"
                        "type：只看某一事项类型（程序代码）；on：按该日期计算剩余天数与临期、逾期标记（默认今天）；"
                        "page、page_size：页码与每页项数。count、overdue_count、due_soon_count 为全部待办（不只本页）的项数。")
def list_inbox(request, filters: Query[InboxFilter]):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise HttpError(401, "请先登录，或在请求头中提供有效的接口令牌。")
    page = inbox.page_for(user, on=filters.on, matter_type=filters.type, page=filters.page,
                          page_size=filters.page_size)
    return {"count": page.count, "page": page.page, "page_size": page.page_size, "pages": page.pages,
            "overdue_count": page.overdue_count, "due_soon_count": page.due_soon_count,
            "items": [i.as_dict() for i in page.items]}
