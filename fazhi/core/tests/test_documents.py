"""fazhi.core.documents: the GB/T 9704 layout, East-Asian fonts in the style XML, templates."""
import datetime as dt
import io
import struct
import zlib

import docx
import pytest
from docx.oxml.ns import qn

from fazhi.core.documents import (
    STYLE_NAMES, DocumentError, Layout, OfficialDocument, cn_date, render_template, style_fonts,
)

D = dt.date


def png_1x1() -> bytes:
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def reopen(doc: OfficialDocument):
    return docx.Document(io.BytesIO(doc.to_bytes()))


def report() -> OfficialDocument:
    return (OfficialDocument("云溪区人民政府2025年法治政府建设年度报告", doc_number="云府〔2026〕3号", addressee="区委、区人大常委会")
            .heading(1, "一、主要举措和成效")
            .heading(2, "（一）健全行政复议体制")
            .paragraph("全年办结行政复议案件437宗，直接纠错率7.8%。")
            .paragraph("复议体制改革全面完成。", lead="1.推进复议体制改革。")
            .attachment_line(["2025年行政复议案件统计表", "2025年行政应诉案件统计表"])
            .signature("云溪区人民政府", D(2026, 3, 20)))


def test_given_dates_then_they_are_written_without_leading_zeros():
    assert cn_date(D(2025, 4, 1)) == "2025年4月1日"
    assert cn_date(D(2025, 10, 11)) == "2025年10月11日"
    with pytest.raises(DocumentError):
        cn_date("2025-04-01")


def test_given_a_document_then_the_page_is_a4_with_the_gb_t_9704_margins():
    sec = reopen(report()).sections[0]
    assert abs(sec.page_width.mm - 210) < 0.1 and abs(sec.page_height.mm - 297) < 0.1
    assert abs(sec.top_margin.mm - 37) < 0.1 and abs(sec.bottom_margin.mm - 35) < 0.1
    assert abs(sec.left_margin.mm - 28) < 0.1 and abs(sec.right_margin.mm - 26) < 0.1
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "579"


@pytest.mark.parametrize("style, east_asia, size", [
    ("Normal", "仿宋_GB2312", 16), ("Title", "方正小标宋简体", 22), ("Heading 1", "黑体", 16),
    ("Heading 2", "楷体_GB2312", 16), ("Heading 3", "仿宋_GB2312", 16), (STYLE_NAMES["date"], "仿宋_GB2312", 16),
    (STYLE_NAMES["page_number"], "宋体", 14),
])
def test_given_a_style_then_its_xml_names_the_east_asian_font_and_no_theme_font(style, east_asia, size):
    st = reopen(report()).styles[style]
    fonts = style_fonts(st)
    assert fonts["eastAsia"] == east_asia and fonts["ascii"] == east_asia and fonts["hAnsi"] == east_asia
    rfonts = st.element.rPr.find(qn("w:rFonts"))
    assert not [a for a in rfonts.attrib if "heme" in a]  # theme fonts would override the names
    assert st.font.size.pt == size
    assert st.element.rPr.find(qn("w:color")) is None  # the template's blue headings are gone


def test_given_the_defaults_then_chinese_is_the_east_asian_language_not_japanese():
    d = reopen(report())
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert d.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"


def test_given_body_text_then_it_is_justified_with_a_28_pt_fixed_pitch_and_a_two_character_indent():
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

    pf = reopen(report()).styles["Normal"].paragraph_format
    assert pf.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and pf.line_spacing.pt == 28
    assert pf.first_line_indent.pt == 32
    assert pf._element.pPr.ind.get(qn("w:firstLineChars")) == "200"


def test_given_the_elements_then_each_has_its_place_and_punctuation():
    d = reopen(report())
    paras = [(p.style.name, p.text) for p in d.paragraphs if p.text]
    assert paras[0] == ("Title", "云溪区人民政府2025年法治政府建设年度报告")
    assert paras[1] == (STYLE_NAMES["doc_number"], "云府〔2026〕3号")
    assert paras[2] == (STYLE_NAMES["addressee"], "区委、区人大常委会：")  # full-width colon
    assert paras[3] == ("Heading 1", "一、主要举措和成效") and paras[4] == ("Heading 2", "（一）健全行政复议体制")
    assert (STYLE_NAMES["attachment"], "附件：1. 2025年行政复议案件统计表") in paras
    assert (STYLE_NAMES["attachment"], "2. 2025年行政应诉案件统计表") in paras
    assert paras[-2] == (STYLE_NAMES["issuer"], "云溪区人民政府") and paras[-1] == (STYLE_NAMES["date"], "2026年3月20日")
    lead = next(p for p in d.paragraphs if p.text.startswith("1.推进"))
    assert lead.runs[0].bold and not lead.runs[1].bold


@pytest.mark.parametrize("style", ["Title", STYLE_NAMES["doc_number"], STYLE_NAMES["addressee"], STYLE_NAMES["date"],
                                   STYLE_NAMES["figure"], STYLE_NAMES["table"], STYLE_NAMES["page_number"]])
def test_given_a_centred_or_flush_left_element_then_it_does_not_inherit_the_body_indent(style):
    pf = reopen(report()).styles[style].paragraph_format
    assert pf.first_line_indent == 0 and pf._element.pPr.ind.get(qn("w:firstLineChars")) == "0"


def test_given_the_signature_then_the_date_has_four_characters_of_right_indent_and_the_issuer_is_centred_over_it():
    d = reopen(report())
    date_style = d.styles[STYLE_NAMES["date"]]
    assert date_style.paragraph_format.right_indent.pt == 64  # 4 × 16 pt
    issuer = next(p for p in d.paragraphs if p.style.name == STYLE_NAMES["issuer"])
    # "2026年3月20日" is 6.5 characters wide (digits are half-width), "云溪区人民政府" 7: 4 + (6.5 − 7) / 2 = 3.75.
    assert issuer.paragraph_format.right_indent.pt == 60


def test_given_the_footers_then_odd_pages_number_right_and_even_pages_left_from_a_page_field():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = reopen(report())
    assert d.settings.odd_and_even_pages_header_footer
    sec = d.sections[0]
    odd, even = sec.footer.paragraphs[0], sec.even_page_footer.paragraphs[0]
    for p in (odd, even):
        assert p.text == "— 1 —"
        instr = [t.text for t in p._p.iter(qn("w:instrText"))]
        assert instr == [" PAGE "]
        assert [f.get(qn("w:fldCharType")) for f in p._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent.pt == 14
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent.pt == 14


def test_given_an_image_and_a_table_then_the_image_is_not_clipped_by_the_fixed_pitch():
    from docx.enum.text import WD_LINE_SPACING

    doc = OfficialDocument("统计").image(png_1x1(), 100, caption="图1 收案数").table(
        [["指标", "2024年"], ["收案", "512"]], widths_mm=[60, 40])
    d = reopen(doc)
    assert len(d.inline_shapes) == 1 and abs(d.inline_shapes[0].width.mm - 100) < 0.1
    figure = d.styles[STYLE_NAMES["figure"]].paragraph_format
    assert figure.line_spacing_rule == WD_LINE_SPACING.SINGLE
    table = d.tables[0]
    assert table.cell(1, 1).text == "512" and table.cell(0, 0).paragraphs[0].runs[0].bold
    with pytest.raises(DocumentError, match="版心宽度"):
        OfficialDocument("x").image(png_1x1(), 200)
    with pytest.raises(DocumentError, match="无法识别的图片格式"):
        OfficialDocument("x").image(b"not an image", 50)


def test_given_bad_input_then_the_builder_says_what_is_wrong_in_chinese():
    with pytest.raises(DocumentError, match="标题层次应为 1 至 4"):
        OfficialDocument("x").heading(5, "五")
    with pytest.raises(DocumentError, match="主送机关不能为空"):
        OfficialDocument("x").addressee(" ：")


def test_given_another_layout_then_fonts_and_margins_follow_it():
    layout = Layout(body_font="仿宋", left_mm=27, odd_even_page_numbers=False)
    d = reopen(OfficialDocument("x", layout=layout).paragraph("正文"))
    assert style_fonts(d.styles["Normal"])["eastAsia"] == "仿宋"
    assert abs(d.sections[0].left_margin.mm - 27) < 0.1 and not d.settings.odd_and_even_pages_header_footer


def test_given_a_template_then_placeholders_are_filled_escaped_and_the_styles_kept(tmp_path):
    path = tmp_path / "t.docx"
    doc = OfficialDocument("{{ title }}", doc_number="{{ number }}", addressee="{{ to }}")
    doc.paragraph("{%p for line in lines %}").paragraph("{{ line }}").paragraph("{%p endfor %}")
    doc.signature("{{ organ }}", "{{ date }}")
    doc.save(path)
    out = render_template(path, {"title": "通知", "number": "云府复〔2025〕12号", "to": "A&B<公司>",
                                 "lines": ["第一段。", "第二段。"], "organ": "云溪区人民政府", "date": cn_date(D(2025, 4, 1))},
                          properties={"title": "通知"})
    d = docx.Document(io.BytesIO(out))
    texts = [p.text for p in d.paragraphs if p.text]
    assert texts == ["通知", "云府复〔2025〕12号", "A&B<公司>：", "第一段。", "第二段。", "云溪区人民政府", "2025年4月1日"]
    assert d.paragraphs[3].style.name == "Normal" and style_fonts(d.styles["Normal"])["eastAsia"] == "仿宋_GB2312"
    assert d.core_properties.title == "通知"
    issuer = next(p for p in d.paragraphs if p.style.name == STYLE_NAMES["issuer"])
    assert issuer.paragraph_format.right_indent.pt == 56  # centred over the filled-in date
    with pytest.raises(DocumentError, match="填充失败"):
        render_template(path, {"title": "通知"})  # an undefined name is an error, not an empty string
    with pytest.raises(DocumentError, match="文书模板不存在"):
        render_template(tmp_path / "missing.docx", {})
