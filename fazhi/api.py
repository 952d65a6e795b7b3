"""The project's one REST API (django-ninja). Each app adds its router here.

Every operation requires a login session or a bearer token (``session_or_token``) unless its router
says otherwise; the OpenAPI schema at /api/openapi.json is public so clients can be generated.
"""
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from fazhi.core.api import install
from fazhi.core.api.base import session_or_token


class ChineseJSONRenderer(JSONRenderer):
    # Chinese text as text, not \uXXXX escapes: readable in curl and logs (the charset is utf-8).
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Fazhi 法治政府建设工作平台 API",
    version="1",
    description=(
        "所有接口与页面采用同一权限范围，超出权限范围的记录一律答复 404。"
        "认证：登录会话（修改数据须带 X-CSRFToken 请求头）或接口令牌（Authorization: Bearer <令牌>，"
        "用 `fazhi token create 用户名 用途` 创建）。"
        "错误以 JSON 返回：{\"code\": 稳定代码, \"message\": 中文说明}。"
    ),
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=session_or_token,
    renderer=ChineseJSONRenderer(),
    urls_namespace="api",
)
install(api)
api.add_router("/litigation", "fazhi.litigation.api.router")
api.add_router("/enforcement", "fazhi.enforcement.api.router")
api.add_router("/reconsideration", "fazhi.reconsideration.api.router")
api.add_router("/returns", "fazhi.returns.api.router")
api.add_router("/reports", "fazhi.reports.api.router")
