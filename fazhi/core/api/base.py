"""Authentication (session + bearer token) and JSON errors with a stable code and a Chinese message.

Every router inherits ``session_or_token`` from the NinjaAPI (fazhi/api.py); a router that needs
something else passes ``auth=`` itself. Errors always answer ``{"code": stable code, "message":
Chinese text}``; a 500 never carries a stack trace, only the request id that the log carries too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .. import audit
from ..deadlines import DeadlineError
from ..models import ApiToken
from ..procedure import ProcedureError

logger = logging.getLogger("fazhi.api")

NOT_AUTHENTICATED_MESSAGE = "请先登录或提供有效的接口令牌。"
NOT_FOUND_MESSAGE = "未找到该记录，或您无权查看。"


# ---------------------------------------------------------------------------
# Errors that routers may raise
# ---------------------------------------------------------------------------
class ApiError(HttpError):
    """An HTTP error with a stable code and a Chinese message, for any router."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


class InvalidToken(AuthenticationError):
    # Same stable code as a missing login: a client reacts the same way (obtain a valid credential).
    def __init__(self) -> None:
        super().__init__(401, "接口令牌无效、已过期或已被撤销。请先登录或提供有效的接口令牌。")
        self.code = "not_authenticated"


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF 校验失败：使用登录会话调用接口修改数据时，须在 X-CSRFToken 请求头中提供 CSRF 令牌。")
        self.code = "csrf_failed"


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------
def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _usable(token: ApiToken | None, now: dt.datetime) -> bool:
    return bool(token and not token.revoked and token.user.is_active
                and (token.expires_at is None or token.expires_at > now))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``.

    ApiTokenMiddleware has normally verified the key and set ``request.user``; the lookup here
    covers a request that did not pass through it. A bearer header that does not verify is refused
    outright, never silently downgraded to the session (a client that sends a token expects it used).
    """

    def authenticate(self, request, token: str):
        api_token = getattr(request, "api_token", None)
        if api_token is not None and api_token.key_hash == hash_key(token.strip()):
            return request.user if request.user.is_authenticated else None
        found = ApiToken.objects.select_related("user").filter(key_hash=hash_key(token.strip())).first()
        if not _usable(found, timezone.now()):
            raise InvalidToken()
        request.user = found.user
        request.api_token = found
        return found.user


class SessionAuth(APIKeyCookie):
    """Django's login session. Unsafe methods must carry the CSRF token (the cookie alone is not enough)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if getattr(request, "api_token", None) is None and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request):
                raise CsrfFailed()
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
# Token first: a bad bearer header is refused before the session is looked at.
session_or_token = [token_auth, session_auth]


# ---------------------------------------------------------------------------
# Token services (the key is shown once; only its SHA-256 is stored)
# ---------------------------------------------------------------------------
def create_token(user, name: str, *, days: int | None = None, actor=None) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise ValueError("请填写令牌用途。")
    if len(name) > 100:
        raise ValueError("令牌用途不能超过 100 个字。")
    if days is not None and not (1 <= days <= 3650):
        raise ValueError("有效天数应在 1 到 3650 之间。")
    if not user.is_active:
        raise ValueError(f"用户 {user.username} 已停用，不能为其创建令牌。")
    with transaction.atomic():
        while True:
            key = secrets.token_urlsafe(32)
            if not ApiToken.objects.filter(key_hash=hash_key(key)).exists():
                break
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        token = ApiToken.objects.create(user=user, name=name, key_hash=hash_key(key), prefix=key[:8],
                                        expires_at=expires_at)
        audit.record("api_token.create", actor=actor, object_type="core.apitoken", object_id=str(token.pk),
                     object_repr=f"{user.username}：{name}",
                     changes={"用户": user.username, "用途": name, "前缀": token.prefix, "到期": expires_at})
    return token, key


def revoke_token(token: ApiToken, *, actor=None) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked:
            raise ValueError(f"令牌 {token.prefix} 已被撤销。")
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit.record("api_token.revoke", actor=actor, object_type="core.apitoken", object_id=str(token.pk),
                     object_repr=f"{token.user.username}：{token.name}",
                     changes={"revoked": [False, True], "前缀": token.prefix})
    return token


# ---------------------------------------------------------------------------
# Error handlers
# ---------------------------------------------------------------------------
_STATUS_CODES = {
    400: ("bad_request", "请求无法处理，请检查后重试。"),
    401: ("not_authenticated", NOT_AUTHENTICATED_MESSAGE),
    403: ("forbidden", "您无权执行该操作。"),
    404: ("not_found", NOT_FOUND_MESSAGE),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "操作与当前状态冲突，请刷新后重试。"),
    413: ("too_large", "请求内容过大。"),
    415: ("unsupported_media_type", "不支持该内容类型。"),
    422: ("validation_error", "请求参数有误。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}

_LOCATIONS = {"query": "查询参数", "path": "路径参数", "body": "请求体", "form": "表单", "header": "请求头",
              "cookie": "Cookie", "file": "文件"}

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间",
    "datetime_from_date_parsing": "应为日期时间",
    "string_type": "应为文本",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "JSON 格式错误",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "extra_forbidden": "不允许的字段",
}


def _field_name(loc) -> tuple[str, str]:
    parts = [str(p) for p in (loc or [])]
    where = _LOCATIONS.get(parts[0], parts[0]) if parts else ""
    rest = parts[1:] if parts and parts[0] in _LOCATIONS else parts
    # ninja nests the whole body/query under the parameter's name ("payload"); the field is what follows.
    if len(rest) > 1 and rest[0] in ("payload", "body", "data", "filters", "params"):
        rest = rest[1:]
    return ".".join(rest) or where, where


def validation_details(errors: list[dict]) -> list[dict]:
    details = []
    for err in errors:
        field, where = _field_name(err.get("loc"))
        etype = str(err.get("type", ""))
        message = _PYDANTIC_MESSAGES.get(etype)
        if message is None:
            raw = str(err.get("msg", ""))
            # A validator may already speak Chinese (ValueError("…") from a schema); keep it.
            message = raw.removeprefix("Value error, ") if _has_cjk(raw) else "格式不正确"
        details.append({"field": field, "location": where, "type": etype, "message": message})
    return details


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _json(api, request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def install(api) -> None:
    def on_404(request, exc):
        return _json(api, request, 404, "not_found", NOT_FOUND_MESSAGE)

    def on_deadline_error(request, exc):
        return _json(api, request, 400, "invalid_input", str(exc))

    def on_procedure_error(request, exc):
        return _json(api, request, exc.status, exc.code, exc.message)

    def on_validation_error(request, exc):
        details = validation_details(exc.errors)
        summary = "；".join(
            f"{d['field']}（{d['location']}）{d['message']}" if d["location"] and d["field"] != d["location"]
            else f"{d['field']}{d['message']}"
            for d in details
        )
        return _json(api, request, 422, "validation_error", f"请求参数有误：{summary or '格式不正确'}。",
                     details=details)

    def on_model_validation_error(request, exc):
        # Services (do_create / do_update / module services) validate with Django's ValidationError.
        messages = exc.messages if hasattr(exc, "messages") else [str(exc)]
        details = exc.message_dict if hasattr(exc, "error_dict") else {}
        return _json(api, request, 422, "validation_error", "；".join(messages) or "提交的数据有误。",
                     details=details)

    def on_authentication_error(request, exc):
        code = getattr(exc, "code", "not_authenticated")
        message = exc.message if _has_cjk(exc.message) else NOT_AUTHENTICATED_MESSAGE
        return _json(api, request, 401, code, message)

    def on_permission_denied(request, exc):
        message = str(exc) if _has_cjk(str(exc)) else _STATUS_CODES[403][1]
        return _json(api, request, 403, "forbidden", message)

    def on_http_error(request, exc):
        default_code, default_message = _STATUS_CODES.get(exc.status_code, ("error", "请求无法处理。"))
        code = getattr(exc, "code", None) or default_code
        if exc.status_code == 403 and exc.message == "CSRF check Failed":
            code, message = "csrf_failed", CsrfFailed().message
        else:
            # ninja's own messages are English; ours (and other routers') are Chinese.
            message = exc.message if _has_cjk(str(exc.message)) else default_message
        return _json(api, request, exc.status_code, code, message)

    def on_exception(request, exc):
        rid = getattr(request, "request_id", "") or audit.request_id_var.get() or "-"
        logger.exception("API 请求出错（请求编号 %s）：%s %s", rid, request.method, request.path, exc_info=exc)
        return _json(api, request, 500, "server_error", f"系统出现错误，已记录。请提供请求编号 {rid}。",
                     request_id=rid)

    api.add_exception_handler(Exception, on_exception)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(DeadlineError, on_deadline_error)
    api.add_exception_handler(ProcedureError, on_procedure_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(ModelValidationError, on_model_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
