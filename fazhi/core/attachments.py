"""Evidence files (附件): checked, stored by SHA-256, served only as downloads.

An upload is refused, with a Chinese message, when it is empty, larger than
``settings.FAZHI_UPLOAD_MAX_BYTES``, of a type not on the list, or when its content does not
match its extension (an EXE or an HTML page renamed .pdf). Text files must decode as UTF-8 or
GB18030 and must not look like HTML or script. Stored files are named by their digest, never by
the user's name. Uploads and downloads are audited.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404

from . import audit, scoping
from .models import Attachment, Unit, attachment_path
from .procedure import ProcedureError, RoleDenied


class AttachmentRefused(ProcedureError):
    code = "attachment_refused"
    status = 422


OLE2_MAGIC = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"  # MS-CFB: .doc .xls and WPS Office .wps .et
ZIP_MAGICS = (b"PK\x03\x04",)


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str  # what we store and, for inline-safe kinds, what we serve
    check: str  # which content check applies


ALLOWED: dict[str, Kind] = {
    "pdf": Kind("PDF 文档", "application/pdf", "pdf"),
    "ofd": Kind("OFD 版式文档", "application/ofd", "ofd"),
    "doc": Kind("Word 文档", "application/msword", "ole2"),
    "docx": Kind("Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "wps": Kind("WPS 文字文档", "application/vnd.ms-works", "ole2"),
    "xls": Kind("Excel 表格", "application/vnd.ms-excel", "ole2"),
    "xlsx": Kind("Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "et": Kind("WPS 表格", "application/vnd.ms-excel", "ole2"),
    "csv": Kind("CSV 表格", "text/csv", "text"),
    "txt": Kind("文本文件", "text/plain", "text"),
    "jpg": Kind("JPEG 图片", "image/jpeg", "jpeg"),
    "jpeg": Kind("JPEG 图片", "image/jpeg", "jpeg"),
    "png": Kind("PNG 图片", "image/png", "png"),
    "zip": Kind("ZIP 压缩包", "application/zip", "zip"),
}
ALLOWED_TEXT = "、".join(ALLOWED)
# Served with their own type (browsers render them in a sandbox); everything else is octet-stream.
INLINE_SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg"}

# Markup or script in a "text" file: a browser that sniffs it could run it.
_ACTIVE_TEXT = re.compile(
    r"<(?:!doctype|html|head|body|script|iframe|frame|object|embed|svg|math|meta|link|style|form|img|base)\b"
    r"|<\?xml|javascript:|vbscript:|\bon(?:load|error|click|mouseover)\s*=",
    re.IGNORECASE,
)
_DESCRIPTIONS = {
    "exe": "Windows 可执行程序", "elf": "Linux 可执行程序", "macho": "macOS 可执行程序",
    "dll": "动态链接库", "html": "网页（HTML）", "xml": "XML 文件", "swf": "Flash 文件",
    "rar": "RAR 压缩包", "7z": "7z 压缩包", "gz": "gzip 压缩包", "gif": "GIF 图片",
    "bmp": "BMP 图片", "webp": "WebP 图片", "png": "PNG 图片", "jpg": "JPEG 图片", "pdf": "PDF 文档",
    "zip": "ZIP 压缩包", "doc": "Word 文档", "xls": "Excel 表格",
}


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{n} 字节"


def clean_filename(name: str) -> str:
    """The user's file name without directories, control characters or odd Unicode forms."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _actual_kind(head: bytes) -> str:
    if head.startswith(b"MZ"):
        return "Windows 可执行程序"
    if head.startswith(b"\x7fELF"):
        return "Linux 可执行程序"
    kind = filetype.guess(head)
    if kind is not None:
        return _DESCRIPTIONS.get(kind.extension, f"{kind.extension.upper()} 文件")
    sample = head[:1024].decode("latin-1").lower()
    if _ACTIVE_TEXT.search(sample):
        return "网页（HTML）或脚本"
    return "其他格式"


def _zip_names(fh) -> list[str] | None:
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    finally:
        fh.seek(0)


def _decodes_as_text(fh) -> bool:
    """UTF-8 (with or without BOM) or GB18030 — the encodings Chinese offices actually produce."""
    for encoding in ("utf-8-sig", "gb18030"):
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        tail = ""
        try:
            for chunk in iter(lambda: fh.read(64 * 1024), b""):
                if b"\x00" in chunk:
                    return False  # binary (or UTF-16), not a text file
                text = decoder.decode(chunk)
                # Overlap the boundary so a tag split across two chunks is still seen.
                if _ACTIVE_TEXT.search(tail + text):
                    raise _ActiveContent
                tail = text[-32:]
            decoder.decode(b"", final=True)
            return True
        except UnicodeDecodeError:
            continue
        finally:
            fh.seek(0)
    return False


class _ActiveContent(Exception):
    pass


def _check_content(ext: str, kind: Kind, head: bytes, fh, display_name: str) -> None:
    def refuse(detail: str = ""):
        actual = _actual_kind(head)
        raise AttachmentRefused(
            f"文件“{display_name}”的内容与扩展名 .{ext} 不符（实际为{actual}），已拒绝上传。"
            + (detail or "请上传真实的" + kind.label + "。")
        )

    # Executables and markup are refused whatever they are called.
    if head.startswith((b"MZ", b"\x7fELF")):
        refuse("系统不接收可执行程序。")
    check = kind.check
    if check == "pdf":
        if not head.startswith(b"%PDF-"):
            refuse()
    elif check in ("png", "jpeg"):
        guessed = filetype.guess(head)
        if guessed is None or guessed.extension != ("png" if check == "png" else "jpg"):
            refuse()
    elif check == "ole2":
        if not head.startswith(OLE2_MAGIC):
            refuse()
    elif check in ("docx", "xlsx", "ofd", "zip"):
        if not head.startswith(ZIP_MAGICS):
            refuse()
        names = _zip_names(fh)
        if names is None:
            raise AttachmentRefused(f"文件“{display_name}”已损坏，无法作为{kind.label}读取，已拒绝上传。")
        required = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "ofd": "OFD.xml"}.get(check)
        if required and required not in names:
            refuse()
    elif check == "text":
        try:
            ok = _decodes_as_text(fh)
        except _ActiveContent:
            raise AttachmentRefused(
                f"文件“{display_name}”含有网页标记或脚本，不能作为 .{ext} 文本上传。") from None
        if not ok:
            raise AttachmentRefused(
                f"文件“{display_name}”不是有效的文本文件：应为 UTF-8 或 GB18030（GBK）编码的纯文本。")


def _read_digest(fh) -> tuple[str, int, bytes]:
    fh.seek(0)
    sha = hashlib.sha256()
    size = 0
    head = b""
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        sha.update(chunk)
        size += len(chunk)
    fh.seek(0)
    return sha.hexdigest(), size, head


def validate_upload(uploaded_file, *, name: str | None = None) -> tuple[str, str, int, Kind, str]:
    """Check an upload; return (clean name, sha256, size, kind, extension) or raise AttachmentRefused."""
    if uploaded_file is None:
        raise AttachmentRefused("请选择要上传的文件。")
    display_name = clean_filename(name or getattr(uploaded_file, "name", "") or "")
    if not display_name or not os.path.splitext(display_name)[0]:
        raise AttachmentRefused("文件名无效，请重命名后再上传。")
    ext = extension_of(display_name)
    kind = ALLOWED.get(ext)
    if kind is None:
        shown = f".{ext}" if ext else "（无扩展名）"
        raise AttachmentRefused(f"不支持上传 {shown} 类型的文件。允许的类型：{ALLOWED_TEXT}。")
    limit = settings.FAZHI_UPLOAD_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise AttachmentRefused(
            f"文件“{display_name}”大小为 {human_size(declared)}，超过上限 {human_size(limit)}，已拒绝上传。")
    fh = uploaded_file.file if hasattr(uploaded_file, "file") else uploaded_file
    sha, size, head = _read_digest(fh)
    if size == 0:
        raise AttachmentRefused(f"文件“{display_name}”是空文件，已拒绝上传。")
    if size > limit:
        raise AttachmentRefused(
            f"文件“{display_name}”大小为 {human_size(size)}，超过上限 {human_size(limit)}，已拒绝上传。")
    _check_content(ext, kind, head, fh, display_name)
    return display_name, sha, size, kind, ext


def store_attachment(uploaded_file, *, unit: Unit, actor, owner=None, name: str | None = None) -> Attachment:
    """Check, store and audit one uploaded file for ``unit`` (optionally attached to ``owner``).

    Out-of-scope unit → Http404; a read-only role there (auditor) → RoleDenied; a bad file →
    AttachmentRefused. Nothing is recorded unless the file passed every check.
    """
    if not isinstance(unit, Unit):
        raise AttachmentRefused("请选择附件所属单位。")
    if actor is not None:
        if not scoping.can_view_unit(actor, unit):
            raise Http404("未找到该单位，或您无权查看。")
        if not scoping.can_change_unit(actor, unit):
            raise RoleDenied("您在该单位只有查看权限，不能上传附件。")
    if owner is not None and getattr(owner, "unit_id", unit.pk) != unit.pk:
        raise AttachmentRefused("附件所属单位与所附记录的单位不一致。")
    display_name, sha, size, kind, _ext = validate_upload(uploaded_file, name=name)

    # Content-addressed: identical content shares one stored file; the name is our digest, so a
    # user's name never reaches the file system. Written before the row: if the transaction
    # below fails, what remains is an unreferenced file, never a row without its file.
    attachment = Attachment(
        unit=unit, original_name=display_name, sha256=sha, size=size, content_type=kind.content_type,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    if owner is not None:
        attachment.owner_type = ContentType.objects.get_for_model(owner)
        attachment.owner_id = owner.pk
    path = attachment_path(attachment, display_name)
    if default_storage.exists(path):
        attachment.file.name = path
    else:
        fh = uploaded_file.file if hasattr(uploaded_file, "file") else uploaded_file
        fh.seek(0)
        attachment.file.name = default_storage.save(path, File(fh, name=path))
    with transaction.atomic():
        attachment.save()
        audit.record(
            "attachment.upload", actor=actor, obj=attachment, unit=unit, object_repr=display_name,
            changes={"文件名": [None, display_name], "SHA-256": [None, sha], "大小": [None, size],
                     **({"所附记录": f"{attachment.owner_type.app_label}.{attachment.owner_type.model}:{owner.pk}"}
                        if owner is not None else {})},
        )
    return attachment


def open_attachment(attachment: Attachment, *, actor) -> File:
    """Open a stored attachment for download, after checking scope; the download is audited.

    The stored file is re-hashed: a file changed on disk after upload is refused, not served.
    """
    if actor is not None and not scoping.can_view_unit(actor, attachment.unit):
        raise Http404("未找到该附件，或您无权查看。")
    try:
        fh = default_storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已不存在，请联系系统管理员。") from None
    sha, _size, _head = _read_digest(fh)
    if sha != attachment.sha256:
        fh.close()
        raise AttachmentRefused("附件文件与上传时的摘要不符（可能已被篡改），已停止下载，请联系系统管理员。",
                                code="attachment_tampered")
    audit.record("attachment.download", actor=actor, obj=attachment, unit=attachment.unit,
                 object_repr=attachment.original_name, changes={"文件名": attachment.original_name})
    return fh


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 5987 ``filename*`` for the real name."""
    from urllib.parse import quote

    stem, ext = os.path.splitext(filename)
    fallback = "".join(ch if (ch.isascii() and ch.isprintable() and ch not in '"\\;') else "_" for ch in stem)
    fallback = (fallback.strip("_ ") or "attachment") + "".join(
        ch for ch in ext if ch.isascii() and ch.isalnum() or ch == ".")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def served_content_type(attachment: Attachment) -> str:
    return attachment.content_type if attachment.content_type in INLINE_SAFE_TYPES else "application/octet-stream"


__all__ = [
    "ALLOWED", "AttachmentRefused", "clean_filename", "content_disposition", "open_attachment",
    "served_content_type", "store_attachment", "validate_upload",
]
