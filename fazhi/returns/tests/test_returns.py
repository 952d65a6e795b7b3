"""统计填报: validation, Excel cells, workflow with its clock, roll-up of counts and rates, the registry."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fazhi.core import clocks, metrics
from fazhi.core.models import MetricDefinition
from fazhi.core.procedure import GuardFailed, RoleDenied
from fazhi.returns import excel, services
from fazhi.returns.models import Return

pytestmark = pytest.mark.django_db
Y2025 = metrics.Period.for_year(2025)
GOOD = {"mediation.cases": "120", "mediation.succeeded": "114", "mediation.success_rate": "95.0",
        "mediation.organizations": "8"}


def _ret(round_, demo_gov, code):
    return Return.objects.get(round=round_, unit=demo_gov.units[code])


def test_given_wrong_values_when_saving_then_every_problem_is_listed_and_nothing_is_saved(round2025, demo_gov, persona):
    ret = _ret(round2025, demo_gov, "YX-ZJJ")
    bad = {"mediation.cases": "-3", "mediation.succeeded": "12.5", "mediation.success_rate": "101",
           "mediation.organizations": "八"}
    with pytest.raises(services.InvalidValues) as exc:
        services.save_values(persona("住建局经办人"), ret, version=ret.version, raw=bad)
    text = exc.value.message
    assert "“调解矛盾纠纷”不能为负数" in text
    assert "“调解成功”应为整数" in text
    assert "应在 0 至 100 之间" in text
    assert "“人民调解组织”应为数字" in text
    assert not ret.values.exists()


def test_given_more_successes_than_cases_and_a_wrong_rate_when_saving_then_the_cross_checks_refuse(round2025, demo_gov, persona):
    ret = _ret(round2025, demo_gov, "YX-ZJJ")
    with pytest.raises(services.InvalidValues) as exc:
        services.save_values(persona("住建局经办人"), ret, version=ret.version,
                             raw={**GOOD, "mediation.succeeded": "130", "mediation.success_rate": "90"})
    assert "“调解成功”（130）不能大于“调解矛盾纠纷”（120）" in exc.value.message
    with pytest.raises(services.InvalidValues) as exc:
        services.save_values(persona("住建局经办人"), ret, version=ret.version,
                             raw={**GOOD, "mediation.success_rate": "90"})
    assert "“调解成功率”（90%）与“调解成功”÷“调解矛盾纠纷”（114÷120=95.0%）不符" in exc.value.message


def test_given_an_uploaded_template_with_bad_cells_when_uploading_then_errors_name_the_cells(round2025, demo_gov, persona):
    ret = _ret(round2025, demo_gov, "YX-ZJJ")
    wb = load_workbook(io.BytesIO(excel.build_template(ret)))
    ws = wb.active
    rows = {ws.cell(row=r, column=2).value: r for r in range(excel.FIRST_ROW, ws.max_row + 1)}
    ws.cell(row=rows["mediation.cases"], column=5, value="100")
    ws.cell(row=rows["mediation.succeeded"], column=5, value="150")
    ws.cell(row=rows["mediation.organizations"], column=5, value="-1")
    buf = io.BytesIO()
    wb.save(buf)
    raw, cell_of = excel.parse_upload(ret, buf.getvalue())
    with pytest.raises(services.InvalidValues) as exc:
        services.save_values(persona("住建局经办人"), ret, version=ret.version, raw=raw, cell_of=cell_of)
    messages = [e.message for e in exc.value.errors]
    assert f"E{rows['mediation.succeeded']}：“调解成功”（150）不能大于“调解矛盾纠纷”（100）。" in messages
    assert any(m.startswith(f"E{rows['mediation.organizations']}：“人民调解组织”不能为负数") for m in messages)
    assert not ret.values.exists()


def test_given_another_units_template_when_uploading_then_the_header_cells_are_refused(round2025, demo_gov):
    other = excel.build_template(_ret(round2025, demo_gov, "YX-SCJG"))
    with pytest.raises(excel.UploadError) as exc:
        excel.parse_upload(_ret(round2025, demo_gov, "YX-ZJJ"), other)
    assert any(e.startswith("B2：单位代码应为“YX-ZJJ”") for e in exc.value.errors)
    with pytest.raises(excel.UploadError) as exc:
        excel.parse_upload(_ret(round2025, demo_gov, "YX-ZJJ"), b"not a workbook")
    assert "无法读取该文件" in exc.value.errors[0]


def test_given_a_good_upload_when_saved_then_values_are_stored_and_audited(round2025, demo_gov, persona):
    ret = _ret(round2025, demo_gov, "YX-ZJJ")
    wb = load_workbook(io.BytesIO(excel.build_template(ret)))
    ws = wb.active
    for r in range(excel.FIRST_ROW, ws.max_row + 1):
        ws.cell(row=r, column=5, value=GOOD[ws.cell(row=r, column=2).value])
    buf = io.BytesIO()
    wb.save(buf)
    raw, cell_of = excel.parse_upload(ret, buf.getvalue())
    ret = services.save_values(persona("住建局经办人"), ret, version=ret.version, raw=raw, cell_of=cell_of,
                               source="Excel 模板上传")
    assert {k: v.raw for k, v in ret.value_map().items()} == GOOD


def test_given_an_issued_return_then_its_clock_ends_on_the_notice_due_date_and_it_is_overdue_after(round2025, demo_gov, persona):
    ret = _ret(round2025, demo_gov, "YX-ZJJ")
    clock = clocks.clock_of(ret, "submission")
    assert clock.due_date == dt.date(2026, 1, 20)
    extend = clock.events.get(kind="extend")  # the date is in the ledger, with who set it and why
    assert "报送截止日为 2026年1月20日" in extend.reason and extend.approver
    # an earlier date than the clock already runs to changes nothing
    clocks.extend_to(ret, "submission", dt.date(2026, 1, 10), reason="x", approver="y")
    assert clocks.clock_of(ret, "submission").due_date == dt.date(2026, 1, 20)
    assert clock.events.filter(kind="extend").count() == 1
    assert list(services.overdue_returns(persona("司法局协调员"), on=dt.date(2026, 1, 21))) == list(
        Return.objects.filter(round=round2025).order_by("unit__path"))
    assert list(services.overdue_returns(persona("司法局协调员"), on=dt.date(2026, 1, 20))) == []


def test_given_the_workflow_then_operator_fills_leader_approves_coordinator_accepts_or_returns(round2025, demo_gov, persona):
    ret = _ret(round2025, demo_gov, "YX-ZJJ")
    with pytest.raises(GuardFailed):
        services.submit(persona("住建局经办人"), ret, version=ret.version, on=dt.date(2026, 1, 12))
    ret = services.save_values(persona("住建局经办人"), ret, version=ret.version, raw=GOOD)
    ret = services.submit(persona("住建局经办人"), ret, version=ret.version, on=dt.date(2026, 1, 12))
    with pytest.raises(RoleDenied):
        services.approve(persona("住建局经办人"), ret, version=ret.version)
    ret = services.approve(persona("住建局负责人"), ret, version=ret.version, on=dt.date(2026, 1, 13))
    assert clocks.clock_of(ret, "submission").stopped_on == dt.date(2026, 1, 13)
    with pytest.raises(GuardFailed):
        services.send_back(persona("司法局协调员"), ret, version=ret.version, comment=" ")
    ret = services.send_back(persona("司法局协调员"), ret, version=ret.version, comment="调解组织数与上年差异大，请核实",
                             on=dt.date(2026, 1, 14))
    assert ret.state == "returned" and clocks.clock_of(ret, "correction").due_date == dt.date(2026, 1, 21)
    ret = services.submit(persona("住建局经办人"), ret, version=ret.version, on=dt.date(2026, 1, 15))
    ret = services.approve(persona("住建局负责人"), ret, version=ret.version, on=dt.date(2026, 1, 15))
    ret = services.accept(persona("司法局协调员"), ret, version=ret.version, on=dt.date(2026, 1, 16))
    assert ret.state == "accepted"


def test_given_two_units_when_rolled_up_then_counts_add_and_the_rate_is_recomputed_not_averaged(round2025, demo_gov, file_return):
    file_return(_ret(round2025, demo_gov, "YX-ZJJ"),
                {"mediation.cases": "10", "mediation.succeeded": "10", "mediation.success_rate": "100",
                 "mediation.organizations": "2"}, "住建局经办人", "住建局负责人")
    file_return(_ret(round2025, demo_gov, "YX-SCJG"),
                {"mediation.cases": "300", "mediation.succeeded": "240", "mediation.success_rate": "80",
                 "mediation.organizations": "5"}, "市监局经办人", "市监局负责人")
    gov = demo_gov.units["YX"]
    assert metrics.value("mediation.cases", gov, Y2025) == 310
    assert metrics.value("mediation.organizations", gov, Y2025) == 7
    # Σ250 ÷ Σ310 = 80.6%, not (100 + 80) / 2 = 90.
    assert metrics.value("mediation.success_rate", gov, Y2025) == 80.6
    assert metrics.value("mediation.success_rate", demo_gov.units["YX-ZJJ"], Y2025) == 100.0
    drill = metrics.drilldown("mediation.success_rate", gov, Y2025)
    assert drill.total == 4 and {r["unit"] for r in drill.rows} == {"云溪区住房和城乡建设局", "云溪区市场监督管理局"}


def test_given_no_accepted_return_then_the_figure_is_missing_not_zero(round2025, demo_gov, file_return):
    gov = demo_gov.units["YX"]
    assert metrics.value("mediation.cases", gov, Y2025) is None
    file_return(_ret(round2025, demo_gov, "YX-ZJJ"), GOOD, "住建局经办人", "住建局负责人", accept=False)
    assert metrics.value("mediation.cases", gov, Y2025) is None  # approved by the unit, not yet accepted
    assert metrics.value("mediation.success_rate", gov, Y2025) is None


def test_given_a_returns_metric_then_the_registry_shows_it_like_a_module_metric(form):
    m = metrics.get("mediation.success_rate")
    assert m.has_source and m.has_drilldown and m.unit == "%" and m.source == "returns"
    assert "不对各单位的比率取平均" in m.formula
    assert MetricDefinition.objects.get(code="mediation.cases").source == "returns"


def test_given_a_module_metric_when_binding_a_field_then_it_is_refused(form, persona):
    with pytest.raises(services.InvalidInput, match="litigation"):
        services.add_field(persona("司法局协调员"), form, metric_code="litigation.cases", label="应诉案件")


def test_given_quarterly_figures_when_a_year_is_asked_then_flows_add_up_and_stocks_take_the_last(persona, demo_gov):
    coordinator = persona("司法局协调员")
    f = services.create_form(coordinator, unit=demo_gov.units["YX-SFJ"], name="季报", code="T-Q", periodicity="quarter")
    services.add_field(coordinator, f, metric_code="hotline12345.received", label="受理", unit_label="件")
    services.add_field(coordinator, f, metric_code="mediation.organizations", label="组织", unit_label="个",
                       over_time="last")
    for part, (received, orgs) in enumerate([(30, 4), (50, 6)], start=1):
        start = dt.date(2025, 3 * part + 1, 3)
        rnd = services.issue_round(coordinator, f, year=2025, part=part, due_date=start + dt.timedelta(days=10),
                                   units=[demo_gov.units["YX-ZJJ"]], on=start)
        ret = Return.objects.get(round=rnd)
        ret = services.save_values(persona("住建局经办人"), ret, version=ret.version,
                                   raw={"hotline12345.received": str(received), "mediation.organizations": str(orgs)})
        ret = services.submit(persona("住建局经办人"), ret, version=ret.version, on=start + dt.timedelta(days=1))
        ret = services.approve(persona("住建局负责人"), ret, version=ret.version, on=start + dt.timedelta(days=1))
        services.accept(coordinator, ret, version=ret.version, on=start + dt.timedelta(days=2))
    gov = demo_gov.units["YX"]
    assert metrics.value("hotline12345.received", gov, Y2025) == 80
    assert metrics.value("mediation.organizations", gov, Y2025) == 6
