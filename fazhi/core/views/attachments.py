"""Attachment pages: list, upload (for a unit the user may change), download (scoped, 404 otherwise).

Files are only ever served as downloads: ``Content-Disposition: attachment``, a non-executable
content type, ``nosniff`` and a ``sandbox`` CSP, so an uploaded file can never run in our origin.
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from .. import scoping
from ..attachments import (ALLOWED, ALLOWED_TEXT, AttachmentRefused, human_size, content_disposition, open_attachment,
                           served_content_type, store_attachment)
from ..models import Attachment, Unit
from ..procedure import ProcedureError


class _SizeLimitHandler(FileUploadHandler):
    """Stops reading a file part as soon as it passes the limit, instead of spooling it all to disk."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.FAZHI_UPLOAD_MAX_BYTES:
            self.request.fazhi_oversize_upload = self.file_name
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label="所属单位", empty_label=None,
        error_messages={"required": "请选择附件所属单位。", "invalid_choice": "所选单位无效，或您无权在该单位上传附件。"},
    )
    file = forms.FileField(
        label="文件", allow_empty_file=True,  # the service refuses empty files with its own message
        error_messages={"required": "请选择要上传的文件。", "invalid": "未收到文件，请重新选择后上传。",
                        "missing": "未收到文件，请重新选择后上传。"},
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")


def _changeable_units(user) -> list[Unit]:
    return [u for u in scoping.visible_units(user).order_by("path") if scoping.can_change_unit(user, u)]


@login_required
@require_GET
def attachment_list(request):
    qs = scoping.scoped(Attachment.objects.select_related("unit", "uploaded_by"), request.user)
    unit_code = request.GET.get("unit", "").strip()
    if unit_code:
        qs = qs.filter(unit__code=unit_code)
    page = Paginator(qs.order_by("-uploaded_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "core/attachments/list.html", {
        "page": page, "unit_code": unit_code, "units": scoping.visible_units(request.user).order_by("path"),
        "can_upload": bool(_changeable_units(request.user)),
    })


@csrf_exempt  # so the size-limit handler is installed before the body is parsed; CSRF is checked below
@login_required
@require_http_methods(["GET", "POST"])
def attachment_upload(request):
    if request.method == "POST":
        request.upload_handlers.insert(0, _SizeLimitHandler(request))
    return _upload(request)


@csrf_protect
def _upload(request):
    units = _changeable_units(request.user)
    if not units:
        return render(request, "core/attachments/upload.html", {"form": None, "no_units": True}, status=403)
    if request.method == "POST":
        unit_id = request.POST.get("unit", "")
        if unit_id and not scoping.scoped(Unit.objects.all(), request.user).filter(pk=unit_id if unit_id.isdigit() else 0).exists():
            raise Http404("未找到该单位，或您无权查看。")
        form = UploadForm(request.POST, request.FILES, units=units)
        oversize = getattr(request, "fazhi_oversize_upload", None)
        if oversize:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", f"文件“{oversize}”超过上限 {human_size(settings.FAZHI_UPLOAD_MAX_BYTES)}，已拒绝上传。")
        elif form.is_valid():
            try:
                attachment = store_attachment(form.cleaned_data["file"], unit=form.cleaned_data["unit"],
                                              actor=request.user)
            except AttachmentRefused as exc:
                form.add_error("file", exc.message)
            except ProcedureError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已上传“{attachment.original_name}”（SHA-256 {attachment.sha256[:12]}…）。")
                return redirect(f"{reverse('core:attachment_list')}?{urlencode({'unit': attachment.unit.code})}")
        status = 400 if form.errors else 200
        return render(request, "core/attachments/upload.html", _upload_context(form), status=status)
    active = request.session.get("active_unit_id")
    initial = {"unit": active} if any(u.pk == active for u in units) else {}
    return render(request, "core/attachments/upload.html", _upload_context(UploadForm(initial=initial, units=units)))


def _upload_context(form) -> dict:
    return {"form": form, "allowed": ALLOWED_TEXT, "max_size": human_size(settings.FAZHI_UPLOAD_MAX_BYTES),
            "accept": ",".join(f".{ext}" for ext in ALLOWED)}


@login_required
@require_GET
def attachment_download(request, pk: int):
    attachment = scoping.get_visible_or_404(Attachment.objects.select_related("unit"), request.user, pk=pk)
    try:
        fh = open_attachment(attachment, actor=request.user)
    except AttachmentRefused as exc:
        return render(request, "core/error.html", {"title": "无法下载", "text": exc.message, "status": 409}, status=409)
    response = FileResponse(fh, content_type=served_content_type(attachment))
    response["Content-Length"] = str(attachment.size)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Set here, so django-csp leaves it alone: even opened directly, the file runs no script.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


urlpatterns = [
    path("", attachment_list, name="attachment_list"),
    path("upload/", attachment_upload, name="attachment_upload"),
    path("<int:pk>/download/", attachment_download, name="attachment_download"),
]
