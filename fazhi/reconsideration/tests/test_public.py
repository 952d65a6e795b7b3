"""Public pages: online application (no account, CSRF, rate limit, 查询码 once) and the status page
(nothing but stage, next deadline and documents; an unknown code always gets the same answer)."""
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from fazhi.core import clocks
from fazhi.core.workdays import get_calendar
from fazhi.reconsideration import public, services
from fazhi.reconsideration.models import Case

D = dt.date
APPLICANT = {"name": "李建华", "id": "11010519491231002X", "phone": "13800001111", "address": "云溪区青石街道青石路8号"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the rate-limit counters live in the default (LocMem) cache
    yield
    cache.clear()


def _form(**over):
    today = clocks.today()
    data = {"applicant_kind": "person", "applicant_name": APPLICANT["name"], "id_number": APPLICANT["id"],
            "phone": APPLICANT["phone"], "address": APPLICANT["address"], "respondent": "YX-ZJJ",
            "act_description": "责令限期拆除违法建设决定（云建罚〔2026〕7号）",
            "act_known_on": (today - dt.timedelta(days=10)).isoformat(), "request_text": "撤销该决定",
            "reasons": "该建筑系合法建设，有规划许可。", "pledge": "on"}
    data.update(over)
    return data


def _client(ip="203.0.113.7", **kw):
    return Client(REMOTE_ADDR=ip, **kw)


def _normalised(html: str) -> str:
    # The per-request id and the masked CSRF token differ on every response by design.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r"<code>[0-9a-f-]{8,}</code>", "", html)


def test_given_no_account_when_opening_the_application_page_then_the_form_lists_the_governments_units(office):
    r = _client().get("/public/reconsideration/apply/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "网上申请行政复议" in html and "csrfmiddlewaretoken" in html
    assert "云溪区住房和城乡建设局" in html and "云溪区青石街道办事处" in html
    assert '<option value="YX">' not in html  # the government itself is the 复议机关, not a respondent


def test_given_a_complete_application_when_submitted_then_the_case_is_registered_online_and_the_code_shown_once(office):
    r = _client().post("/public/reconsideration/apply/", _form())
    html = r.content.decode()
    assert r.status_code == 200, html
    code = re.search(r'<code id="tracking-code">([^<]+)</code>', html).group(1)
    assert len(services.normalise_tracking_code(code)) == 12
    assert "只显示这一次" in html
    case = Case.objects.get()
    assert case.channel == Case.Channel.ONLINE and case.state == "received" and not case.late_flag
    assert case.received_on == clocks.today() and case.respondent_unit.code == "YX-ZJJ"
    assert case.applicants.get().id_number == APPLICANT["id"]
    assert code not in case.tracking_code_hash and services.find_by_tracking_code(code) == case
    assert r["Cache-Control"].startswith("max-age=0")  # never_cache: the code must not sit in a cache
    # The review period of 5 working days runs from today (第三十条).
    assert clocks.clock_of(case, "acceptance").due_date == get_calendar().add_workdays(clocks.today(), 5)


def test_given_an_application_after_sixty_days_then_it_is_registered_and_flagged_not_refused(office):
    known = clocks.today() - dt.timedelta(days=120)
    r = _client().post("/public/reconsideration/apply/", _form(act_known_on=known.isoformat()))
    assert r.status_code == 200 and "可能已超过六十日" in r.content.decode()
    case = Case.objects.get()
    assert case.late_flag and "第二十条第一款" in case.late_reason and case.state == "received"


def test_given_a_bad_resident_id_then_nothing_is_registered_and_the_error_is_chinese(office):
    r = _client().post("/public/reconsideration/apply/", _form(id_number="110105194912310021"))
    assert r.status_code == 400 and "居民身份证号码无效" in r.content.decode()
    assert not Case.objects.exists()


def test_given_an_attachment_that_is_an_executable_then_the_whole_application_is_refused(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evil = SimpleUploadedFile("证据.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    r = _client().post("/public/reconsideration/apply/", {**_form(), "attachments": [evil]})
    assert r.status_code == 400
    assert not Case.objects.exists()  # all or nothing: no case without its files


def test_given_a_pdf_attachment_then_it_is_stored_with_the_case(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fazhi.core.models import Attachment

    pdf = SimpleUploadedFile("处罚决定书.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                             content_type="application/pdf")
    r = _client().post("/public/reconsideration/apply/", {**_form(), "attachments": [pdf]})
    assert r.status_code == 200, r.content.decode()
    case = Case.objects.get()
    att = Attachment.objects.get()
    assert att.owner_id == case.pk and att.unit == case.unit and att.original_name == "处罚决定书.pdf"


def test_given_a_post_without_csrf_token_then_it_is_refused(office):
    r = _client(enforce_csrf_checks=True).post("/public/reconsideration/apply/", _form())
    assert r.status_code == 403
    assert not Case.objects.exists()


def test_given_five_submissions_from_one_address_then_the_sixth_gets_the_chinese_429_page(office):
    c = _client("198.51.100.9")
    for _ in range(5):
        assert c.post("/public/reconsideration/apply/", _form()).status_code == 200
    r = c.post("/public/reconsideration/apply/", _form())
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode()
    assert Case.objects.count() == 5
    # Another address is not affected.
    assert _client("198.51.100.10").post("/public/reconsideration/apply/", _form()).status_code == 200


def _status(client, code):
    return client.post("/public/reconsideration/status/", {"code": code})


def test_given_unknown_codes_malformed_or_well_formed_then_the_answer_is_identical(register):
    case, real = register(D(2025, 9, 26))
    c = _client()
    bodies = []
    for code in ("", "abc", "ABCD-EFGH-JKMN", "ZZZZ-ZZZZ-ZZZZ", real[:-1] + ("2" if real[-1] != "2" else "3"),
                 "x" * 500):
        r = _status(c, code)
        assert r.status_code == 200
        bodies.append(_normalised(r.content.decode()))
    assert len(set(bodies)) == 1
    assert "未查询到" in bodies[0] and "ABCD" not in bodies[0]


def test_given_any_code_then_the_lookup_takes_the_same_path_one_query(register, django_assert_num_queries):
    case, real = register(D(2025, 9, 26))
    for code in ("", "abc", "ABCD-EFGH-JKMN", real):
        with django_assert_num_queries(1):
            public.find_case(code)
    assert public.find_case(real.lower().replace("-", "")) == case


def test_given_a_code_then_the_page_shows_stage_deadline_and_documents_and_no_personal_data(register, persona):
    # Received on the Friday before the 2025 National Day holiday (1–8 October, with Sunday
    # 28 September a working day): the 5 working days are 28, 29, 30 September, 9 and 10 October.
    case, code = register(D(2025, 9, 26), act_description="不予登记决定（保密行为描述）",
                          applicants=[{"name": "欧阳明珠", "id_number": "11010519491231002X",
                                       "phone": "13912345678", "address": "云溪区白沙街道白沙路66号"}])
    other, _ = register(D(2025, 9, 26), respondent="YX-SCJG")
    c = _client()
    html = _status(c, code).content.decode()
    assert "受理审查中" in html and "2025年10月10日" in html
    staff = persona("复议专员")
    case = services.do_accept(case, staff, version=case.version, on=D(2025, 9, 30))
    services.do_request_correction(other, staff, version=other.version, on=D(2025, 9, 29), items="补充身份证明")
    html = _status(c, code).content.decode()
    # 60 days from 30 September end on Saturday 29 November 2025, so on Monday 1 December.
    assert "已受理，审理中" in html and "审理期限：2025年12月1日" in html
    assert "受理通知书" in html and "2025年9月30日" in html
    assert "补正通知书" not in html  # the other case's document
    for secret in ("欧阳明珠", "11010519491231002X", "13912345678", "白沙路", "保密行为描述", "住房和城乡建设",
                   "区住建局", "YX-ZJJ", "云府复", case.tracking_code_hash, "复议专员", "何佳宁"):
        assert secret not in html, secret


def test_given_twenty_lookups_from_one_address_then_the_next_gets_429(register):
    _case, code = register(D(2025, 9, 26))
    c = _client("192.0.2.44")
    for i in range(20):
        assert _status(c, "ABCD-EFGH-JKM" + "23456789ABCDEFGHJKMNPQRSTUVWXYZ"[i]).status_code == 200
    r = _status(c, code)  # even the right code: the limit counts attempts
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode() and "受理审查中" not in r.content.decode()


def test_given_a_get_of_the_status_page_then_no_code_is_taken_from_the_url(register):
    _case, code = register(D(2025, 9, 26))
    html = _client().get(f"/public/reconsideration/status/?code={code}").content.decode()
    assert "受理审查中" not in html and "查询码" in html
