"""Error pages in Chinese; never a stack trace.

The 500 page is rendered without context processors or the database: whatever broke the
request (the database itself, a context processor) must not break the error page too.
"""
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _page(request, status, title, text):
    if _wants_json(request):
        return JsonResponse({"code": _CODES[status], "message": text}, status=status)
    return render(request, "core/error.html", {"title": title, "text": text, "status": status}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "请求有误", "请求无法处理，请检查后重试。")


def permission_denied(request, exception=None):
    return _page(request, 403, "无权访问", "您无权执行该操作。")


def page_not_found(request, exception=None):
    return _page(request, 404, "未找到", "未找到该页面或记录，或您无权查看。")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the reason stays in the log, the user gets a plain instruction."""
    text = "页面已过期或表单来源无法验证，请刷新页面后重新提交。"
    if _wants_json(request):
        return JsonResponse({"code": "csrf_failed", "message": text}, status=403)
    return _page(request, 403, "表单校验失败", text)


def server_error(request):
    text = "系统出现错误，已记录。请稍后重试或联系管理员，并提供页面下方的请求编号。"
    if _wants_json(request):
        return JsonResponse({"code": _CODES[500], "message": text}, status=500)
    context = {
        "title": "系统繁忙",
        "text": text,
        "status": 500,
        "request_id": getattr(request, "request_id", ""),
    }
    # A plain dict context: no request, no context processors, no database query.
    return HttpResponse(loader.get_template("core/error.html").render(context), status=500)
