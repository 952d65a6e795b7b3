"""Attachments: type and size checks with content sniffing, storage by SHA-256, safe downloads, scoping."""
from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from fazhi.core import attachments
from fazhi.core.attachments import AttachmentRefused, store_attachment
from fazhi.core.models import Attachment, AuditRecord
from fazhi.core.procedure import RoleDenied
from fazhi.core.testing import ScopingContract


# ---------------------------------------------------------------------------
# real files, built byte by byte
# ---------------------------------------------------------------------------
def pdf_bytes(text: str = "行政复议决定书") -> bytes:
    body = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            + f"% {text}\n".encode("utf-8") + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return body


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + \
        chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def ooxml_bytes(main_part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr(main_part, '<?xml version="1.0"?><document>证据目录</document>')
    return buf.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode"
HTML = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>".encode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def zjj(demo_gov):
    return demo_gov.units["YX-ZJJ"]


# ---------------------------------------------------------------------------
# the service
# ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("name, content, content_type", [
    ("复议申请书.pdf", pdf_bytes(), "application/pdf"),
    ("证据目录.docx", ooxml_bytes("word/document.xml"), None),
    ("现场照片.png", png_bytes(), "image/png"),
    ("现场照片2.JPG", jpeg_bytes(), "image/jpeg"),
    ("处罚台账.xlsx", ooxml_bytes("xl/workbook.xml"), None),
    ("旧版文书.doc", attachments.OLE2_MAGIC + b"\x00" * 600, "application/msword"),
    ("说明.txt", "《行政复议法》第三十条：五日内审查。".encode("gb18030"), "text/plain"),
    ("名单.csv", "\ufeff姓名,单位\n王晓燕,住建局\n".encode("utf-8"), "text/csv"),
])
def test_given_an_allowed_file_when_stored_then_it_is_kept_under_its_sha256_and_audited(zjj, persona, name, content,
                                                                                         content_type):
    user = persona("住建局经办人")
    att = store_attachment(upload(name, content), unit=zjj, actor=user)
    digest = hashlib.sha256(content).hexdigest()
    assert att.sha256 == digest and att.size == len(content) and att.original_name == name
    assert att.file.name == f"attachments/{digest[:2]}/{digest}"
    with default_storage.open(att.file.name, "rb") as fh:
        assert fh.read() == content
    if content_type:
        assert att.content_type == content_type
    rec = AuditRecord.objects.get(action="attachment.upload")
    assert rec.actor_id == user.pk and rec.unit_id == zjj.pk and rec.object_id == str(att.pk)
    assert rec.changes["SHA-256"] == [None, digest]


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, message", [
    ("决定书.pdf", EXE, "内容与扩展名 .pdf 不符（实际为Windows 可执行程序）"),
    ("决定书.pdf", HTML, "内容与扩展名 .pdf 不符（实际为网页（HTML）或脚本）"),
    ("照片.png", pdf_bytes(), "内容与扩展名 .png 不符（实际为PDF 文档）"),
    ("证据.docx", b"PK\x03\x04" + b"\x00" * 40, "已损坏"),
    ("证据.docx", ooxml_bytes("xl/workbook.xml"), "内容与扩展名 .docx 不符"),
    ("旧版.doc", HTML, "内容与扩展名 .doc 不符"),
    ("说明.txt", HTML, "含有网页标记或脚本"),
    ("名单.csv", b"name,unit\n" + b"\xff\xfe\x00\x01" * 10, "不是有效的文本文件"),
    ("程序.exe", EXE, "不支持上传 .exe 类型的文件"),
    ("页面.html", HTML, "不支持上传 .html 类型的文件"),
    ("无扩展名", pdf_bytes(), "不支持上传 （无扩展名） 类型的文件"),
    ("空白.pdf", b"", "是空文件"),
])
def test_given_a_disguised_empty_or_unlisted_file_when_stored_then_refused_in_chinese_and_nothing_kept(
        zjj, persona, media, name, content, message):
    with pytest.raises(AttachmentRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        store_attachment(upload(name, content), unit=zjj, actor=persona("住建局经办人"))
    assert not Attachment.objects.exists()
    assert not AuditRecord.objects.filter(action="attachment.upload").exists()
    assert not (media / "attachments").exists()


@pytest.mark.django_db
def test_given_a_file_over_the_limit_when_stored_then_refused_naming_both_sizes(zjj, persona, settings):
    settings.FAZHI_UPLOAD_MAX_BYTES = 2048
    content = pdf_bytes() + b"%" + b"x" * 3000 + b"\n"
    with pytest.raises(AttachmentRefused, match=r"超过上限 2 KB"):
        store_attachment(upload("大文件.pdf", content), unit=zjj, actor=persona("住建局经办人"))
    assert not Attachment.objects.exists()
    att = store_attachment(upload("小文件.pdf", pdf_bytes()), unit=zjj, actor=persona("住建局经办人"))
    assert att.size < 2048


@pytest.mark.django_db
def test_given_the_same_content_twice_when_stored_then_one_file_on_disk_serves_both_records(zjj, persona, media):
    user = persona("住建局经办人")
    a = store_attachment(upload("a.pdf", pdf_bytes()), unit=zjj, actor=user)
    b = store_attachment(upload("b.pdf", pdf_bytes()), unit=zjj, actor=user)
    assert a.pk != b.pk and a.file.name == b.file.name
    assert len(list((media / "attachments").rglob("*"))) == 2  # one folder, one file


@pytest.mark.django_db
def test_given_a_path_in_the_file_name_when_stored_then_only_the_base_name_is_kept(zjj, persona):
    att = store_attachment(upload("../../etc/复议\x00决定.pdf", pdf_bytes()), unit=zjj, actor=persona("住建局经办人"))
    assert att.original_name == "复议决定.pdf"


@pytest.mark.django_db
def test_given_a_unit_outside_the_users_scope_when_storing_then_404_and_for_an_auditor_role_denied(demo_gov, persona):
    with pytest.raises(Http404):
        store_attachment(upload("a.pdf", pdf_bytes()), unit=demo_gov.units["YX-SCJG"], actor=persona("住建局经办人"))
    with pytest.raises(RoleDenied, match="只有查看权限"):
        store_attachment(upload("a.pdf", pdf_bytes()), unit=demo_gov.units["YX-ZJJ"], actor=persona("人大监督员"))
    assert not Attachment.objects.exists()


# ---------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_an_operator_when_uploading_a_pdf_through_the_page_then_it_is_stored_for_their_unit(
        zjj, client_of):
    client = client_of("住建局经办人")
    page = client.get(reverse("core:attachment_upload"))
    assert page.status_code == 200 and "允许的类型" in page.content.decode()
    response = client.post(reverse("core:attachment_upload"),
                           {"unit": zjj.pk, "file": upload("复议答复书.pdf", pdf_bytes())})
    assert response.status_code == 302
    att = Attachment.objects.get()
    assert att.unit == zjj and att.original_name == "复议答复书.pdf"
    listing = client.get(response["Location"]).content.decode()
    assert "复议答复书.pdf" in listing and "已上传" in listing


@pytest.mark.django_db
def test_given_a_disguised_file_when_uploading_through_the_page_then_400_with_the_chinese_reason(zjj, client_of):
    response = client_of("住建局经办人").post(reverse("core:attachment_upload"),
                                              {"unit": zjj.pk, "file": upload("决定书.pdf", EXE)})
    assert response.status_code == 400
    assert "内容与扩展名 .pdf 不符" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_given_an_oversize_file_when_uploading_through_the_page_then_refused_before_it_is_stored(
        zjj, client_of, settings):
    settings.FAZHI_UPLOAD_MAX_BYTES = 1024
    content = pdf_bytes() + b"%" + b"x" * 200_000
    response = client_of("住建局经办人").post(reverse("core:attachment_upload"),
                                              {"unit": zjj.pk, "file": upload("大文件.pdf", content)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "文件“大文件.pdf”超过上限 1 KB" in text
    assert "大小为" not in text  # stopped while reading the request, before the service saw the file
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_given_an_upload_without_the_csrf_token_when_posting_then_403(zjj, persona):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("住建局经办人"))
    response = client.post(reverse("core:attachment_upload"), {"unit": zjj.pk, "file": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_given_another_units_id_when_uploading_then_404(demo_gov, client_of):
    response = client_of("住建局经办人").post(
        reverse("core:attachment_upload"), {"unit": demo_gov.units["YX-SCJG"].pk, "file": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 404
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_given_an_auditor_when_opening_the_upload_page_then_told_they_cannot_upload(client_of):
    response = client_of("人大监督员").get(reverse("core:attachment_upload"))
    assert response.status_code == 403 and "没有上传附件的权限" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, served_type", [
    ("复议决定书（2025）.pdf", pdf_bytes(), "application/pdf"),
    ("证据目录.docx", ooxml_bytes("word/document.xml"), "application/octet-stream"),
    ("现场照片.png", png_bytes(), "image/png"),
    ("说明.txt", "纯文本说明".encode(), "application/octet-stream"),
])
def test_given_an_attachment_when_downloaded_then_it_is_served_only_as_a_sandboxed_download(
        zjj, persona, client_of, name, content, served_type):
    att = store_attachment(upload(name, content), unit=zjj, actor=persona("住建局经办人"))
    response = client_of("住建局负责人").get(reverse("core:attachment_download", args=[att.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert response["Content-Type"] == served_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    rec = AuditRecord.objects.get(action="attachment.download")
    assert rec.actor_id == persona("住建局负责人").pk and rec.object_id == str(att.pk)


@pytest.mark.django_db
def test_given_a_file_changed_on_disk_after_upload_when_downloaded_then_refused(zjj, persona, client_of, media):
    att = store_attachment(upload("决定书.pdf", pdf_bytes()), unit=zjj, actor=persona("住建局经办人"))
    (media / att.file.name).write_bytes(pdf_bytes("被替换的内容"))
    response = client_of("住建局经办人").get(reverse("core:attachment_download", args=[att.pk]))
    assert response.status_code == 409 and "摘要不符" in response.content.decode()


def test_given_names_with_quotes_and_chinese_when_building_the_disposition_then_the_fallback_is_safe_ascii():
    header = attachments.content_disposition('决定"书"; x.pdf')
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and '"' not in fallback and ";" not in fallback and fallback.endswith(".pdf")
    assert "filename*=UTF-8''%E5%86%B3%E5%AE%9A%22%E4%B9%A6%22%3B%20x.pdf" in header
    assert attachments.content_disposition("report.pdf").startswith('attachment; filename="report.pdf"')


class TestAttachmentScoping(ScopingContract):
    """An operator of 市监局 can neither download nor list a 住建局 attachment."""

    owner = "住建局经办人"
    outsider = "市监局经办人"

    @pytest.fixture(autouse=True)
    def _media(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path / "media"

    def make_record(self, demo_gov):
        return store_attachment(upload("住建局内部证据.pdf", pdf_bytes()), unit=demo_gov.units["YX-ZJJ"],
                                actor=demo_gov.persona("住建局经办人"))

    def read_urls(self, obj):
        return [reverse("core:attachment_download", args=[obj.pk])]

    def list_urls(self):
        return [reverse("core:attachment_list")]

    def marker(self, obj):
        return obj.original_name
