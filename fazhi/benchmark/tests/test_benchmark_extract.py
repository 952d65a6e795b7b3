"""The extractor against the hand-labelled seeds (the labels are the spec), and its parts. No database."""
from __future__ import annotations

import datetime as dt

import pytest

from fazhi.benchmark import accuracy, extract, text
from fazhi.benchmark.text import ReportInputError

LABELS = accuracy.load_labels()
SEEDS = {label["file"]: (accuracy.SEED_DIR / label["file"]).read_bytes() for label in LABELS}


def _extract(data: bytes, name: str = "r.txt"):
    doc, _, _ = text.load(data, name)
    return doc, extract.extract(doc)


@pytest.fixture(scope="module")
def extracted():
    return {name: _extract(data, name) for name, data in SEEDS.items()}


def test_given_the_labelled_seeds_when_extracted_then_precision_and_recall_reach_090_per_family(extracted):
    s = accuracy.score(LABELS, {name: (doc.text, r.facts) for name, (doc, r) in extracted.items()})
    tp, fp, fn, precision, recall = s.total()
    assert tp >= 70, "the labels name at least 70 coded figures"
    assert precision >= 0.9 and recall >= 0.9, s.errors
    for family, (_tp, _fp, _fn, p, r) in s.families().items():
        assert p >= 0.9 and r >= 0.9, (family, p, r, [e for e in s.errors if family in e[2]])


def test_given_any_seed_when_extracted_then_every_quote_is_verbatim_at_its_position(extracted):
    for name, (doc, result) in extracted.items():
        assert result.facts, name
        for f in result.facts:
            assert f.quote and doc.text[f.start:f.end] == f.quote, (name, f)
            assert f.start <= f.pos < f.end


@pytest.mark.parametrize("label", LABELS, ids=[label["file"][:3] for label in LABELS])
def test_given_a_seed_when_extracted_then_metadata_matches_the_label(extracted, label):
    _, r = extracted[label["file"]]
    assert (r.region, r.level, r.year) == (label["region"], label["level"], label["year"])
    assert r.published_on == dt.date.fromisoformat(label["published_on"])
    assert r.issuer == label["issuer"].replace("(", "（").replace(")", "）")


def test_given_the_traditional_seed_when_extracted_then_text_is_simplified_and_quotes_stay_traditional(extracted):
    doc, r = extracted["004_9e406318b9223388.txt"]
    assert text.is_traditional(doc.text)
    assert "平顶山市人民政府关于2020年度法治政府建设情况的报告" in doc.clean_text
    fact = next(f for f in r.facts if f.metric == "reconsideration.received")
    assert fact.value == 98 and "復議" in fact.quote and fact.phrase == "市政府全年收到行政复议申请"


def test_given_a_page_with_furniture_when_cleaned_then_furniture_goes_and_every_paragraph_stays(extracted):
    doc, _ = extracted["000_13f51294800087fc.txt"]
    assert "【字号" not in doc.clean_text and "当前页二维码" not in doc.clean_text
    assert "相关文章" not in doc.clean_text and "所属类目" not in doc.clean_text
    doc4, _ = extracted["004_9e406318b9223388.txt"]
    assert "彩名堂" not in doc4.clean_text and "扫一扫" not in doc4.clean_text
    assert "市人大常委会：" in doc4.clean_text
    for d in (doc, doc4, extracted["003_650c11a8165dddab.txt"][0]):
        for line in d.norm.split("\n"):
            if text._is_body(line):
                assert line.strip() in d.clean_text


def test_given_seed_002_when_rates_are_checked_then_the_correction_rate_agrees_with_its_parts(extracted):
    _, r = extracted["002_3ed9f38cde86c434.txt"]
    (check,) = [c for c in r.checks if c["metric"] == "reconsideration.correction_rate"]
    assert check["ok"] and check["computed"] == 7.78 and check["stated"] == 7.8


def test_given_a_rate_that_disagrees_with_its_parts_when_extracted_then_it_is_flagged_not_corrected():
    body = ("2024年，某区全面推进法治政府建设。发挥行政复议化解行政争议主渠道作用，办理复议案件568宗，办结437宗，"
            "撤销19宗、确认违法13宗、变更2宗，直接纠错率9.5%。" + "坚持依法行政，强化行政执法监督，推进法治建设。" * 12)
    _, r = _extract(body.encode())
    rate = next(f for f in r.facts if f.metric == "reconsideration.correction_rate")
    assert rate.value == 9.5, "the stated rate is kept as stated"
    assert "不符" in rate.flag and "7.78" in rate.flag


def test_given_chinese_numerals_wan_and_approximations_when_extracted_then_values_are_normalised():
    body = ("2022年，某县共办结行政复议案件一百二十三件。全县各级人民调解组织调解矛盾纠纷1.2万件，"
            "办结行政诉讼案件80余件，法律援助挽回损失260余万元。" + "坚持依法行政，推进法治政府建设。" * 12)
    _, r = _extract(body.encode())
    by = {(f.metric, f.value, f.unit, f.approx) for f in r.facts}
    assert ("reconsideration.concluded", 123, "件", False) in by
    assert ("mediation.cases", 12000, "件", False) in by
    assert (None, 260, "万元", True) in by
    assert any(f.value == 80 and f.approx for f in r.facts)


def test_given_years_dates_and_document_numbers_when_extracted_then_they_are_not_figures(extracted):
    _, r = extracted["004_9e406318b9223388.txt"]
    values = [f.value for f in r.facts]
    assert 2021 not in values and 2020 not in values and 33 not in values  # 平政文〔2021〕33号


def test_given_seed_000_when_outlined_then_top_parts_map_to_the_five_parts_of_the_rules(extracted):
    _, r = extracted["000_13f51294800087fc.txt"]
    top = [h.part for h in r.outline if h.parent is None]
    assert top == ["achievements", "shortcomings", "next_year", "first_responsible"]
    sub = [(h.marker, h.system) for h in r.outline if h.level == 2][:5]
    assert sub[1:5] == [("（二）", "functions"), ("（三）", "decisions"), ("（四）", "enforcement"), ("（五）", "disputes")]
    fact = next(f for f in r.facts if f.metric == "reconsideration.concluded")
    assert fact.section.startswith("一、") and "复议为民" in fact.section


def test_given_seed_002_when_outlined_then_sections_follow_the_eight_systems(extracted):
    _, r = extracted["002_3ed9f38cde86c434.txt"]
    systems = [h.system for h in r.outline if h.parent is None][1:9]
    assert systems == ["functions", "rules", "decisions", "enforcement", "emergencies", "disputes", "oversight",
                       "technology"]


# --- bad input --------------------------------------------------------------
@pytest.mark.parametrize("data, words", [
    (b"", "为空"), (b"   \n\n ", "为空"), (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
    (b"abc\x00\x01\x02" * 100, "二进制"), (b"PK\x03\x04not-a-zip", "压缩包"),
])
def test_given_unreadable_bytes_when_read_then_a_chinese_message_says_why(data, words):
    with pytest.raises(ReportInputError) as exc:
        text.read_bytes(data, "x.txt")
    assert words in str(exc.value)


@pytest.mark.parametrize("name, encoding", [("000_13f51294800087fc.txt", "gb18030"),
                                            ("004_9e406318b9223388.txt", "big5")])
def test_given_a_report_in_a_legacy_encoding_when_read_then_it_is_detected_and_converted(name, encoding):
    original = SEEDS[name].decode("utf-8")
    data = original.encode(encoding, errors="replace")
    decoded, detected, kind = text.read_bytes(data, "r.txt")
    assert detected == encoding and kind == "txt"
    assert decoded.replace("?", "") == original.encode(encoding, errors="replace").decode(encoding).replace("?", "")
    assert extract.extract(text.clean(decoded)).year == 2020


def test_given_a_saved_html_page_when_read_then_scripts_go_and_paragraphs_stay():
    body = SEEDS["003_650c11a8165dddab.txt"].decode()
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>蓟州区</title><script>var a=1;</script>"
            "<style>p{}</style></head><body><div class='nav'>首页 > 政务公开 > 法治政府</div>"
            + "".join(f"<p>{line}</p>" for line in body.split("\n") if line.strip()) + "</body></html>")
    decoded, _, kind = text.read_bytes(html.encode("utf-8"), "page.html")
    assert kind == "html" and "var a" not in decoded and "p{}" not in decoded
    doc = text.clean(decoded)
    r = extract.extract(doc)
    assert r.region == "天津市蓟州区" and r.year == 2021
    assert any(f.metric == "reconsideration.concluded" and f.value == 90 for f in r.facts)


def test_given_a_report_saved_as_docx_when_extracted_then_the_same_facts_as_from_the_text(extracted):
    import io

    import docx

    name = "002_3ed9f38cde86c434.txt"
    document = docx.Document()
    for line in SEEDS[name].decode("utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    decoded, _encoding, kind = text.read_bytes(buffer.getvalue(), "report.docx")
    assert kind == "docx"
    _doc, from_docx = _extract(buffer.getvalue(), "report.docx")
    _doc, from_text = extracted[name]
    facts = lambda result: sorted((f.metric or "", f.value, f.unit) for f in result.facts)  # noqa: E731
    assert from_docx.year == from_text.year and from_docx.region == from_text.region
    assert facts(from_docx) == facts(from_text) and facts(from_docx)
