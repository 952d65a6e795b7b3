"""Calendar pages (/calendar/): everyone logged in reads; only administrators upload."""
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fazhi.core.models import AuditRecord, CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
EXAMPLE_2027 = Path(settings.PROJECT_DIR) / "docs/examples/calendar-2027-example.txt"


def example_upload(name="calendar-2027-example.txt", content: bytes | None = None):
    return SimpleUploadedFile(name, EXAMPLE_2027.read_bytes() if content is None else content, "text/plain")


def test_given_no_login_then_the_calendar_redirects_to_login(client):
    for url in ("/calendar/", "/calendar/2025/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_given_an_operator_then_the_years_are_listed_without_the_upload_form(client_of):
    html = client_of("住建局经办人").get("/calendar/").content.decode()
    assert "2026年" in html and "2004年" in html and "chinesecalendar" in html
    assert 'type="file"' not in html


def test_given_an_operator_or_an_auditor_when_uploading_then_403_and_nothing_loaded(client_of):
    for key in ("住建局经办人", "人大监督员", "司法局协调员"):
        response = client_of(key).post("/calendar/", {"file": example_upload()})
        assert response.status_code == 403, key
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_given_the_administrator_when_uploading_the_2027_example_then_it_is_loaded_and_audited(client_of, persona):
    client = client_of("系统管理员")
    assert 'type="file"' in client.get("/calendar/").content.decode()
    response = client.post("/calendar/", {"file": example_upload()})
    assert response.status_code == 302 and response["Location"] == "/calendar/2027/"
    assert CalendarDay.objects.filter(date__year=2027).count() == 35
    assert AuditRecord.objects.get(action="calendar.load").actor == persona("系统管理员")
    page = client.get("/calendar/2027/").content.decode()
    assert "已新增 2027 年日历" in page  # the flash message
    assert "2027-02-05 至 2027-02-13" in page and "春节调休" in page


def test_given_a_superuser_without_membership_then_the_upload_is_allowed(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="Root@2026-pass")
    client = Client()
    client.force_login(root)
    assert client.post("/calendar/", {"file": example_upload()}).status_code == 302


def test_given_a_bad_file_then_every_line_error_is_shown_and_nothing_loaded(client_of):
    bad = "2027-02-05~2027-02-13 休 春节\n2027-02-30 休\n2027-03-01 放羊\n".encode()
    response = client_of("系统管理员").post("/calendar/", {"file": example_upload("bad.txt", bad)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "第 2 行：日期 2027-02-30 不存在" in html and "第 3 行：类型“放羊”无法识别" in html
    assert "未载入任何数据" in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditRecord.objects.filter(action="calendar.load").exists()


def test_given_no_file_then_the_administrator_is_asked_for_one(client_of):
    response = client_of("系统管理员").post("/calendar/", {})
    assert response.status_code == 400 and "请选择要载入的节假日安排文件" in response.content.decode()


def test_given_a_loaded_year_then_its_page_lists_holidays_and_make_up_days_in_chinese(client_of):
    html = client_of("住建局经办人").get("/calendar/2024/").content.decode()
    assert "春节" in html and "2024-02-10 至 2024-02-17" in html
    assert "2024-02-04" in html and "2024-02-18" in html and "星期日" in html
    assert "Spring Festival" not in html


def test_given_a_year_without_data_then_its_page_says_so(client_of):
    html = client_of("住建局经办人").get("/calendar/2027/").content.decode()
    assert "2027年尚无节假日安排数据" in html


def test_given_the_text_download_then_it_is_the_load_format(client_of):
    response = client_of("住建局经办人").get("/calendar/2025/?format=txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "2025-05-01~2025-05-05 休 劳动节" in response.content.decode()
