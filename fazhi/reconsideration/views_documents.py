"""Pages of the 行政复议文书 (DOCX) of a case: the list, and the download.

One address, ``/reconsideration/<pk>/documents/``, scoped like the case page (out of scope → 404):

- GET: the documents that exist at the case's stage, with their numbers;
- GET ``?kind=…&ref=…``: download a document that already has its number (no state change);
- POST ``kind``, ``ref``: number the document if it has no number yet (the office's staff only),
  then download it. Numbering is a state change, so it is a POST with a CSRF token.

Files are served as attachments with ``Cache-Control: no-store`` (they carry personal data).
"""
from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from fazhi.core import scoping
from fazhi.core.procedure import ProcedureError

from . import documents as docs
from .models import Case

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _serve(generated: docs.GeneratedDocument) -> FileResponse:
    response = FileResponse(io.BytesIO(generated.content), as_attachment=True, filename=generated.filename,
                            content_type=DOCX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _page(request, case: Case, *, error: str = "", status: int = 200):
    return render(request, "reconsideration/documents.html", {
        "case": case, "documents": docs.available_documents(case), "can_issue": docs.can_issue(request.user, case),
        "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def documents(request, pk: int):
    case = scoping.get_visible_or_404(Case.objects.select_related("unit", "respondent_unit"), request.user, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    kind = (data.get("kind") or "").strip()
    if not kind:
        if request.method == "POST":
            return _page(request, case, error="请选择要生成的文书。", status=400)
        return _page(request, case)
    ref = (data.get("ref") or "").strip() or None
    try:
        if request.method == "GET":
            # A download by link never numbers a document (that is the POST's job).
            wanted = [d for d in docs.available_documents(case)
                      if d.kind.slug == kind and (ref is None or str(d.ref) == ref)]
            if wanted and not wanted[-1].number:
                todo = "请先点击“编号并下载”" if docs.can_issue(request.user, case) else "须由行政复议机构编号制发后才能下载"
                return _page(request, case, status=409, error=f"{wanted[-1].kind.label}尚未编号，{todo}。")
        return _serve(docs.generate_document(case, kind, request.user, ref=ref))
    except ProcedureError as exc:
        return _page(request, case, error=exc.message, status=exc.status)
