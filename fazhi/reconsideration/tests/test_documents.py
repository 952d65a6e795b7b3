"""行政复议文书 as DOCX: figures from the case and the real calendar, 公文 styles, numbering, scoping.

Dates: a case accepted on 2025-09-30, the eve of National Day 2025 (10-01…10-08 off, 09-28 and
10-11 worked in exchange). Trial period 60 days → 2025-11-29 (Saturday) → 2025-12-01 (第六十二条,
第八十八条); reply 10 working days from 09-30 → 2025-10-21 (第四十八条).
"""
import datetime as dt
import io
import zipfile

import docx
import pytest
from django.http import Http404

from fazhi.core.documents import style_fonts
from fazhi.core.models import AuditRecord, IssuedNumber
from fazhi.core.procedure import RoleDenied
from fazhi.reconsideration import documents, services
from fazhi.reconsideration.doc_templates import build_templates

D = dt.date
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ACT = "责令限期拆除违法建设决定（云建罚〔2025〕7号）"


def text_of(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in d.paragraphs)


def staff(persona):
    return persona("复议专员")


def gen(case, kind, user, **kw):
    return documents.generate_document(case, kind, user, **kw)


@pytest.fixture
def accepted_case(accepted):
    return accepted(D(2025, 9, 26), D(2025, 9, 30))


@pytest.fixture
def replied_case(accepted_case, persona):
    return services.do_send_copy(accepted_case, staff(persona), version=accepted_case.version, on=D(2025, 9, 30))


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------
def test_given_a_case_accepted_on_the_eve_of_national_day_then_the_acceptance_notice_names_the_parties_and_the_trial_deadline(
        accepted_case, persona):
    out = gen(accepted_case, "acceptance", staff(persona))
    text = text_of(out.content)
    assert out.number == "云府复受〔2025〕1号"
    assert out.filename == "行政复议受理通知书（云府复受〔2025〕1号）.docx"
    assert "行政复议受理通知书" in text and "云府复受〔2025〕1号" in text
    assert "李建华：" in text  # the addressee, with a full-width colon
    assert "2025年9月26日" in text and "2025年9月30日" in text
    assert accepted_case.number in text  # 案号 云府复〔2025〕1号
    assert "即于2025年12月1日前作出行政复议决定" in text  # 11-29 is a Saturday → Monday
    assert "第三十条第一款" in text and "第六十二条第一款" in text and "七个工作日" not in text
    assert "7个工作日内" in text  # 第四十八条: copy within 7 working days
    assert text.rstrip().endswith("云溪区人民政府\n2025年9月30日")


def test_given_the_simplified_procedure_then_the_acceptance_notice_gives_thirty_days_under_article_62_2(accepted, persona):
    case = accepted(D(2025, 9, 26), D(2025, 9, 30), procedure_type="simplified", simplified_ground="warning")
    text = text_of(gen(case, "acceptance", staff(persona)).content)
    assert "适用简易程序审理" in text and "第六十二条第二款" in text
    assert "30日内，即于2025年10月30日前" in text and "第五十四条" in text and "3个工作日内" in text
    assert "延长期限最多不超过三十日" not in text


def test_given_a_deemed_acceptance_then_the_notice_cites_article_30_2_and_the_expiry_day(register, persona):
    case, _ = register(D(2025, 9, 30))  # review: 10-09, 10, 11 (调休), 13, 14 → expires 2025-10-14
    services.tick(D(2025, 10, 15))
    case.refresh_from_db()
    text = text_of(gen(case, "acceptance", staff(persona)).content)
    assert "第三十条第二款" in text and "即2025年10月14日起视为受理" in text
    assert "即于2025年12月15日前" in text  # 10-14 + 60 days = 12-13 (Saturday) → Monday 12-15


def test_given_a_correction_request_then_the_notice_lists_every_item_and_the_ten_working_day_deadline(register, persona):
    case, _ = register(D(2025, 9, 28))
    case = services.do_request_correction(case, staff(persona), version=case.version, on=D(2025, 9, 30),
                                          items="申请人身份证明复印件\n被申请行政复议的行政行为的决定书")
    out = gen(case, "correction", staff(persona))
    text = text_of(out.content)
    assert out.number == "云府复补〔2025〕1号"
    assert "1. 申请人身份证明复印件" in text and "2. 被申请行政复议的行政行为的决定书" in text
    # 10 working days from 09-30: 10-09, 10, 11 (调休), 13, 14, 15, 16, 17, 20, 21.
    assert "补正期限计至2025年10月21日" in text
    assert "第三十一条第一款" in text and "视为你（单位）放弃行政复议申请" in text


def test_given_a_refusal_then_the_decision_gives_the_reasons_and_the_remedy(register, persona):
    case, _ = register(D(2025, 9, 28))
    case = services.do_refuse(case, staff(persona), version=case.version, on=D(2025, 9, 30),
                              reason="申请人与被申请行政复议的行政行为没有利害关系。")
    text = text_of(gen(case, "refusal", staff(persona)).content)
    assert "不予受理行政复议申请决定书" in text and "云府复不受〔2025〕1号" in text
    assert "申请人：李建华，住址：云溪区青石街道青石路 8 号。" in text
    assert "330102198001011234" not in text  # ID numbers are not needed in the document
    assert "经审查，本机关认为：申请人与被申请行政复议的行政行为没有利害关系。" in text
    assert "决定不予受理" in text and "第三十四条" in text and text.rstrip().endswith("2025年9月30日")


def test_given_the_copy_sent_then_the_reply_notice_tells_the_respondent_its_deadline_and_article_70(replied_case, persona):
    text = text_of(gen(replied_case, "reply_notice", staff(persona)).content)
    assert "云溪区住房和城乡建设局：" in text
    assert "第四十八条" in text and "10个工作日内" in text and "至2025年10月21日届满" in text
    assert "第七十条" in text and "附件：行政复议申请书副本" in text


def test_given_a_hearing_then_the_notice_gives_time_place_and_the_five_working_day_rule(replied_case, persona):
    services.do_schedule_hearing(replied_case, staff(persona), version=replied_case.version, held_on=D(2025, 10, 15),
                                 notice_on=D(2025, 10, 9), place="云溪区司法局三楼听证室", presider="何佳宁")
    text = text_of(gen(replied_case, "hearing", staff(persona)).content)
    assert "听证时间：2025年10月15日" in text and "云溪区司法局三楼听证室" in text and "何佳宁" in text
    assert "第五十条" in text and "第五十一条" in text
    assert text.rstrip().endswith("2025年10月9日")


def test_given_an_approved_extension_then_the_notice_gives_the_old_and_new_due_dates(replied_case, persona, demo_gov):
    case = services.do_extend(replied_case, staff(persona), version=replied_case.version, on=D(2025, 11, 20), days=30,
                              approver=persona("司法局负责人"), notice_on=D(2025, 11, 21), reason="案情复杂，需要现场勘验")
    out = gen(case, "extension", staff(persona))
    text = text_of(out.content)
    assert out.number == "云府复延〔2025〕1号"
    assert "因案情复杂，需要现场勘验" in text and "延长30日" in text
    assert "2025年12月1日届满" in text  # the 60-day period
    assert "至2025年12月29日届满" in text  # 09-30 + 90 days = 12-29 (Monday)
    assert "第六十二条第一款" in text


def test_given_suspension_and_resumption_then_each_notice_has_its_ground_and_the_resumed_due_date(replied_case, persona):
    case = services.do_suspend(replied_case, staff(persona), version=replied_case.version, on=D(2025, 10, 20),
                               ground="1", notice_on=D(2025, 10, 20))
    text = text_of(gen(case, "suspension", staff(persona)).content)
    assert "第三十九条第一款第一项" in text and "作为申请人的自然人死亡" in text
    assert "自2025年10月20日起中止" in text
    assert "至2025年12月19日" in text  # 60 days of suspension on ground (一) → 第四十一条第五项
    with pytest.raises(documents.DocumentUnavailable, match="本案没有恢复审理"):
        gen(case, "resumption", staff(persona))
    case = services.do_resume(case, staff(persona), version=case.version, on=D(2025, 11, 3))
    text = text_of(gen(case, "resumption", staff(persona)).content)
    # 20 days used (09-30 → 10-20); 40 left from 11-03 → 12-13 (Saturday) → 12-15.
    assert "自2025年11月3日起恢复审理" in text and "本案审理期限至2025年12月15日届满" in text


def test_given_a_revocation_then_the_decision_carries_the_case_number_and_the_operative_part(replied_case, persona):
    user = staff(persona)
    services.do_record_reply(replied_case, user, version=replied_case.version, on=D(2025, 10, 17),
                             summary="拆除决定认定事实清楚。")
    case = services.do_decide(replied_case, user, version=replied_case.version + 1, on=D(2025, 11, 28),
                              outcome="revoked", reason="被申请人未履行催告程序，程序违法。")
    out = gen(case, "decision", user)
    text = text_of(out.content)
    assert out.number == case.number == "云府复〔2025〕1号"
    assert "行政复议决定书" in text and "被申请人：云溪区住房和城乡建设局。" in text
    assert "被申请人于2025年10月17日提出书面答复称：拆除决定认定事实清楚。" in text
    assert "本机关认为：被申请人未履行催告程序，程序违法。" in text
    assert f"撤销被申请人作出的{ACT}。" in text and "第六十四条" in text
    assert "第七十五条" in text and "十五日内" in text and text.rstrip().endswith("2025年11月28日")
    assert not IssuedNumber.objects.filter(sequence__doc_type="行政复议决定书").exists()


def test_given_a_mediation_then_the_mediation_document_lists_the_terms_and_signature_lines(replied_case, persona):
    case = services.do_mediate(replied_case, staff(persona), version=replied_case.version, on=D(2025, 11, 10),
                               summary="被申请人给予申请人补偿5万元。\n申请人不再就此事申请行政复议。")
    text = text_of(gen(case, "mediation", staff(persona)).content)
    assert "行政复议调解书" in text and "云府复调〔2025〕1号" in text
    assert "被申请人给予申请人补偿5万元。" in text and "申请人不再就此事申请行政复议。" in text
    assert "第七十三条" in text and "申请人（签字或者签章）：" in text


def test_given_user_text_with_markup_characters_then_the_document_stays_valid(register, persona):
    case, _ = register(D(2025, 9, 28), act_description="关于<A&B>公司的处罚决定")
    case = services.do_accept(case, staff(persona), version=case.version, on=D(2025, 9, 30))
    assert "关于<A&B>公司的处罚决定" in text_of(gen(case, "acceptance", staff(persona)).content)


# ---------------------------------------------------------------------------
# Layout (GB/T 9704) of every kind
# ---------------------------------------------------------------------------
def test_given_every_kind_of_document_then_each_opens_with_the_official_styles_margins_and_page_number(
        replied_case, persona, register):
    user = staff(persona)
    case = services.do_schedule_hearing(replied_case, user, version=replied_case.version, held_on=D(2025, 10, 15),
                                        notice_on=D(2025, 10, 9), place="听证室").case
    case.refresh_from_db()
    case = services.do_extend(case, user, version=case.version, on=D(2025, 10, 20), days=10,
                              approver=persona("司法局负责人"), notice_on=D(2025, 10, 20), reason="情况复杂")
    case = services.do_suspend(case, user, version=case.version, on=D(2025, 10, 21), ground="8")
    case = services.do_resume(case, user, version=case.version, on=D(2025, 10, 27))
    case = services.do_decide(case, user, version=case.version, on=D(2025, 11, 3), outcome="upheld")
    other, _ = register(D(2025, 9, 28))
    other = services.do_request_correction(other, user, version=other.version, on=D(2025, 9, 29), items="身份证明")
    outputs = [gen(case, k, user) for k in ("acceptance", "reply_notice", "hearing", "extension", "suspension",
                                            "resumption", "decision")]
    outputs.append(gen(other, "correction", user))
    assert len({o.number for o in outputs}) == len(outputs)
    # No reply by 2025-10-21 (第四十八条), decided on 11-03: the decision records it (第七十条).
    assert "被申请人未在法定期限内提出书面答复" in text_of(outputs[6].content)
    for out in outputs:
        d = docx.Document(io.BytesIO(out.content))
        styles = d.styles
        assert style_fonts(styles["Normal"])["eastAsia"] == "仿宋_GB2312", out.filename
        assert style_fonts(styles["Title"])["eastAsia"] == "方正小标宋简体"
        assert style_fonts(styles["Heading 1"])["eastAsia"] == "黑体"
        assert style_fonts(styles["Heading 2"])["eastAsia"] == "楷体_GB2312"
        assert styles["Normal"].font.size.pt == 16 and styles["Title"].font.size.pt == 22
        assert styles["Normal"].paragraph_format.line_spacing.pt == 28
        assert styles["Normal"].paragraph_format.first_line_indent.pt == 32  # two characters of 16 pt
        title = next(p for p in d.paragraphs if p.style.name == "Title")
        assert title.text == out.kind.label and title.alignment is None  # centred by its style
        body = [p for p in d.paragraphs if p.style.name == "Normal" and p.text]
        assert body and all("{{" not in p.text and "{%" not in p.text for p in d.paragraphs)
        sec = d.sections[0]
        assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
        assert [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
        for footer in (sec.footer, sec.even_page_footer):
            xml = footer._element.xml
            assert "PAGE" in xml and "fldChar" in xml and footer.paragraphs[0].text == "— 1 —"
        assert d.settings.odd_and_even_pages_header_footer
        assert d.core_properties.title == out.filename[:-5]
        with zipfile.ZipFile(io.BytesIO(out.content)) as z:
            assert "word/stylesWithEffects.xml" not in z.namelist()


def test_given_the_build_script_then_the_templates_in_the_repository_are_up_to_date():
    """The DOCX files are generated by build_templates.py: the script and the files must agree."""
    for kind in build_templates.BUILDERS:
        built = io.BytesIO()
        build_templates.build(kind).document.save(built)
        with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(build_templates.path_of(kind)) as kept:
            for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/settings.xml"):
                names = fresh.namelist()
                if part in names:
                    assert fresh.read(part) == kept.read(part), f"{kind}.docx 的 {part} 与 build_templates.py 不一致，请重新生成模板"
    assert set(build_templates.BUILDERS) == set(documents.KINDS)


# ---------------------------------------------------------------------------
# Numbering, rights, audit
# ---------------------------------------------------------------------------
def test_given_a_document_downloaded_twice_then_its_number_is_issued_once_and_reused(accepted_case, persona, register):
    first = gen(accepted_case, "acceptance", staff(persona))
    again = gen(accepted_case, "acceptance", staff(persona))
    assert first.number == again.number == "云府复受〔2025〕1号"
    assert IssuedNumber.objects.filter(sequence__doc_type="行政复议受理通知书").count() == 1
    other, _ = register(D(2025, 9, 28))
    other = services.do_accept(other, staff(persona), version=other.version, on=D(2025, 9, 30))
    assert gen(other, "acceptance", staff(persona)).number == "云府复受〔2025〕2号"
    assert AuditRecord.objects.filter(action="number.issue", object_repr="云府复受〔2025〕1号").count() == 1


def test_given_a_document_then_every_generation_is_logged_as_a_view_of_personal_data(accepted_case, persona):
    before = AuditRecord.objects.filter(action="view_personal_data", object_id=str(accepted_case.pk)).count()
    gen(accepted_case, "acceptance", staff(persona))
    gen(accepted_case, "acceptance", persona("住建局经办人"))
    logs = AuditRecord.objects.filter(action="view_personal_data", object_id=str(accepted_case.pk)).order_by("seq")
    assert logs.count() == before + 2
    last = logs.last()
    assert last.actor.username == "zjj_operator" and "云府复受〔2025〕1号" in last.changes["查看"]


def test_given_the_respondent_operator_then_it_may_download_a_numbered_document_but_not_number_one(accepted_case, persona):
    with pytest.raises(RoleDenied, match="只有行政复议机构的工作人员可以编号制发"):
        gen(accepted_case, "acceptance", persona("住建局经办人"))
    assert not IssuedNumber.objects.filter(sequence__doc_type="行政复议受理通知书").exists()
    gen(accepted_case, "acceptance", staff(persona))
    assert gen(accepted_case, "acceptance", persona("住建局经办人")).number == "云府复受〔2025〕1号"


def test_given_an_operator_of_another_unit_then_the_case_documents_do_not_exist_for_them(accepted_case, persona):
    gen(accepted_case, "acceptance", staff(persona))
    with pytest.raises(Http404):
        gen(accepted_case, "acceptance", persona("市监局经办人"))


def test_given_a_document_of_a_later_stage_then_it_is_refused_with_the_reason(register, persona):
    case, _ = register(D(2025, 9, 28))
    with pytest.raises(documents.DocumentUnavailable, match="本案尚未受理（《行政复议法》第三十条）"):
        gen(case, "acceptance", staff(persona))
    with pytest.raises(documents.DocumentUnavailable, match="本案尚未作出行政复议决定"):
        gen(case, "decision", staff(persona))
    assert not IssuedNumber.objects.filter(sequence__doc_type__startswith="行政复议受理").exists()


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
def test_given_the_office_page_then_a_post_numbers_and_downloads_and_a_link_downloads_again(accepted_case, client_of):
    c = client_of("复议专员")
    url = f"/reconsideration/{accepted_case.pk}/documents/"
    page = c.get(url)
    assert page.status_code == 200 and "行政复议受理通知书" in page.content.decode() and "编号并下载" in page.content.decode()
    assert c.get(url, {"kind": "acceptance"}).status_code == 409  # a link never numbers
    r = c.post(url, {"kind": "acceptance"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r["Content-Disposition"].startswith("attachment;") and r["Cache-Control"] == "no-store"
    content = b"".join(r.streaming_content)
    assert "云府复受〔2025〕1号" in text_of(content)
    again = c.get(url, {"kind": "acceptance"})
    assert again.status_code == 200 and "云府复受〔2025〕1号" in text_of(b"".join(again.streaming_content))
    assert "云府复受〔2025〕1号" in c.get(url).content.decode()


def test_given_an_outsider_then_the_documents_page_and_download_answer_404(accepted_case, client_of):
    client_of("复议专员").post(f"/reconsideration/{accepted_case.pk}/documents/", {"kind": "acceptance"})
    c = client_of("市监局经办人")
    url = f"/reconsideration/{accepted_case.pk}/documents/"
    assert c.get(url).status_code == 404
    assert c.get(url, {"kind": "acceptance"}).status_code == 404
    assert c.post(url, {"kind": "acceptance"}).status_code == 404


def test_given_an_unavailable_document_then_the_page_says_why_in_chinese(register, client_of):
    case, _ = register(D(2025, 9, 28))
    r = client_of("复议专员").post(f"/reconsideration/{case.pk}/documents/", {"kind": "decision"})
    assert r.status_code == 409 and "本案尚未作出行政复议决定" in r.content.decode()



def test_given_the_case_page_then_it_links_to_the_documents(accepted_case, client_of):
    html = client_of("复议专员").get(f"/reconsideration/{accepted_case.pk}/").content.decode()
    assert f'href="/reconsideration/{accepted_case.pk}/documents/"' in html


def test_given_the_respondent_operator_then_an_unnumbered_document_link_says_the_office_must_issue_it(accepted_case, client_of):
    r = client_of("住建局经办人").get(f"/reconsideration/{accepted_case.pk}/documents/", {"kind": "acceptance"})
    assert r.status_code == 409 and "须由行政复议机构编号制发后才能下载" in r.content.decode()
    assert "编号并下载" not in r.content.decode()
