"""The project's one REST API (django-ninja). Each app adds its router here."""
from ninja import NinjaAPI

from fazhi.core.api import install

api = NinjaAPI(
    title="Fazhi 法治政府建设工作平台 API",
    version="1",
    description="所有接口与页面采用同一权限范围；错误以 JSON 返回：{\"code\": 稳定代码, \"message\": 中文说明}。",
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)
install(api)
