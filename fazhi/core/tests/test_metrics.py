"""The metrics registry, `fazhi metrics`, /api/metrics and the metrics pages.

Clock data are real: sample matters whose clocks run on the 2024/2025 calendar (National Day and
May Day 2025 with their make-up workdays), started and stopped through fazhi.core.clocks.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhi.core import clocks, metrics
from fazhi.core.metric_vocabulary import VOCABULARY
from fazhi.core.models import MetricDefinition

pytestmark = pytest.mark.django_db

VOCABULARY_CODES = [code for code, *_ in VOCABULARY]

# Issue 5, "Vocabulary": the codes that must be recognised.
ISSUE_5_CODES = (
    [f"reconsideration.{n}" for n in ("received accepted refused concluded upheld dismissed revoked altered "
                                      "confirmed_illegal corrected correction_rate mediated").split()]
    + [f"litigation.{n}" for n in ("cases", "head_appearances", "head_appearance_rate", "win_rate")]
    + [f"normdocs.{n}" for n in "issued reviewed filed review_rate filing_rate kept repealed revised".split()]
    + ["decisions.major", "legality.reviews"]
    + [f"enforcement.{n}" for n in ("penalties", "officers_certified", "supervision_opinions", "files_reviewed")]
    + [f"mediation.{n}" for n in ("cases", "success_rate", "organizations")]
    + [f"disclosure.{n}" for n in ("requests", "concluded", "proactive_items")]
    + [f"oversight.{n}" for n in ("npc_suggestions", "cppcc_proposals", "judicial_recommendations",
                                  "procuratorial_recommendations")]
    + ["counsel.legal_advisors", "counsel.public_lawyers", "legal_aid.cases", "hotline.calls",
       "training.sessions", "training.exam_participants"]
)


@pytest.fixture
def registry_snapshot():
    """Tests that register throw-away metrics leave the process-wide registry as they found it."""
    metrics.all_metrics()  # load modules and vocabulary first
    saved, saved_sources = dict(metrics._registry), dict(metrics._sources)
    yield
    metrics._registry.clear()
    metrics._registry.update(saved)
    metrics._sources.clear()
    metrics._sources.update(saved_sources)


@pytest.fixture
def clock_data(demo_gov):
    """Five clocks of the 5-working-day sample rule (sample.review, since 2024-01-01).

    - a: 住建局, started 2025-09-26, still running; due 2025-10-10 (Sep 28 is a make-up workday,
      Oct 1–8 National Day) → overdue in 2025;
    - b: 住建局, started 2025-03-03, stopped 2025-03-05, due 2025-03-10 → on time;
    - c: 住建局, started 2025-04-28, due 2025-05-08 (May 1–5 holiday), stopped 2025-05-12 → late;
    - d: 市监局, started 2025-09-26, still running → overdue in 2025, not counted for 住建局;
    - e: 住建局, started 2024-12-02, still running, due 2024-12-09 → overdue in 2024 only.
    """
    from tests.sample.models import SampleMatter

    def matter(unit_code, title):
        return SampleMatter.objects.create(unit=demo_gov.units[unit_code], state="review", title=title)

    made = {}
    for key, unit_code, start in [("a", "YX-ZJJ", dt.date(2025, 9, 26)), ("b", "YX-ZJJ", dt.date(2025, 3, 3)),
                                  ("c", "YX-ZJJ", dt.date(2025, 4, 28)), ("d", "YX-SCJG", dt.date(2025, 9, 26)),
                                  ("e", "YX-ZJJ", dt.date(2024, 12, 2))]:
        m = matter(unit_code, f"样例事项{key.upper()}")
        made[key] = (m, clocks.start_clock(m, "review", "sample.review", start))
    clocks.add_event(made["b"][1], "stop", dt.date(2025, 3, 5))
    clocks.add_event(made["c"][1], "stop", dt.date(2025, 5, 12))
    for key in made:
        made[key][1].refresh_from_db()
    return made


def _json_metrics(*args) -> dict:
    out = io.StringIO()
    call_command("metrics", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------
def test_given_the_calendar_then_the_sample_clocks_fall_due_on_real_dates(clock_data):
    assert clock_data["a"][1].due_date == dt.date(2025, 10, 10)
    assert clock_data["b"][1].due_date == dt.date(2025, 3, 10)
    assert clock_data["c"][1].due_date == dt.date(2025, 5, 8)
    assert clock_data["e"][1].due_date == dt.date(2024, 12, 9)


def test_given_the_registry_then_every_vocabulary_code_is_registered_with_chinese_label_and_unit():
    everything = metrics.all_metrics()

    assert len(VOCABULARY_CODES) == len(set(VOCABULARY_CODES))
    assert set(ISSUE_5_CODES) <= set(VOCABULARY_CODES)
    for code in ISSUE_5_CODES:
        m = everything[code]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in m.label), code
        assert m.unit in {"件", "宗", "%", "人", "次", "个", "项", "份", "卷", "条", "场"}, (code, m.unit)
    assert everything["reconsideration.correction_rate"].unit == "%"
    assert list(everything) == sorted(everything)


def test_given_clock_overdue_then_it_is_registered_with_formula_and_drilldown():
    m = metrics.get("clocks.overdue")

    assert (m.label, m.unit, m.has_source, m.has_drilldown) == ("逾期未办结事项", "件", True, True)
    assert "届满" in m.formula and m.formula_version == "1"


def test_given_a_computed_metric_then_it_replaces_the_sourceless_vocabulary_entry_and_not_the_reverse(
        registry_snapshot):
    computed = metrics.Metric("hotline.calls", "热线咨询", "次", compute=lambda units, period: 7, source="hotline")

    metrics.register(computed)
    metrics.register(metrics.Metric("hotline.calls", "公共法律服务热线咨询", "次"))  # vocabulary again

    assert metrics.get("hotline.calls") is computed
    with pytest.raises(metrics.MetricError, match="已由 hotline 注册"):
        metrics.register(metrics.Metric("hotline.calls", "另一来源", "次", compute=lambda u, p: 1, source="other"))


def test_given_bad_metric_declarations_then_chinese_errors():
    with pytest.raises(metrics.MetricError, match="指标代码格式无效"):
        metrics.Metric("NoDot", "名称", "件")
    with pytest.raises(metrics.MetricError, match="缺少中文名称"):
        metrics.Metric("area.name", "", "件")
    with pytest.raises(metrics.MetricError, match="未找到指标"):
        metrics.get("area.unknown")


def test_given_a_metric_definition_row_then_listed_without_value_until_a_source_provides_one(
        demo_gov, registry_snapshot):
    MetricDefinition.objects.create(code="returns.volunteers", label="普法志愿者", unit="人",
                                    formula="统计期末登记的普法志愿者人数。", source="returns")
    gov = demo_gov.units["YX"]
    period = metrics.Period.for_year(2025)

    assert metrics.all_metrics()["returns.volunteers"].label == "普法志愿者"
    assert metrics.values(gov, period)["returns.volunteers"] == {"label": "普法志愿者", "unit": "人", "value": None}

    seen = []
    metrics.register_source(metrics.Source("returns", lambda code, units, p: seen.append((code, p)) or 12))
    assert metrics.value("returns.volunteers", gov, period) == 12
    assert seen == [("returns.volunteers", period)]


def test_given_periods_then_years_and_ranges_validate_in_chinese():
    p = metrics.Period.for_year("2025")
    assert (p.start, p.end, p.year, p.label) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), 2025, "2025年")
    q = metrics.Period.between("2025-01-01", "2025-03-31")
    assert q.year is None and q.label == "2025-01-01 至 2025-03-31"
    with pytest.raises(metrics.MetricError, match="年份无效"):
        metrics.Period.for_year("二〇二五")
    with pytest.raises(metrics.MetricError, match="年份超出范围"):
        metrics.Period.for_year(3025)
    with pytest.raises(metrics.MetricError, match="晚于截止日"):
        metrics.Period.between("2025-03-31", "2025-01-01")
    with pytest.raises(metrics.MetricError, match="日期无效"):
        metrics.Period.between("2025-02-30", "2025-03-31")


def test_given_clocks_then_overdue_counts_the_subtree_and_the_period(clock_data, demo_gov):
    y2025, y2024 = metrics.Period.for_year(2025), metrics.Period.for_year(2024)
    gov, zjj, scjg = demo_gov.units["YX"], demo_gov.units["YX-ZJJ"], demo_gov.units["YX-SCJG"]

    assert metrics.value("clocks.overdue", gov, y2025) == 3  # a, c, d
    assert metrics.value("clocks.overdue", zjj, y2025) == 2  # a, c
    assert metrics.value("clocks.overdue", scjg, y2025) == 1  # d
    assert metrics.value("clocks.overdue", gov, y2024) == 1  # e
    assert metrics.value("clocks.overdue", demo_gov.units["YX-QS"], y2025) == 0


def test_given_clocks_then_on_time_rate_is_computed_from_counts(clock_data, demo_gov):
    gov, y2025 = demo_gov.units["YX"], metrics.Period.for_year(2025)

    assert metrics.value("clocks.concluded", gov, y2025) == 2  # b, c
    assert metrics.value("clocks.concluded_on_time", gov, y2025) == 1  # b
    assert metrics.value("clocks.on_time_rate", gov, y2025) == 50.0
    assert metrics.value("clocks.on_time_rate", gov, metrics.Period.for_year(2024)) is None  # nothing concluded


def test_given_a_rate_over_units_of_unequal_size_then_counts_are_summed_not_rates_averaged(demo_gov):
    from tests.sample.models import SampleMatter

    def concluded(unit_code, start, stop):
        m = SampleMatter.objects.create(unit=demo_gov.units[unit_code], state="review", title="事项")
        clocks.add_event(clocks.start_clock(m, "review", "sample.review", start), "stop", stop)

    # 住建局: 3 concluded, all on time (100%); 青石街道: 1 concluded, late (0%).
    for day in (3, 4, 5):
        concluded("YX-ZJJ", dt.date(2025, 3, day), dt.date(2025, 3, day + 1))
    concluded("YX-QS", dt.date(2025, 3, 3), dt.date(2025, 3, 20))

    # (3 + 0) / (3 + 1) = 75.0, not the average of 100% and 0% (50.0).
    assert metrics.value("clocks.on_time_rate", demo_gov.units["YX"], metrics.Period.for_year(2025)) == 75.0


def test_given_the_overdue_metric_then_drilldown_lists_exactly_the_clocks_counted(clock_data, demo_gov):
    result = metrics.drilldown("clocks.overdue", demo_gov.units["YX"], metrics.Period.for_year(2025))

    expected = {clock_data[k][1].pk for k in ("a", "c", "d")}
    assert result.total == 3 and {row["id"] for row in result.rows} == expected
    row_c = next(r for r in result.rows if r["id"] == clock_data["c"][1].pk)
    assert "样例事项C" in row_c["repr"] and "逾期 4 日" in row_c["repr"]
    assert row_c["link"] == f"/sample/{clock_data['c'][0].pk}/"
    assert row_c["unit"] == "云溪区住房和城乡建设局"


# ---------------------------------------------------------------------------
# fazhi metrics
# ---------------------------------------------------------------------------
def test_given_year_2025_when_running_metrics_json_then_every_metric_with_label_unit_value(clock_data):
    data = _json_metrics("--year", "2025")

    assert set(data) == set(metrics.all_metrics())
    for code, entry in data.items():
        assert set(entry) == {"label", "unit", "value"}, code
    for code in VOCABULARY_CODES:
        if metrics.get(code).compute is None:  # no module feeds it yet
            assert data[code]["value"] is None, code
    assert data["hotline.calls"]["value"] is None and data["hotline.calls"]["label"]
    assert data["clocks.overdue"] == {"label": "逾期未办结事项", "unit": "件", "value": 3}
    assert data["clocks.on_time_rate"]["value"] == 50.0


def test_given_a_unit_code_when_running_metrics_then_only_its_subtree_counts(clock_data):
    assert _json_metrics("--unit", "YX-ZJJ", "--year", "2025")["clocks.overdue"]["value"] == 2
    assert _json_metrics("--unit", "YX", "--year", "2024")["clocks.overdue"]["value"] == 1


def test_given_no_json_flag_then_a_readable_chinese_table(clock_data):
    out = io.StringIO()
    call_command("metrics", "--year", "2025", stdout=out)
    text = out.getvalue()

    assert "云溪区人民政府（YX，含下级单位） 2025年 指标" in text
    assert "逾期未办结事项：3 件" in text
    assert "法治培训和学法活动：—（无数据来源）" in text


def test_given_an_unknown_unit_code_when_running_the_command_then_nonzero_exit_and_chinese_stderr(demo_gov, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["fazhi", "metrics", "--unit", "NO-SUCH", "--year", "2025", "--json"]).execute()

    assert exc.value.code != 0
    captured = capsys.readouterr()
    assert "未找到单位代码：NO-SUCH" in captured.err
    assert captured.out == ""


def test_given_no_government_unit_when_running_metrics_then_a_chinese_error(db):
    with pytest.raises(CommandError, match="没有顶级人民政府单位"):
        call_command("metrics", "--year", "2025", "--json", stdout=io.StringIO())


def test_given_a_bad_year_when_running_metrics_then_a_chinese_error(demo_gov):
    with pytest.raises(CommandError, match="年份无效"):
        call_command("metrics", "--year", "20x5", stdout=io.StringIO())


# ---------------------------------------------------------------------------
# /api/metrics
# ---------------------------------------------------------------------------
def test_given_an_operator_when_getting_metrics_then_the_own_unit_subtree_by_default(clock_data, client_of):
    response = client_of("住建局经办人").get("/api/metrics?year=2025")

    assert response.status_code == 200
    data = response.json()
    assert data["clocks.overdue"] == {"label": "逾期未办结事项", "unit": "件", "value": 2}
    assert data["reconsideration.correction_rate"]["value"] is None
    assert set(data) == set(metrics.all_metrics())


def test_given_a_coordinator_when_getting_metrics_then_the_whole_government(clock_data, client_of):
    data = client_of("司法局协调员").get("/api/metrics?year=2025&unit=YX").json()

    assert data["clocks.overdue"]["value"] == 3


def test_given_an_operator_when_asking_for_another_units_metrics_then_404(clock_data, client_of):
    client = client_of("住建局经办人")

    response = client.get("/api/metrics?year=2025&unit=YX-SCJG")
    detail = client.get("/api/metrics/clocks.overdue?year=2025&unit=YX")

    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert detail.status_code == 404


def test_given_the_drilldown_endpoint_then_the_records_with_links(clock_data, client_of):
    response = client_of("司法局协调员").get("/api/metrics/clocks.overdue?year=2025&unit=YX")

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["value"], body["records_total"], body["unit_code"]) == ("clocks.overdue", 3, 3, "YX")
    assert {r["id"] for r in body["records"]} == {clock_data[k][1].pk for k in ("a", "c", "d")}
    assert all(r["link"].startswith("/sample/") for r in body["records"])
    assert body["formula"]


def test_given_a_vocabulary_metric_or_unknown_code_then_null_value_or_404(demo_gov, client_of):
    client = client_of("司法局协调员")

    vocab = client.get("/api/metrics/litigation.win_rate?year=2025").json()
    unknown = client.get("/api/metrics/area.unknown?year=2025")

    assert (vocab["value"], vocab["records"], vocab["has_source"]) == (None, [], False)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_given_a_year_out_of_range_then_400_in_chinese(client_of):
    response = client_of("司法局协调员").get("/api/metrics?year=1800")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert "年份超出范围" in response.json()["message"]


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
def test_given_no_login_when_opening_metrics_page_then_redirected_to_login(client):
    response = client.get("/metrics/")

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_given_an_operator_when_opening_metrics_page_then_values_link_to_drilldown(clock_data, client_of):
    response = client_of("住建局经办人").get("/metrics/?year=2025")

    assert response.status_code == 200
    html = response.content.decode()
    assert "逾期未办结事项" in html and "收到行政复议申请" in html
    assert 'href="/metrics/clocks.overdue/?year=2025&amp;unit=YX-ZJJ">2</a>' in html
    assert "style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts


def test_given_the_drilldown_page_then_it_lists_the_records_counted(clock_data, client_of):
    response = client_of("司法局协调员").get("/metrics/clocks.overdue/?year=2025&unit=YX")

    assert response.status_code == 200
    html = response.content.decode()
    assert "计入的记录（共 3 条）" in html
    for key in ("a", "c", "d"):
        assert f'href="/sample/{clock_data[key][0].pk}/"' in html
    assert "样例事项B" not in html  # concluded on time: not overdue


def test_given_an_operator_when_opening_another_units_metrics_page_then_404(clock_data, client_of):
    client = client_of("住建局经办人")

    assert client.get("/metrics/?year=2025&unit=YX-SCJG").status_code == 404
    assert client.get("/metrics/clocks.overdue/?year=2025&unit=YX-SCJG").status_code == 404
    assert client.get("/metrics/area.unknown/?year=2025").status_code == 404
