"""期限计算器 page (/deadline/): plain form post, htmx fragment, explanations, warnings, errors."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client_of):
    return client_of("住建局经办人")


def form(**values):
    data = {"start": "", "amount": "", "unit": "wd", "extend": "", "pause_from": ["", "", ""], "pause_to": ["", "", ""]}
    data.update(values)
    return data


def test_given_no_login_then_redirected_to_login(client):
    response = client.get("/deadline/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_given_the_empty_form_then_every_field_and_the_csrf_token_are_there(staff):
    html = staff.get("/deadline/").content.decode()
    for name in ('name="start"', 'name="amount"', 'name="unit"', 'name="extend"', 'name="pause_from"',
                 'name="csrfmiddlewaretoken"', 'hx-post="/deadline/"'):
        assert name in html
    assert "style=" not in html and "onclick" not in html


def test_given_the_issue_example_when_posted_then_the_due_date_and_the_skipped_days(staff):
    response = staff.post("/deadline/", form(start="2025-09-26", amount="20"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2025-10-30" in html and "星期四" in html
    assert "国庆节：2025-10-01 至 2025-10-05（5 天）" in html
    assert "2025-10-11（星期六）国庆节" in html  # the make-up Saturday that counted
    assert "2025-09-28（星期日）国庆节" in html
    assert "<html" in html  # a full page without JavaScript


def test_given_a_calendar_day_limit_ending_on_a_holiday_then_the_page_says_it_rolled(staff):
    html = staff.post("/deadline/", form(start="2025-09-01", amount="30", unit="d")).content.decode()
    assert "2025-10-09" in html
    assert "2025-10-01（星期三）不是工作日，顺延至其后第一个工作日 2025-10-09" in html


def test_given_pauses_and_an_extension_then_they_are_applied_and_listed(staff):
    data = form(start="2025-09-26", amount="20", extend="2",
                pause_from=["2025-10-09", "2025-10-20", ""], pause_to=["2025-10-10", "2025-10-20", ""])
    html = staff.post("/deadline/", data).content.decode()
    assert "届满日：<span class=\"due-date\">2025-11-06</span>" in html
    assert "中止 2025-10-09 至 2025-10-10（2 天，不计入）" in html
    assert "22个工作日（含延长）" in html


def test_given_htmx_then_only_the_result_fragment_is_returned(staff):
    response = staff.post("/deadline/", form(start="2025-09-26", amount="20"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "2025-10-30" in html and "<html" not in html


def test_given_a_year_without_data_then_the_page_shows_the_warning(staff):
    html = staff.post("/deadline/", form(start="2026-12-20", amount="20")).content.decode()
    assert "2027-01-15" in html and "2027年的法定节假日安排尚未载入日历" in html


@pytest.mark.parametrize("values, fragment", [
    ({"start": "2025-02-30", "amount": "20"}, "日期不存在"),
    ({"start": "", "amount": "20"}, "请填写起算日"),
    ({"start": "2025-09-26", "amount": "abc"}, "1 至 3650 之间的整数"),
    ({"start": "2025-09-26", "amount": "20", "pause_from": ["2025-11-05", "", ""], "pause_to": ["2025-11-06", "", ""]},
     "不在期限之内"),
    ({"start": "2025-09-26", "amount": "20", "pause_from": ["2025-10-09", "", ""], "pause_to": ["", "", ""]},
     "须同时填写开始日和结束日"),
])
def test_given_bad_input_then_a_chinese_error_and_the_values_are_kept(staff, values, fragment):
    response = staff.post("/deadline/", form(**values))
    html = response.content.decode()
    assert response.status_code == 400 and fragment in html and "无法计算" in html
    assert f'value="{values["start"]}"' in html


def test_given_bad_input_with_htmx_then_the_error_fragment_is_swapped_in(staff):
    response = staff.post("/deadline/", form(start="2025-02-30", amount="20"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "日期不存在" in response.content.decode()
