"""Reading a published report: bytes → text → a normalised copy of the same length → the report's lines.

The extractor works on ``Document.norm``: the original text with traditional characters converted to
simplified (OpenCC) and punctuation normalised, character for character, so that any position in
``norm`` is the same position in ``text`` and every quote is cut from the original verbatim.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree import ElementTree


class ReportInputError(ValueError):
    """A file that is not a readable report; the message is Chinese and says what to do."""


# ---------------------------------------------------------------------------
# Bytes → text
# ---------------------------------------------------------------------------
_BINARY_MAGIC = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"\xd0\xcf\x11\xe0": "旧版 Office 文件（DOC/XLS）",
    b"Rar!": "RAR 压缩包",
    b"\x1f\x8b": "GZIP 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5",
                     "big5-hkscs": "big5hkscs", "utf-8": "utf-8", "utf8": "utf-8"}


def _docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise ReportInputError("该文件是压缩包而不是 Word 文档（DOCX），无法读取报告。请上传 TXT、HTML 或 DOCX 文件。") from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise ReportInputError("Word 文档（DOCX）内容已损坏，无法读取。请在 WPS 或 Word 中另存后重新上传。") from None
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paragraphs = []
    for p in root.iter(f"{w}p"):
        parts = []
        for node in p.iter():
            if node.tag == f"{w}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{w}tab":
                parts.append(" ")
            elif node.tag in (f"{w}br", f"{w}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _decode_bytes(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        enc = _ENCODING_ALIASES.get(declared.group(1).decode("ascii", "ignore").lower())
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            candidates.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if len(candidates) == 1:
        return candidates[0][1], candidates[0][0]
    if len(candidates) == 2:
        # Big5 bytes usually also decode as GB18030 (into rare characters); the decoding that yields
        # the common characters of official Chinese prose is the right one.
        scored = sorted(candidates, key=lambda c: -_commonness(c[1]))
        return scored[0][1], scored[0][0]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if _commonness(text) > 0.2:
            return text, best.encoding
    raise ReportInputError("无法识别文件的字符编码（已尝试 UTF-8、GB18030、Big5）。请将文件另存为 UTF-8 编码后重新上传。")


# The most frequent characters of government reports, simplified and traditional.
_COMMON = set("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
              "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
              "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
              "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
              "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
              "理世车办报告依治设监督执审查复议诉讼规范务市省县街镇府區縣報執審議訴訟規範務監們這個來會對時為過發於進與"
              "開關經動個學問題黨員機關專項)")


def _commonness(text: str) -> float:
    han = [c for c in text[:4000] if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    return sum(1 for c in han if c in _COMMON) / len(han)


class _HTMLText(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
             "ul", "ol", "dd", "dt", "title", "header", "footer", "nav", "td", "th", "pre", "blockquote"}
    SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    out, blank = [], False
    for line in lines:
        if line:
            out.append(line)
            blank = False
        elif not blank and out:
            out.append("")
            blank = True
    return "\n".join(out).strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_HTML_SNIFF = re.compile(r"^\s*(?:<!doctype html|<html|<head|<meta|<body|<div|<p[\s>]|<table)", re.I)


def looks_like_html(text: str, filename: str = "") -> bool:
    if filename.lower().endswith((".html", ".htm", ".shtml", ".xhtml")):
        return True
    head = text[:2000]
    return bool(_HTML_SNIFF.match(head)) or len(re.findall(r"</(?:p|div|span|td)>", head, re.I)) >= 3


def read_bytes(data: bytes, filename: str = "") -> tuple[str, str, str]:
    """(text, encoding, kind) where kind is txt / html / docx; raises ReportInputError with a Chinese message."""
    if not data or not data.strip():
        raise ReportInputError("文件为空，没有可导入的内容。")
    if data.startswith(b"PK\x03\x04"):
        text = _docx_text(data)
        if not text.strip():
            raise ReportInputError("Word 文档（DOCX）中没有文字内容。")
        return text, "docx", "docx"
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ReportInputError(f"该文件是{what}，不是文本报告。请上传 TXT、HTML 或 DOCX 格式的报告全文。")
    sample = data[:8192]
    if b"\x00" in sample and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportInputError("该文件是二进制文件，不是文本报告。请上传 TXT、HTML 或 DOCX 格式的报告全文。")
    text, encoding = _decode_bytes(data)
    controls = len(_CONTROL.findall(text, 0, 8192))
    if controls > 8:
        raise ReportInputError("该文件含有大量控制字符，像是二进制文件而不是文本报告。")
    kind = "txt"
    if looks_like_html(text, filename):
        text = html_to_text(text)
        kind = "html"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReportInputError("文件中没有文字内容。")
    return text, encoding, kind


# ---------------------------------------------------------------------------
# Normalisation (one character → one character)
# ---------------------------------------------------------------------------
_PUNCT = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？",
          "\u3000": " ", "\xa0": " ", "\t": " ", "％": "%", "﹪": "%", "．": ".", "﹔": "；", "﹐": "，",
          "﹕": "：", "\u2014": "—", "\u2013": "-", "－": "-", "～": "~", "＋": "+", "／": "/", "｜": "|",
          "“": "“", "”": "”", "＂": "\"", "「": "“", "」": "”", "『": "“", "』": "”", "〈": "《", "〉": "》"}
for _i in range(10):
    _PUNCT[chr(0xFF10 + _i)] = str(_i)
for _i in range(26):
    _PUNCT[chr(0xFF21 + _i)] = chr(0x41 + _i)
    _PUNCT[chr(0xFF41 + _i)] = chr(0x61 + _i)
_PUNCT_TABLE = str.maketrans(_PUNCT)

_converter = None


def _opencc():
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s.json")
    return _converter


# A handful of characters frequent in traditional text and absent from simplified text: cheap test
# that spares OpenCC on the (usual) simplified report.
_TRADITIONAL_HINTS = set("們這個來會對時為過發於進與開關經動學問題黨員機關專項國際體實現務業區縣報執審議訴訟規範監"
                         "設將從頭級總並應當擬廢條處復結辦據歲們種讓戰陽陰電話書館號點麼當幾傳")


_TRADITIONAL_RE = re.compile("[" + "".join(sorted(_TRADITIONAL_HINTS)) + "]")


def to_simplified(text: str) -> str:
    """Traditional → simplified, same length as ``text`` (paragraph by paragraph; OpenCC phrases that
    would change the length fall back to character-by-character conversion)."""
    if not _TRADITIONAL_RE.search(text):
        return text
    cc = _opencc()
    out = []
    for para in text.split("\n"):
        conv = cc.convert(para)
        if len(conv) != len(para):
            chars = []
            for ch in para:
                c = cc.convert(ch)
                chars.append(c if len(c) == 1 else ch)
            conv = "".join(chars)
        out.append(conv)
    return "\n".join(out)


def normalise(text: str) -> str:
    norm = to_simplified(text).translate(_PUNCT_TABLE)
    assert len(norm) == len(text)
    return norm


def is_traditional(text: str) -> bool:
    return len(_TRADITIONAL_RE.findall(text, 0, 6000)) >= 5


# ---------------------------------------------------------------------------
# Cleaning: which lines are the report
# ---------------------------------------------------------------------------
@dataclass
class Document:
    text: str  # the original text (decoded), quotes are cut from it
    norm: str  # same length: simplified, normalised punctuation
    lines: list[tuple[int, int]] = field(default_factory=list)  # kept spans (start, end) in both
    dropped: list[tuple[int, int]] = field(default_factory=list)

    @property
    def clean_text(self) -> str:
        return "\n".join(self.norm[s:e].strip() for s, e in self.lines)


_HEADER_LABELS = ("索引号", "发布机构", "发布日期", "生成日期", "发文字号", "发文日期", "组配分类", "公开方式", "公开类别",
                  "主题分类", "体裁分类", "体裁", "所属类目", "机构名称", "服务对象", "信息来源", "来源", "作者",
                  "浏览次数", "发布时间", "成文日期", "有效性", "文号", "公开范围", "分类", "主题词", "公开形式",
                  "公开时限", "时效", "访问量", "点击数", "字体", "字号")
_FURNITURE = re.compile(
    r"^(?:[•·\-*>|\s]*)(?:"
    r"【?字号[：:\s]*(?:大|中|小|】|$)|【?\s*打印(?:本页)?\s*】?$|【?\s*关闭(?:窗口|本页)?\s*】?$|分享到|扫一扫|用手机扫|"
    r"当前页二维码|二维码|当前位置|您(?:现在)?的位置|首页\s*[>»/]|文件预览$|附件下载$|相关(?:文章|链接|阅读|新闻)|"
    r"附件[：:]?\s*$|上一篇|下一篇|责任编辑|打印本页|收藏本页|网站地图|版权所有|主办单位|网站标识码|ICP备|公网安备|"
    r"(?:%s)\s*[：:|]|(?:%s)\s*$)" % ("|".join(_HEADER_LABELS), "|".join(_HEADER_LABELS)))
_VALUE_ONLY = re.compile(r"^[\s•·|]*(?:[\dA-Za-z/\-：:\s〔〕\[\]（）()]+|[^\s，。；]{1,8}|[\u4e00-\u9fff]{1,6}〔\d{4}〕\d+号)[\s|]*$")
_BREADCRUMB = re.compile(r"^[^。，]{0,40}(?:>|»|＞|→)[^。，]{0,40}(?:>|»|＞|→)")
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_SIGNATURE = re.compile(r"^\s*[\u4e00-\u9fff（）()]{2,30}(?:人民政府|政府|办公室|司法局|委员会|行政复议局|法治办)\s*$")
_AD = re.compile(r"下载|app|ios|android|注册|彩票|娱乐|棋牌|博彩|彩名|官网|加微信|扫码", re.I)


def _is_body(line: str) -> bool:
    """A line of running prose (a paragraph of the report)."""
    return len(_HAN_RE.findall(line)) >= 30 and ("，" in line or "。" in line)


def _is_title_like(line: str) -> bool:
    s = line.strip()
    return len(s) >= 4 and bool(re.search(r"法治|政府|报告|总结|情况|工作", s)) and not _FURNITURE.match(s)


def clean(text: str, norm: str | None = None) -> Document:
    """Split into lines and drop page furniture: header fields, breadcrumbs, font-size and share
    widgets, QR codes, attachment/related lists, and advertising after the report's end."""
    norm = normalise(text) if norm is None else norm
    spans: list[tuple[int, int]] = []
    pos = 0
    for raw in norm.split("\n"):
        spans.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    body_idx = [i for i, (s, e) in enumerate(spans) if _is_body(norm[s:e])]
    first_body = body_idx[0] if body_idx else len(spans)
    last_body = body_idx[-1] if body_idx else -1
    doc = Document(text=text, norm=norm)
    for i, (s, e) in enumerate(spans):
        line = norm[s:e].strip()
        if not line:
            continue
        bare = re.sub(r"\s+", "", line).lstrip("•·-*>|")
        keep = True
        if _FURNITURE.match(bare) or _BREADCRUMB.match(line) or re.fullmatch(r"[|\s•·]+", line):
            keep = False
        elif i < first_body:
            # Before the first paragraph: the title (and an addressee such as “市人大常委会：”) only.
            addressee = bare.endswith("：") and len(bare) <= 20
            keep = addressee or (_is_title_like(bare) and "门户网站" not in bare and "_" not in bare)
            if keep and not addressee and _VALUE_ONLY.match(bare) and not re.search(r"报告|总结", bare):
                keep = False
        elif i > last_body:
            # After the last paragraph: signature, date, “专此报告” and short closing lines, never adverts.
            if _AD.search(line) or re.search(r"[A-Za-z]{3,}", line):
                keep = False
            else:
                keep = bool(_DATE_LINE.match(line) or _SIGNATURE.match(line) or re.match(r"^特此报告|^专此报告", line)
                            or (_is_title_like(line) and len(line) <= 60) or "。" in line)
        s2 = s + (len(norm[s:e]) - len(norm[s:e].lstrip()))
        e2 = e - (len(norm[s:e]) - len(norm[s:e].rstrip()))
        (doc.lines if keep else doc.dropped).append((s2, e2))
    return doc


def load(data: bytes, filename: str = "") -> tuple[Document, str, str]:
    text, encoding, kind = read_bytes(data, filename)
    return clean(text), encoding, kind
