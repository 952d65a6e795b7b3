"""GET /api/deadline: the calculator as JSON; bad input is 400 {"code": "invalid_input", "message": 中文}."""
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_of):
    client = client_of("住建局经办人")

    def get(**params):
        query = urlencode([(k, v) for k, values in params.items()
                           for v in (values if isinstance(values, list) else [values])])
        return client.get(f"/api/deadline?{query}")

    return get


def test_given_no_login_then_401_in_chinese(client):
    response = client.get("/api/deadline?start=2025-09-26&spec=20wd")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and "登录" in response.json()["message"]


def test_given_the_issue_example_then_the_due_date_and_the_rule(api):
    response = api(start="2025-09-26", spec="20wd")
    assert response.status_code == 200
    body = response.json()
    assert (body["due"], body["budget"], body["day_unit"], body["warnings"]) == ("2025-10-30", 20, "wd", [])
    assert "第八十八条" in body["citation_note"]


def test_given_calendar_days_then_rollover_and_the_rule_of_rollover(api):
    body = api(start="2024-01-11", spec="30d").json()
    assert (body["due"], body["day_unit"]) == ("2024-02-18", "d")  # 02-10 Spring Festival → make-up Sunday 02-18
    assert "以其后的第一个工作日为期间届满日" in body["citation_note"]


def test_given_repeated_pause_and_extend_parameters_then_all_apply(api):
    body = api(start="2025-09-26", spec="20wd", extend=["1wd", "1wd"],
               pause=["2025-10-09:2025-10-10", "2025-10-20:2025-10-20"]).json()
    assert (body["due"], body["budget"]) == ("2025-11-06", 22)


def test_given_a_year_without_data_then_the_warning_is_in_the_answer(api):
    body = api(start="2026-12-20", spec="20wd").json()
    assert body["due"] == "2027-01-15"
    assert len(body["warnings"]) == 1 and "2027年" in body["warnings"][0]


@pytest.mark.parametrize("params, fragment", [
    ({"start": "2025-09-26", "spec": "20x"}, "无法识别的期限写法"),
    ({"start": "2025-02-30", "spec": "20wd"}, "日期不存在"),
    ({"start": "2025-09-26", "spec": "20wd", "pause": "2025-11-05:2025-11-06"}, "不在期限之内"),
    ({"start": "2025-09-26", "spec": "20wd", "extend": "5d"}, "须与原期限"),
])
def test_given_bad_input_then_400_invalid_input_with_a_chinese_message(api, params, fragment):
    response = api(**params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input" and fragment in response.json()["message"]


def test_given_the_openapi_schema_then_pause_and_extend_are_repeatable_query_parameters(client):
    params = {p["name"]: p for p in client.get("/api/openapi.json").json()["paths"]["/api/deadline"]["get"]["parameters"]}
    assert params["pause"]["schema"]["type"] == "array" and params["extend"]["schema"]["type"] == "array"
    assert params["start"]["required"] and params["spec"]["required"]
