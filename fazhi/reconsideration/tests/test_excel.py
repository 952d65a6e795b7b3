"""Excel: import of historic cases (atomic, idempotent, every rejected row listed) and export of any
filtered list, scoped to what the user may see; through the service, the pages and the command."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from fazhi.core import metrics
from fazhi.core.models import AuditRecord
from fazhi.reconsideration import excel, services
from fazhi.reconsideration.models import Case

D = dt.date
HEAD = excel.HEADERS

ROWS = [
    ["云府复〔2023〕5号", D(2023, 3, 1), "当面递交", "张三", "YX-ZJJ", "责令限期拆除决定", D(2023, 3, 6), "普通程序",
     "维持", D(2023, 4, 28), D(2023, 5, 4)],
    ["云府复〔2023〕6号", "2023/3/2", "邮寄", "李四、某某建材有限公司", "区市场监管局", "罚款 2000 元",
     "2023年3月7日", "简易程序", "撤销", D(2023, 3, 30), None],
    ["云府复〔2023〕7号", D(2023, 6, 5), None, "王五", "云溪区人力资源和社会保障局", "工伤认定", None, None,
     "不予受理", D(2023, 6, 9), None],
]


def _xlsx(rows, headers=HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(data: bytes, name="台账.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=excel.XLSX if hasattr(excel, "XLSX") else "application/octet-stream")


def test_given_the_template_page_then_the_workbook_has_the_chinese_headers(office, client_of):
    r = client_of("司法局协调员").get("/reconsideration/excel/template/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    header = [c.value for c in wb[excel.SHEET][1]]
    assert header[:4] == ["案件编号", "收到日期", "申请方式", "申请人"] and "被申请人（单位代码或名称）" in header
    assert "填写说明" in wb.sheetnames


def test_given_a_ledger_when_imported_through_the_page_then_cases_count_in_the_metrics_and_reimport_changes_nothing(office, client_of, demo_gov):
    c = client_of("司法局协调员")
    r = c.post("/reconsideration/excel/import/", {"file": _upload(_xlsx(ROWS))})
    assert r.status_code == 302
    assert "已导入 3 件" in c.get("/reconsideration/excel/import/").content.decode()
    upheld = Case.objects.get(number="云府复〔2023〕5号")
    assert upheld.state == "closed" and upheld.outcome == "upheld" and upheld.served_on == D(2023, 5, 4)
    revoked = Case.objects.get(number="云府复〔2023〕6号")
    assert [a.name for a in revoked.applicants.all()] == ["李四", "某某建材有限公司"]
    assert revoked.respondent_unit.code == "YX-SCJG" and revoked.procedure_type == "simplified"
    assert revoked.channel == "mail" and revoked.accepted_on == D(2023, 3, 7)
    refused = Case.objects.get(number="云府复〔2023〕7号")
    assert refused.state == "refused" and refused.refused_on == D(2023, 6, 9) and refused.outcome == ""
    units, period = metrics.subtree(demo_gov.units["YX"]), metrics.Period.for_year(2023)
    value = lambda code: metrics.all_metrics()[code].value_for(units, period)  # noqa: E731
    assert (value("reconsideration.received"), value("reconsideration.concluded"), value("reconsideration.refused"),
            value("reconsideration.revoked"), value("reconsideration.correction_rate")) == (3, 2, 1, 1, 50.0)
    audits = AuditRecord.objects.filter(action="reconsideration.import").count()
    assert audits == 3 and not AuditRecord.objects.filter(changes__icontains="李四").exists()
    # Re-import: nothing changes.
    r = c.post("/reconsideration/excel/import/", {"file": _upload(_xlsx(ROWS))})
    assert r.status_code == 302
    assert "未改动 3 件" in c.get("/reconsideration/excel/import/").content.decode()
    assert Case.objects.count() == 3 and AuditRecord.objects.filter(action="reconsideration.import").count() == 3


def test_given_bad_rows_then_nothing_is_imported_and_every_rejected_row_is_listed_in_chinese(office, client_of):
    bad = [ROWS[0],
           ["云府复〔2023〕8号", "2023-02-30", "传真", "赵六", "YX-XXX", "处罚", None, "普通程序", "驳回", D(2023, 4, 1)],
           ["云府复〔2023〕5号", D(2023, 3, 1), None, "", "YX-ZJJ", "行为", D(2023, 2, 1), None, "维持",
            D(2030, 1, 1)],
           ["云府复〔2023〕9号", D(2023, 3, 1), None, "钱七", "YX-ZJJ", "行为", None, None, "撤销", D(2023, 4, 1)]]
    r = client_of("司法局协调员").post("/reconsideration/excel/import/", {"file": _upload(_xlsx(bad))})
    html = r.content.decode()
    assert r.status_code == 400 and "所有行均未导入" in html
    for text in ("第 3 行", "无法识别的日期“2023-02-30”", "“传真”", "“YX-XXX”不是本级人民政府所属的单位",
                 "无法识别的结果“驳回”", "第 5 行", "结果为“撤销”的案件须填写受理日期", "第 4 行", "与第 2 行的案件编号重复", "晚于今天",
                 "受理日期 2023-02-01 早于收到日期 2023-03-01"):
        assert text in html, text
    assert not Case.objects.exists()


def test_given_a_wrong_header_then_the_missing_column_is_reported(office):
    headers = [h if h != "结果" else "处理结果" for h in HEAD]
    result = excel.import_cases(_xlsx([ROWS[0]], headers), office=services.office_of(office.government))
    assert [str(e) for e in result.errors] == ["第 1 行“结果”列：缺少该列（请使用导入模板，列名须一致）",
                                               "第 1 行“处理结果”列：无法识别的列名"]


def test_given_a_file_that_is_not_xlsx_then_the_page_says_so(office, client_of):
    r = client_of("司法局协调员").post("/reconsideration/excel/import/", {"file": _upload(b"not a workbook")})
    assert r.status_code == 400 and "不是有效的 Excel 工作簿" in r.content.decode()


def test_given_an_existing_case_number_with_other_content_then_the_row_is_rejected(office):
    excel.import_cases(_xlsx([ROWS[0]]), office=office)
    changed = list(ROWS[0])
    changed[8] = "撤销"
    result = excel.import_cases(_xlsx([changed]), office=office)
    assert not result.ok and "结果与系统中的记录不一致" in str(result.errors[0])
    assert Case.objects.get().outcome == "upheld"


def test_given_the_respondents_operator_then_the_import_page_is_not_found(office, client_of):
    assert client_of("住建局经办人").get("/reconsideration/excel/import/").status_code == 404
    r = client_of("住建局经办人").post("/reconsideration/excel/import/", {"file": _upload(_xlsx(ROWS))})
    assert r.status_code == 404 and not Case.objects.exists()


def test_given_the_command_then_dry_run_writes_nothing_errors_go_to_stderr_and_a_good_file_imports(office, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(_xlsx(ROWS))
    bad.write_bytes(_xlsx([ROWS[0], [*ROWS[1][:8], "不存在的结果", ROWS[1][9]]]))
    out = io.StringIO()
    call_command("reconsideration_import", str(good), "--dry-run", stdout=out)
    assert "可导入 3 件" in out.getvalue() and not Case.objects.exists()
    err = io.StringIO()
    with pytest.raises(CommandError, match="所有行均未导入"):
        call_command("reconsideration_import", str(bad), stderr=err)
    assert "第 3 行“结果”列：无法识别的结果“不存在的结果”" in err.getvalue() and not Case.objects.exists()
    call_command("reconsideration_import", str(good), "--unit", "YX", stdout=out)
    assert Case.objects.count() == 3
    call_command("reconsideration_import", str(good), stdout=(out := io.StringIO()))
    assert "已导入 0 件" in out.getvalue() and "未改动 3 件" in out.getvalue()


def test_given_an_imported_number_of_this_year_then_a_later_acceptance_does_not_reuse_it(office, register, persona):
    row = ["云府复〔2025〕7号", D(2025, 3, 3), None, "张三", "YX-ZJJ", "处罚", D(2025, 3, 5), None, "维持",
           D(2025, 4, 30)]
    excel.import_cases(_xlsx([row]), office=office)
    case, _ = register(D(2025, 9, 1))
    case = services.do_accept(case, persona("复议专员"), version=case.version, on=D(2025, 9, 2))
    assert case.number == "云府复〔2025〕8号"


def _exported(response):
    ws = load_workbook(io.BytesIO(response.content))[excel.SHEET]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_given_a_filtered_list_then_the_export_has_exactly_those_cases_with_the_same_columns(office, client_of):
    excel.import_cases(_xlsx(ROWS), office=office)
    c = client_of("司法局协调员")
    assert "/reconsideration/excel/export/?respondent=YX-ZJJ" in c.get("/reconsideration/?respondent=YX-ZJJ").content.decode()
    rows = _exported(c.get("/reconsideration/excel/export/?respondent=YX-ZJJ&year=2023"))
    assert rows[0] == [*HEAD, "状态"]
    assert [r[0] for r in rows[1:]] == ["云府复〔2023〕5号"]
    assert [r[0] for r in _exported(c.get("/reconsideration/excel/export/"))[1:]] == [r[0] for r in ROWS]
    assert AuditRecord.objects.filter(action="reconsideration.export").count() == 2


def test_given_an_export_then_reimporting_it_changes_nothing(office, client_of):
    excel.import_cases(_xlsx(ROWS), office=office)
    data = client_of("司法局协调员").get("/reconsideration/excel/export/").content
    result = excel.import_cases(data, office=office)
    assert result.ok and result.created == [] and len(result.unchanged) == 3


def test_given_respondent_operators_then_the_export_has_only_the_cases_against_their_unit(office, client_of):
    excel.import_cases(_xlsx(ROWS), office=office)
    assert [r[0] for r in _exported(client_of("住建局经办人").get("/reconsideration/excel/export/"))[1:]] == \
        ["云府复〔2023〕5号"]
    assert [r[0] for r in _exported(client_of("市监局经办人").get("/reconsideration/excel/export/"))[1:]] == \
        ["云府复〔2023〕6号"]
    assert _exported(client_of("青石街道经办人").get("/reconsideration/excel/export/?respondent=YX-ZJJ"))[1:] == []
