"""Error pages in Chinese; never a stack trace."""
from django.shortcuts import render


def _page(request, status, title, text):
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}
        return JsonResponse({"code": codes[status], "message": text}, status=status)
    return render(request, "core/error.html", {"title": title, "text": text, "status": status}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "请求有误", "请求无法处理，请检查后重试。")


def permission_denied(request, exception=None):
    return _page(request, 403, "无权访问", "您无权执行该操作。")


def page_not_found(request, exception=None):
    return _page(request, 404, "未找到", "未找到该页面或记录，或您无权查看。")


def server_error(request):
    return _page(request, 500, "系统繁忙", "系统出现错误，已记录。请稍后重试或联系管理员，并提供页面右下角的请求编号。")
