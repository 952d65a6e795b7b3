"""Import: rejections with row/column/reason, GB18030, truncated files, idempotence, all-or-nothing, masking."""
import json

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from fazhi.enforcement import importer, privacy
from fazhi.enforcement.models import Case, ImportBatch, UnitYearStat

from .conftest import D, case_row

AS_OF = D(2025, 6, 30)


def test_given_bad_rows_when_importing_then_each_is_listed_with_row_column_and_reason_and_the_rest_is_imported(
        enf, write_csv):
    path = write_csv([
        case_row(案件编号="OK-1"),
        case_row(案件编号="BAD-UNIT", 单位代码="YX-NOPE"),
        case_row(案件编号="BAD-BODY", 执法主体代码="SCJG"),
        case_row(案件编号="BAD-DATES", 立案日期="2024-05-01", 决定日期="2024-04-01"),
        case_row(案件编号="BAD-NEG", 罚没金额="-100"),
        case_row(案件编号="BAD-NUM", 罚没金额="五百"),
        case_row(案件编号="OK-1", 罚没金额="600"),
        case_row(案件编号="BAD-DAY", 决定日期="2024-02-30"),
    ])
    result = importer.run_import(path, as_of=AS_OF)
    assert (result.total, result.inserted, result.rejected) == (8, 1, 7)
    got = {(row, col) for row, col, _ in result.rejections}
    assert got == {(3, "单位代码"), (4, "执法主体代码"), (5, "决定日期"), (6, "罚没金额"), (7, "罚没金额"),
                   (8, "案件编号"), (9, "决定日期")}
    reasons = {row: reason for row, _, reason in result.rejections}
    assert reasons[3] == "未知的单位代码：YX-NOPE"
    assert reasons[6] == "罚没金额不能为负数：-100"
    assert "首次出现于第 2 行" in reasons[8]
    assert list(Case.objects.values_list("case_number", flat=True)) == ["OK-1"]


def test_given_the_same_file_when_imported_twice_then_the_database_is_unchanged(enf, write_csv):
    path = write_csv([case_row(案件编号=f"N-{i}") for i in range(5)])
    first = importer.run_import(path, as_of=AS_OF)
    cases = [model_to_dict(c) for c in Case.objects.order_by("pk")]
    stats = [model_to_dict(s) for s in UnitYearStat.objects.order_by("pk")]
    second = importer.run_import(path, as_of=AS_OF)
    assert (first.inserted, second.inserted, second.updated, second.unchanged) == (5, 0, 0, 5)
    assert [model_to_dict(c) for c in Case.objects.order_by("pk")] == cases
    assert [model_to_dict(s) for s in UnitYearStat.objects.order_by("pk")] == stats


def test_given_a_changed_row_when_reimported_then_only_that_case_is_updated(enf, write_csv):
    importer.run_import(write_csv([case_row(案件编号="A"), case_row(案件编号="B")]), as_of=AS_OF)
    result = importer.run_import(write_csv([case_row(案件编号="A", 罚没金额="800"), case_row(案件编号="B")]),
                                 as_of=AS_OF)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert Case.objects.get(case_number="A").fine_amount == 800


def test_given_a_gb18030_file_when_imported_then_chinese_text_is_read_correctly(enf, write_csv):
    path = write_csv([case_row(案件编号="GB-1", 当事人类型="法人或其他组织", 当事人="云溪区某某餐饮店")],
                     encoding="gb18030")
    result = importer.run_import(path, as_of=AS_OF)
    assert result.encoding == "GB18030" and result.inserted == 1
    assert Case.objects.get().party_name == "云溪区某某餐饮店"


def test_given_a_truncated_file_when_imported_then_the_cut_row_is_rejected_and_the_rest_imported(enf, write_csv):
    path = write_csv([case_row(案件编号="T-1"), case_row(案件编号="T-2")], truncate_last=True)
    result = importer.run_import(path, as_of=AS_OF)
    assert result.inserted == 1 and result.rejected == 1
    row, col, reason = result.rejections[0]
    assert row == 3 and col == "整行" and "截断" in reason


def test_given_all_or_nothing_when_a_row_is_bad_then_nothing_is_imported(enf, write_csv):
    path = write_csv([case_row(案件编号="G-1"), case_row(案件编号="G-2", 罚没金额="-1")])
    result = importer.run_import(path, all_or_nothing=True, as_of=AS_OF)
    assert not result.applied and result.rejected == 1
    assert Case.objects.count() == 0 and UnitYearStat.objects.count() == 0


def test_given_a_failure_inside_the_merge_when_importing_then_no_row_is_left_behind(enf, write_csv, monkeypatch):
    def boom(cur, rows):  # the last step of an import of new rows: the roll-ups
        raise RuntimeError("模拟中断")
    monkeypatch.setattr(importer.checks, "add_stats", boom)
    with pytest.raises(RuntimeError):
        importer.run_import(write_csv([case_row(案件编号="I-1")]), as_of=AS_OF)
    assert Case.objects.count() == 0


def test_given_personal_data_when_imported_then_only_a_masked_name_and_a_salted_hash_are_stored(enf, write_csv):
    importer.run_import(write_csv([case_row(案件编号="P-1", 当事人="张三丰", 证件号码="110101199003071234")]),
                        as_of=AS_OF)
    case = Case.objects.get()
    assert case.party_name == "张*"
    assert case.party_id_hash == privacy.hash_id("110101199003071234")  # same formula in SQL and Python
    stored = json.dumps(model_to_dict(case), default=str, ensure_ascii=False)
    assert "张三丰" not in stored and "110101199003071234" not in stored


def test_given_json_lines_and_excel_when_imported_then_both_are_read(enf, tmp_path):
    from openpyxl import Workbook

    jl = tmp_path / "cases.jsonl"
    jl.write_text(json.dumps(case_row(案件编号="J-1"), ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    r = importer.run_import(str(jl), as_of=AS_OF)
    assert (r.inserted, r.rejected, r.rejections[0][0]) == (1, 1, 2)
    wb = Workbook()
    ws = wb.active
    row = case_row(案件编号="X-1")
    ws.append(list(row))
    ws.append([D(2024, 3, 1) if k == "立案日期" else v for k, v in row.items()])
    xl = tmp_path / "cases.xlsx"
    wb.save(xl)
    r = importer.run_import(str(xl), as_of=AS_OF)
    assert r.inserted == 1 and Case.objects.get(case_number="X-1").filed_on == D(2024, 3, 1)


def test_given_a_file_without_required_columns_when_imported_then_it_is_refused_in_chinese(enf, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(importer.ImportFailed, match="缺少必需的列"):
        importer.run_import(str(path), as_of=AS_OF)


def test_given_the_command_when_importing_then_it_reports_counts_and_writes_rejections(enf, write_csv, tmp_path,
                                                                                         capsys):
    path = write_csv([case_row(案件编号="CLI-1"), case_row(案件编号="CLI-2", 单位代码="NOPE")])
    out = tmp_path / "rej.xlsx"
    call_command("enforcement", "import", path, "--rejections", str(out), "--as-of", "2025-06-30")
    text = capsys.readouterr().out
    assert "新增 1" in text and "拒绝 1" in text and "未知的单位代码：NOPE" in text
    from openpyxl import load_workbook

    rows = list(load_workbook(out).active.values)
    assert rows[0] == ("行号", "列", "原因") and rows[1][:2] == (3, "单位代码")
    assert ImportBatch.objects.get().inserted == 1


def test_given_list_items_when_imported_then_each_column_accepts_only_its_kind_of_list(enf, demo_gov, write_csv):
    # given a discretion benchmark beside the fixture's 不予处罚清单 (item BCF-001)
    from fazhi.enforcement.models import StandardItem, StandardList

    bench = StandardList.objects.create(unit=demo_gov.units["YX"], kind="discretion", title="裁量基准",
                                        effective_from=D(2022, 1, 1))
    StandardItem.objects.create(standard=bench, code="CLJZ-001", title="占道堆放（情节较轻）")
    # when rows apply items in the right and in the wrong columns
    result = importer.run_import(write_csv([
        case_row(案件编号="L-OK", 适用清单事项="BCF-001", 适用裁量基准事项="CLJZ-001"),
        case_row(案件编号="L-SWAP", 适用清单事项="CLJZ-001", 适用裁量基准事项="BCF-001"),
        case_row(案件编号="L-UNKNOWN", 适用裁量基准事项="CLJZ-999"),
    ]), as_of=AS_OF)
    # then the good row keeps both items and each wrong cell is rejected with its reason
    assert (result.inserted, result.rejected) == (1, 2)
    case = Case.objects.get(case_number="L-OK")
    assert (case.lenient_item, case.discretion_item) == ("BCF-001", "CLJZ-001")
    reasons = {(row, col): reason for row, col, reason in result.rejections}
    assert reasons[(3, "适用清单事项")] == "该编码是裁量基准事项，应填在“适用裁量基准事项”列：CLJZ-001"
    assert reasons[(3, "适用裁量基准事项")].startswith("该编码不是裁量基准事项")
    assert reasons[(4, "适用裁量基准事项")] == "未知的裁量基准事项编码：CLJZ-999"


def test_given_a_huge_fine_when_imported_then_it_is_rejected_not_overflowed(enf, write_csv):
    result = importer.run_import(write_csv([case_row(案件编号="BIG", 罚没金额="1234567890123")]), as_of=AS_OF)
    assert result.inserted == 0
    assert result.rejections == [(2, "罚没金额", "罚没金额不是有效数字（最多12位整数、2位小数）：1234567890123")]


def test_given_a_blank_line_and_spaces_when_imported_then_row_numbers_follow_the_file(enf, write_csv, tmp_path):
    # given a file with a blank line in the middle and padded cells
    path = write_csv([case_row(案件编号=" S-1 ", 单位代码=" YX-ZJJ"), case_row(案件编号="S-2", 单位代码="NOPE")])
    lines = open(path, encoding="utf-8").read().splitlines()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\r\n".join([lines[0], lines[1], "", lines[2]]) + "\r\n")
    # when imported
    result = importer.run_import(path, as_of=AS_OF)
    # then the padded row is imported trimmed, and the bad row is reported at its line in the file
    assert Case.objects.get().case_number == "S-1"
    assert [(r, c) for r, c, _ in result.rejections] == [(4, "单位代码")]


def test_given_a_file_with_only_the_header_when_imported_then_nothing_happens_and_nothing_fails(enf, write_csv):
    result = importer.run_import(write_csv([]), as_of=AS_OF)
    assert (result.total, result.inserted, result.rejected) == (0, 0, 0)
    assert Case.objects.count() == 0


def test_given_a_file_over_the_size_limit_when_imported_then_it_is_refused_before_reading(enf, write_csv, settings):
    settings.FAZHI_ENFORCEMENT_IMPORT_MAX_MB = 0
    with pytest.raises(importer.ImportFailed, match="文件超过 0 MB.*拆分后分批导入"):
        importer.run_import(write_csv([case_row()]), as_of=AS_OF)
    assert Case.objects.count() == 0
