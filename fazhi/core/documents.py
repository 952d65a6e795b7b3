"""Official documents (公文) as DOCX in the GB/T 9704-2012 layout (党政机关公文格式).

Every module that produces a document for the public or another organ (行政复议文书, the annual
report, 规范性文件 …) builds it here, so they all "look like a 公文":

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm, GB/T 9704 5.2.1);
- styles whose East-Asian font is set explicitly (``w:rFonts/@w:eastAsia``) besides ``w:ascii`` /
  ``w:hAnsi``: python-docx sets only the Latin fonts through its API (python-docx issue #154), and
  Word/WPS then show Chinese text in a Japanese or Latin fallback font. We write the style XML.
  Theme-font attributes (``w:asciiTheme`` …) are removed, since they would override the names;
- title 2号 (22 pt) 方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312, fixed 28 pt line pitch,
  first-line indent of two characters, justified; heading 1 黑体, heading 2 楷体_GB2312, heading 3/4 仿宋;
- 发文字号 ``云府复〔2025〕12号`` below the title; 主送机关 flush left ending with a full-width colon;
  发文机关署名 centred over the 成文日期, which is right-aligned with four characters of right
  indent (``2025年4月1日``); 附件说明 ``附件：1. …`` one line below the body, indented two characters;
- page numbers ``— 1 —`` (4号 宋体) in the footer from a PAGE field: odd pages right-aligned,
  even pages left-aligned, one character from the edge of the type area (GB/T 9704 7.5).

API (a fluent builder; every method returns the document)::

    from fazhi.core.documents import OfficialDocument, cn_date

    doc = OfficialDocument(title="云溪区人民政府2025年法治政府建设年度报告",
                           doc_number="云府〔2026〕3号", addressee="区委、区人大常委会")
    (doc.heading(1, "一、主要举措和成效")
        .heading(2, "（一）健全政府机构职能体系")
        .paragraph("全年办结行政复议案件437宗，直接纠错率7.8%。")
        .paragraph("主要做法如下。", lead="1.推进复议体制改革。")   # lead: bold run-in heading (level 3)
        .image(png_bytes, width_mm=150, caption="图1 行政复议案件数")
        .table([["指标", "2024年", "2025年"], ["收案", "512", "568"]], widths_mm=[70, 40, 40])
        .attachment_line(["2025年行政复议案件统计表"])
        .signature("云溪区人民政府", dt.date(2026, 3, 20)))
    data: bytes = doc.to_bytes()

Templates (DOCX files kept in the repository, filled by docxtpl/Jinja2): build the template with
``OfficialDocument`` whose texts contain Jinja placeholders (``{{ name }}``, ``{%p for x in xs %}``
in a paragraph of its own), save it with ``doc.save(path)``, and fill it with
``render_template(path, context)``; values are XML-escaped and an undefined name is an error.
Section settings (margins, footers) and styles come with the template file.

``Layout`` holds the figures; where a local 公文处理办法 differs (fonts, margins), pass another one.
``style_fonts(style)`` / ``style_font_size(style)`` read back what a style carries (for tests and checks).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

__all__ = [
    "Layout", "OfficialDocument", "DocumentError", "cn_date", "render_template", "style_fonts",
    "style_font_size", "STYLE_NAMES",
]


class DocumentError(ValueError):
    """Bad input for a document (the message is Chinese and names what is wrong)."""


@dataclass(frozen=True)
class Layout:
    """The figures of GB/T 9704-2012 (official-document-format.md); millimetres and points."""

    page_width_mm: float = 210
    page_height_mm: float = 297
    top_mm: float = 37  # 天头
    bottom_mm: float = 35
    left_mm: float = 28  # 订口
    right_mm: float = 26
    footer_mm: float = 23  # page number 7 mm below the type area (GB/T 9704 7.5), 4号 line above the edge
    header_mm: float = 15
    body_pt: float = 16  # 3号
    title_pt: float = 22  # 2号
    page_number_pt: float = 14  # 4号
    table_pt: float = 12  # 小四, tables and captions
    line_pt: float = 28  # fixed line pitch (22 lines a page)
    title_line_pt: float = 35  # 2号 title lines: a fixed pitch a little over the size keeps them compact
    body_font: str = "仿宋_GB2312"
    title_font: str = "方正小标宋简体"
    heading1_font: str = "黑体"
    heading2_font: str = "楷体_GB2312"
    page_number_font: str = "宋体"
    # Fonts Word may substitute when the named one is missing (fontTable w:altName).
    fallbacks: dict = field(default_factory=lambda: {
        "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体", "黑体": "SimHei", "宋体": "SimSun"})
    doc_number_align: str = "center"  # GB/T 9704 7.2.4: 发文字号 centred; some 文书 put it right
    date_right_chars: int = 4  # 成文日期 右空四字
    odd_even_page_numbers: bool = True


# The names of the styles (as Word shows them); built-in ones keep their English names so that
# Word localises them (标题 1 …) and the navigation pane sees the outline levels.
STYLE_NAMES = {
    "body": "Normal",
    "title": "Title",
    "heading1": "Heading 1",
    "heading2": "Heading 2",
    "heading3": "Heading 3",
    "heading4": "Heading 4",
    "doc_number": "公文发文字号",
    "addressee": "公文主送机关",
    "issuer": "公文发文机关署名",
    "date": "公文成文日期",
    "attachment": "公文附件说明",
    "figure": "公文图片",
    "caption": "公文图表标题",
    "table": "公文表格文字",
    "page_number": "公文页码",
}
_STYLE_IDS = {  # ASCII style ids for the custom styles
    "doc_number": "DocNumber", "addressee": "Addressee", "issuer": "Issuer", "date": "IssueDate",
    "attachment": "AttachmentNote", "figure": "Figure", "caption": "FigureCaption", "table": "TableText",
    "page_number": "PageNumber",
}

_TWIPS_PER_PT = 20


def cn_date(day: dt.date) -> str:
    """GB/T 9704 7.3.5: 成文日期 in Arabic numerals, no leading zeros: ``2025年4月1日``."""
    if not isinstance(day, dt.date):
        raise DocumentError(f"日期无效：{day!r}。")
    return f"{day.year}年{day.month}月{day.day}日"


def _chars_width(text: str) -> float:
    """Width of ``text`` in body characters: CJK and full-width 1, ASCII (half-width) ½."""
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in text)


def _issuer_indent(paragraph, issuer: str, date_text: str, layout: Layout) -> None:
    """GB/T 9704 7.3.5.1: the 署名 is centred over the 成文日期, which has ``date_right_chars`` of
    right indent; so the 署名's right indent is that plus half the difference of their widths."""
    shift = max(0.0, layout.date_right_chars + (_chars_width(date_text) - _chars_width(issuer)) / 2)
    _char_indent(paragraph.paragraph_format, "right", shift, layout.body_pt)


# ---------------------------------------------------------------------------
# Style XML (python-docx cannot set East-Asian fonts: issue #154)
# ---------------------------------------------------------------------------
def _set_fonts(rpr, east_asia: str, latin: str | None = None) -> None:
    latin = latin or east_asia
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):  # theme fonts override the names
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # w:lang is late in CT_RPr's sequence; nothing we write comes after it
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def _reset(element, tag: str) -> None:
    """Remove ``element``'s child ``tag`` (w:rPr / w:pPr): the template's colours, borders and
    theme fonts go with it, and the caller writes the 公文 values afresh."""
    old = element.find(qn(tag))
    if old is not None:
        element.remove(old)


def _char_indent(pf, attr: str, chars: float, font_pt: float) -> None:
    """Indent by ``chars`` characters: the length for any reader plus w:*Chars for Word/WPS."""
    length = Pt(chars * font_pt)
    setattr(pf, {"firstLine": "first_line_indent", "left": "left_indent", "right": "right_indent"}[attr], length)
    ind = pf._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn(f"w:{attr}Chars"), str(int(round(chars * 100))))


def _configure(style, layout: Layout, *, font: str, size_pt: float, bold: bool = False,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars: float = 0, line_pt: float | None = None,
               before_pt: float = 0, after_pt: float = 0, outline: int | None = None, latin: str | None = None) -> None:
    el = style.element
    _reset(el, "w:pPr")
    _reset(el, "w:rPr")
    pf = style.paragraph_format if style.type == WD_STYLE_TYPE.PARAGRAPH else None
    if pf is not None:
        pf.alignment = align
        pf.space_before = Pt(before_pt)
        pf.space_after = Pt(after_pt)
        if line_pt:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(line_pt)
        else:
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.widow_control = True
        # Always explicit: the styles are based on Normal, whose two-character indent would
        # otherwise push centred and flush-left elements (title, 主送机关) off their place.
        _char_indent(pf, "firstLine", first_line_chars, size_pt)
        if outline is not None:
            pf.keep_with_next = True
            el.pPr.get_or_add_outlineLvl().val = outline
    rpr = el.get_or_add_rPr()
    _set_fonts(rpr, font, latin)
    f = style.font
    f.bold = bold
    f.italic = False
    f.size = Pt(size_pt)
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(szcs)
    szcs.set(qn("w:val"), str(int(size_pt * 2)))
    _set_lang(rpr)


def _style(document, key: str):
    name = STYLE_NAMES[key]
    try:
        return document.styles[name]
    except KeyError:
        style = document.styles.add_style(_STYLE_IDS[key], WD_STYLE_TYPE.PARAGRAPH)
        style.name = name
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        return style


def apply_layout(document, layout: Layout | None = None) -> None:
    """Give a python-docx ``Document`` the 公文 page setup, styles, fonts and page-number footers."""
    layout = layout or Layout()
    _clean_package(document)
    _doc_defaults(document, layout)
    _settings(document, layout)
    _font_table(document, layout)
    L = layout
    grid = dict(size_pt=L.body_pt, line_pt=L.line_pt)  # 3号 on the 28 pt line pitch
    body = dict(font=L.body_font, **grid)
    _configure(_style(document, "body"), L, first_line_chars=2, **body)
    # One blank body line below the title (GB/T 9704 7.3.1).
    _configure(_style(document, "title"), L, font=L.title_font, size_pt=L.title_pt, line_pt=L.title_line_pt,
               align=WD_ALIGN_PARAGRAPH.CENTER, after_pt=L.line_pt)
    _configure(_style(document, "heading1"), L, font=L.heading1_font, first_line_chars=2, outline=0, **grid)
    _configure(_style(document, "heading2"), L, font=L.heading2_font, first_line_chars=2, outline=1, **grid)
    _configure(_style(document, "heading3"), L, first_line_chars=2, outline=2, bold=True, **body)
    _configure(_style(document, "heading4"), L, first_line_chars=2, outline=3, **body)
    _configure(_style(document, "doc_number"), L, align=_ALIGN[L.doc_number_align], after_pt=L.line_pt, **body)
    _configure(_style(document, "addressee"), L, align=WD_ALIGN_PARAGRAPH.LEFT, **body)
    _configure(_style(document, "issuer"), L, align=WD_ALIGN_PARAGRAPH.RIGHT, before_pt=2 * L.line_pt, **body)
    date_style = _style(document, "date")
    _configure(date_style, L, align=WD_ALIGN_PARAGRAPH.RIGHT, **body)
    _char_indent(date_style.paragraph_format, "right", L.date_right_chars, L.body_pt)
    attachment = _style(document, "attachment")
    _configure(attachment, L, before_pt=L.line_pt, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=2, **body)
    # Images must not sit in a fixed-pitch line (Word would crop them to 28 pt): single spacing.
    _configure(_style(document, "figure"), L, font=L.body_font, size_pt=L.body_pt, align=WD_ALIGN_PARAGRAPH.CENTER)
    _configure(_style(document, "caption"), L, font=L.body_font, size_pt=L.table_pt, align=WD_ALIGN_PARAGRAPH.CENTER,
               after_pt=L.line_pt / 2)
    _configure(_style(document, "table"), L, font=L.body_font, size_pt=L.table_pt, align=WD_ALIGN_PARAGRAPH.CENTER)
    _configure(_style(document, "page_number"), L, font=L.page_number_font, size_pt=L.page_number_pt,
               align=WD_ALIGN_PARAGRAPH.RIGHT)
    for section in document.sections:
        _page_setup(section, L)
        _page_numbers(document, section, L)


_ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}


def _clean_package(document) -> None:
    """Drop the default template's parts that would contradict our styles or show a stale preview."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010 copy of the styles, with theme fonts
            part.drop_rel(rid)
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):  # a picture of the blank template
            package_rels.pop(rid)


def _doc_defaults(document, layout: Layout) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, layout.body_font)
    for tag, val in (("w:sz", layout.body_pt * 2), ("w:szCs", layout.body_pt * 2)):
        el = rpr.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), str(int(val)))
    _set_lang(rpr)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")


def _settings(document, layout: Layout) -> None:
    settings = document.settings
    settings.odd_and_even_pages_header_footer = layout.odd_even_page_numbers
    el = settings.element
    lang = el.find(qn("w:themeFontLang"))
    if lang is not None:  # the default template says ja-JP: Chinese would fall back to Japanese fonts
        lang.set(qn("w:eastAsia"), "zh-CN")
    preview = el.find(qn("w:savePreviewPicture"))
    if preview is not None:
        el.remove(preview)


def _font_table(document, layout: Layout) -> None:
    """Declare our fonts as GB2312 (charset 86) with a fallback name, so a reader without
    仿宋_GB2312 substitutes 仿宋 rather than a Latin font."""
    from lxml import etree

    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name in dict.fromkeys([layout.body_font, layout.title_font, layout.heading1_font, layout.heading2_font,
                               layout.page_number_font]):
        if name in existing:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if layout.fallbacks.get(name):
            alt = etree.SubElement(font, qn("w:altName"))
            alt.set(qn("w:val"), layout.fallbacks[name])
        for tag, val in (("w:charset", "86"), ("w:family", "modern" if "黑" not in name else "auto"),
                         ("w:pitch", "fixed" if "仿宋" in name or "楷" in name else "variable")):
            child = etree.SubElement(font, qn(tag))
            child.set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(section, layout: Layout) -> None:
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width = Mm(layout.page_width_mm)
    section.page_height = Mm(layout.page_height_mm)
    section.top_margin = Mm(layout.top_mm)
    section.bottom_margin = Mm(layout.bottom_mm)
    section.left_margin = Mm(layout.left_mm)
    section.right_margin = Mm(layout.right_mm)
    section.footer_distance = Mm(layout.footer_mm)
    section.header_distance = Mm(layout.header_mm)
    section.gutter = 0
    # Grid of 22 lines × 28 characters (GB/T 9704 5.2.2): line pitch 579 twips, characters
    # compressed by 842/4096 pt so that 28 of 3号 fit in 156 mm.
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), "579")
    grid.set(qn("w:charSpace"), "-842")


def _field_run(paragraph, instr: str, placeholder: str) -> None:
    """A complex field (w:fldChar begin / instrText / separate / result / end) in ``paragraph``."""
    def run_with(child):
        r = paragraph.add_run()
        r._r.append(child)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_number_paragraph(footer, document, layout: Layout, *, odd: bool) -> None:
    footer.is_linked_to_previous = False
    for p in list(footer.paragraphs)[1:]:
        p._p.getparent().remove(p._p)
    p = footer.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    p.style = _style(document, "page_number")
    pf = p.paragraph_format
    # GB/T 9704 7.5: 单页码居右空一字，双页码居左空一字.
    if odd:
        pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _char_indent(pf, "right", 1, layout.page_number_pt)
    else:
        pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _char_indent(pf, "left", 1, layout.page_number_pt)
    p.add_run("— ")
    _field_run(p, "PAGE", "1")
    p.add_run(" —")


def _page_numbers(document, section, layout: Layout) -> None:
    _page_number_paragraph(section.footer, document, layout, odd=True)
    if layout.odd_even_page_numbers:
        _page_number_paragraph(section.even_page_footer, document, layout, odd=False)


# ---------------------------------------------------------------------------
# Reading styles back (tests, checks)
# ---------------------------------------------------------------------------
def style_fonts(style) -> dict[str, str]:
    """{"eastAsia": …, "ascii": …, "hAnsi": …} as written in the style's own w:rPr/w:rFonts."""
    rpr = style.element.find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if rfonts is None:
        return {}
    return {key: rfonts.get(qn(f"w:{key}")) for key in ("eastAsia", "ascii", "hAnsi") if rfonts.get(qn(f"w:{key}"))}


def style_font_size(style) -> float | None:
    return style.font.size.pt if style.font.size is not None else None


# ---------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------
class OfficialDocument:
    """A 公文 under construction; see the module docstring for the layout and an example."""

    def __init__(self, title: str = "", *, doc_number: str = "", addressee: str = "", layout: Layout | None = None):
        self.layout = layout or Layout()
        self.document = Document()
        apply_layout(self.document, self.layout)
        body = self.document.element.body
        for p in list(body.findall(qn("w:p"))):  # the default template's empty paragraph
            body.remove(p)
        if title:
            self.title(title)
        if doc_number:
            self.doc_number(doc_number)
        if addressee:
            self.addressee(addressee)

    # -- elements of the 版头 and 主体 ------------------------------------------------------------
    def _para(self, key: str, text: str = ""):
        p = self.document.add_paragraph(style=_style(self.document, key))
        if text:
            p.add_run(text)
        return p

    def title(self, text: str) -> "OfficialDocument":
        """标题: centred; ``\\n`` breaks the title into lines (balanced 梯形/菱形 shapes are the author's)."""
        text = (text or "").strip()
        if not text:
            raise DocumentError("公文标题不能为空。")
        p = self._para("title")
        for i, line in enumerate(text.split("\n")):
            if i:
                p.add_run().add_break(WD_BREAK.LINE)
            p.add_run(line.strip())
        return self

    def doc_number(self, text: str) -> "OfficialDocument":
        """发文字号, e.g. ``云府复〔2025〕12号`` (fazhi.core.numbering issues them)."""
        self._para("doc_number", text.strip())
        return self

    def addressee(self, text: str) -> "OfficialDocument":
        """主送机关: flush left, ending with a full-width colon (added when missing)."""
        text = (text or "").strip().rstrip(":：")
        if not text:
            raise DocumentError("主送机关不能为空。")
        self._para("addressee", text + "：")
        return self

    def heading(self, level: int, text: str) -> "OfficialDocument":
        """Level 1 “一、” 黑体, 2 “（一）” 楷体, 3 “1.” 仿宋 bold, 4 “（1）” 仿宋; the numbering is in ``text``."""
        if level not in (1, 2, 3, 4):
            raise DocumentError(f"标题层次应为 1 至 4，不能为 {level}。")
        self._para(f"heading{level}", text.strip())
        return self

    def paragraph(self, text: str = "", *, lead: str = "", indent: bool = True, align: str = "") -> "OfficialDocument":
        """A body paragraph (first-line indent of two characters, justified).

        ``lead``: a bold run-in heading before the text (the 公文 habit for level 3, “1.××。”).
        ``indent=False`` starts the paragraph flush left (e.g. parties in a decision); ``align``
        "center"/"right"/"left" overrides the justification.
        """
        p = self._para("body")
        if lead:
            p.add_run(lead).bold = True
        if text:
            p.add_run(text)
        if not indent:
            p.paragraph_format.first_line_indent = Pt(0)
            p._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
        if align:
            p.paragraph_format.alignment = _ALIGN[align]
        return self

    def blank_line(self) -> "OfficialDocument":
        p = self._para("body")
        p.paragraph_format.first_line_indent = Pt(0)
        return self

    def image(self, png: bytes, width_mm: float = 150, *, caption: str = "") -> "OfficialDocument":
        """A picture (PNG/JPEG bytes) centred in a single-spaced paragraph, at most the type-area width."""
        if not png:
            raise DocumentError("图片内容为空。")
        max_width = self.layout.page_width_mm - self.layout.left_mm - self.layout.right_mm
        if not 0 < width_mm <= max_width:
            raise DocumentError(f"图片宽度应在 0 至 {max_width:g} 毫米之间（版心宽度），不能为 {width_mm:g} 毫米。")
        p = self._para("figure")
        try:
            p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        except Exception as exc:  # python-docx raises UnrecognizedImageError and others
            p._p.getparent().remove(p._p)
            raise DocumentError("无法识别的图片格式，请提供 PNG 或 JPEG 图片。") from exc
        if caption:
            self._para("caption", caption)
        return self

    def table(self, rows: list[list], *, header: bool = True, widths_mm: list[float] | None = None,
              caption: str = "") -> "OfficialDocument":
        """A bordered table of text cells (12 pt 仿宋); the first row bold when ``header``."""
        rows = [[("" if c is None else str(c)) for c in row] for row in rows]
        if not rows or not rows[0]:
            raise DocumentError("表格不能为空。")
        ncols = max(len(r) for r in rows)
        if caption:
            self._para("caption", caption)
        table = self.document.add_table(rows=len(rows), cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _table_borders(table)
        for i, row in enumerate(rows):
            for j in range(ncols):
                cell = table.cell(i, j)
                p = cell.paragraphs[0]  # a new cell holds one empty paragraph
                p.style = _style(self.document, "table")
                run = p.add_run(row[j] if j < len(row) else "")
                if header and i == 0:
                    run.bold = True
                if widths_mm and j < len(widths_mm):
                    cell.width = Mm(widths_mm[j])
        return self

    def page_break(self) -> "OfficialDocument":
        self.document.add_paragraph(style=_style(self.document, "body")).add_run().add_break(WD_BREAK.PAGE)
        return self

    def attachment_line(self, names: list[str] | str) -> "OfficialDocument":
        """附件说明 (GB/T 9704 7.3.4): one line below the body, 2 characters in, ``附件：1. …``;
        further names aligned under the first."""
        names = [names] if isinstance(names, str) else [n for n in names if n and n.strip()]
        if not names:
            return self
        if len(names) == 1:
            self._para("attachment", f"附件：{names[0].strip()}")
            return self
        for i, name in enumerate(names, 1):
            p = self._para("attachment", f"{'附件：' if i == 1 else ''}{i}. {name.strip()}")
            if i > 1:  # aligned under the first name: 2 characters of indent + “附件：”
                pf = p.paragraph_format
                pf.space_before = Pt(0)
                _char_indent(pf, "firstLine", 0, self.layout.body_pt)
                _char_indent(pf, "left", 5, self.layout.body_pt)
        return self

    def signature(self, issuer: str, date: dt.date | str) -> "OfficialDocument":
        """发文机关署名 centred over the 成文日期; the date right-aligned with 4 characters of right indent."""
        date_text = cn_date(date) if isinstance(date, dt.date) else str(date).strip()
        issuer = (issuer or "").strip()
        if issuer:
            _issuer_indent(self._para("issuer", issuer), issuer, date_text, self.layout)
        self._para("date", date_text)
        return self

    # -- output ---------------------------------------------------------------------------------
    def set_properties(self, *, title: str = "", author: str = "", subject: str = "") -> "OfficialDocument":
        props = self.document.core_properties
        props.title = title
        props.author = author
        props.subject = subject
        props.last_modified_by = author
        props.comments = ""
        return self

    def save(self, path: str | Path) -> None:
        self.document.save(str(path))

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _table_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    tbl_pr.append(borders)


# ---------------------------------------------------------------------------
# Templates (docxtpl)
# ---------------------------------------------------------------------------
def render_template(template: str | Path, context: dict, *, properties: dict | None = None) -> bytes:
    """Fill a DOCX template kept in the repository; returns the DOCX bytes.

    Values are XML-escaped (autoescape), so ``<``/``&`` in a name cannot break the document; an
    undefined name raises ``DocumentError`` rather than silently printing nothing. After filling,
    the 发文机关署名 is centred over the filled-in 成文日期 again (its width is known only now).
    ``properties``: core properties (title, author, subject) of the output file.
    """
    from docxtpl import DocxTemplate
    from jinja2 import Environment, StrictUndefined, TemplateError

    path = Path(template)
    if not path.is_file():
        raise DocumentError(f"文书模板不存在：{path.name}。")
    tpl = DocxTemplate(str(path))
    env = Environment(undefined=StrictUndefined, autoescape=True)
    try:
        tpl.render(dict(context), jinja_env=env, autoescape=True)
    except TemplateError as exc:
        raise DocumentError(f"文书模板 {path.name} 填充失败：{exc}") from exc
    document = tpl.docx
    _recentre_issuers(document)
    if properties:
        props = document.core_properties
        for key, value in properties.items():
            setattr(props, key, value)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _recentre_issuers(document, layout: Layout | None = None) -> None:
    layout = layout or Layout()
    paragraphs = document.paragraphs
    for i, p in enumerate(paragraphs):
        if p.style is None or p.style.name != STYLE_NAMES["issuer"] or i + 1 >= len(paragraphs):
            continue
        _issuer_indent(p, p.text, paragraphs[i + 1].text, layout)
