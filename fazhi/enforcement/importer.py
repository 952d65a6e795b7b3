"""Bulk import of enforcement case records (CSV / Excel / JSON lines), built for 10^6-row files.

Pipeline:
1. the file is read into one Arrow table of text columns — a well-formed CSV by Arrow's multi-threaded
   reader, anything else (Excel, JSON lines, a CSV with a truncated or malformed row, a blank line)
   row by row, so that every bad row is listed with its row number;
2. one set-based pass in DuckDB (in process, vectorised, on every core) resolves units, bodies and
   list items, parses dates through ``DayIndex``, amounts and flags, masks names and hashes ID numbers
   (the clear values never reach the database), compares each row with the stored one by natural key
   and row hash, and collects every row's errors;
3. in one database transaction, under a lock that keeps other imports out (readers are not blocked):
   new rows, with their legal checks (``checks.PROBLEMS_SQL``, the same SQL the database runs in
   ``recheck``), are written by binary COPY on PostgreSQL (executemany on SQLite); changed rows are
   updated by id; unchanged rows are not touched, so the same file twice changes nothing;
4. the roll-ups: new rows' sums are added (same formula, ``checks.stat_select``); when rows changed,
   the touched (unit, year) pairs are recomputed from the raw rows.
Rejected rows are listed (row, column, reason) and downloadable as Excel. By default the rest is
imported; with ``all_or_nothing`` nothing is imported when any row is rejected. Any failure rolls
the whole data transaction back: no half-imported rows.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import time
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fazhi.core import audit

from . import checks, dayindex, privacy
from .models import ImportBatch, ImportRejection

# (key, Chinese header, other accepted headers)
COLUMNS = [
    ("source_system", "来源系统", ("系统",)),
    ("case_number", "案件编号", ("案号", "编号")),
    ("unit_code", "单位代码", ("执法单位代码",)),
    ("body_code", "执法主体代码", ("主体代码",)),
    ("kind", "执法类别", ("类别", "行为类别")),
    ("party_type", "当事人类型", ()),
    ("party_name", "当事人", ("当事人名称", "当事人姓名")),
    ("party_id", "证件号码", ("身份证号码", "统一社会信用代码")),
    ("filed_on", "立案日期", ("检查日期",)),
    ("decided_on", "决定日期", ()),
    ("served_on", "送达日期", ()),
    ("published_on", "公示日期", ()),
    ("revoked_on", "撤销日期", ("决定被撤销日期",)),
    ("withdrawn_on", "撤回公示日期", ()),
    ("penalty_types", "处罚种类", ()),
    ("fine_amount", "罚没金额", ("罚款金额",)),
    ("major", "重大执法决定", ()),
    ("legal_review_on", "法制审核日期", ()),
    ("hearing_offered", "告知听证", ()),
    ("hearing_held", "举行听证", ()),
    ("record_required", "须全程音像记录", ()),
    ("av_record", "全过程音像记录", ("音像记录",)),
    ("officer1", "执法证号1", ()),
    ("officer2", "执法证号2", ()),
    ("lenient_item", "适用清单事项", ("清单事项", "适用从轻减轻不予处罚清单事项")),
    ("discretion_item", "适用裁量基准事项", ("裁量基准事项",)),
]
KEYS = [c[0] for c in COLUMNS]
LABEL = {k: label for k, label, _ in COLUMNS}
REQUIRED = ("source_system", "case_number", "unit_code", "kind")
DATE_KEYS = ("filed_on", "decided_on", "served_on", "published_on", "revoked_on", "withdrawn_on", "legal_review_on")
BOOL_KEYS = ("major", "hearing_offered", "hearing_held", "record_required", "av_record")
KINDS = {  # accepted spellings → code
    "inspection": ("inspection", "检查", "行政检查"),
    "penalty": ("penalty", "处罚", "行政处罚"),
    "coercion": ("coercion", "强制", "行政强制"),
    "licence": ("licence", "license", "许可", "行政许可"),
    "levy": ("levy", "征收", "行政征收"),
    "confirmation": ("confirmation", "确认", "行政确认"),
    "other": ("other", "其他"),
}
PARTY_TYPES = {"person": ("person", "自然人", "个人", "公民"),
               "org": ("org", "organisation", "organization", "法人", "其他组织", "法人或其他组织", "单位")}
TRUE_WORDS = ("是", "1", "true", "y", "yes", "有")
FALSE_WORDS = ("否", "0", "false", "n", "no", "无")
CHUNK = 1 << 20
# PostgreSQL: a load of at least this many new rows, and at least as many as the table holds, is
# inserted with the secondary indexes and constraints dropped and re-created (see ``_bulk_drop``).
BULK_MIN_ROWS = 100_000
log = logging.getLogger("fazhi.enforcement.import")


class ImportFailed(Exception):
    """The file cannot be imported at all (unreadable, no header, missing required columns)."""


@dataclass
class Result:
    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[tuple[int, str, str]] = field(default_factory=list)
    applied: bool = True
    encoding: str = ""
    message: str = ""


Progress = Callable[[str, int], None]  # (stage in Chinese, percent)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def detect_encoding(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4 * CHUNK)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ImportFailed("无法识别文件编码：请使用 UTF-8 或 GB18030（GBK）编码的文件。") from None


def file_format(path: str, name: str = "") -> str:
    ext = os.path.splitext(name or path)[1].lower().lstrip(".")
    if ext in ("xlsx", "xlsm"):
        return "xlsx"
    if ext in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if ext in ("csv", "txt", ""):
        return "csv"
    raise ImportFailed(f"不支持的文件类型：.{ext}（支持 CSV、Excel .xlsx、JSON Lines .jsonl）。")


def _header_map(header: list[str]) -> list[str]:
    """Staging column for each file column; unknown columns are kept aside (x_1 …) and ignored."""
    names = {}
    for key, label, aliases in COLUMNS:
        for n in (key, label, *aliases):
            names[n.strip().lower()] = key
    out, seen = [], set()
    for i, h in enumerate(header):
        key = names.get((h or "").strip().lstrip("\ufeff").lower())
        if key is None or key in seen:
            key = f"x_{i}"
        seen.add(key)
        out.append(key)
    missing = [LABEL[k] for k in REQUIRED if k not in seen]
    if missing:
        raise ImportFailed("文件缺少必需的列：" + "、".join(missing) + "（第一行应为表头）。")
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _text_stream(path: str, encoding: str):
    return open(path, "r", encoding=encoding, newline="")


def csv_rows(path: str, encoding: str) -> tuple[list[str], Iterator]:
    fh = _text_stream(path, encoding)
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise ImportFailed("文件为空。") from None
    cols = _header_map(header)

    def gen():
        rn = 0
        with fh:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    rn += 1
                    yield rn, None, f"无法解析（引号不配对或文件被截断）：{exc}"
                    return
                rn += 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(cols):
                    yield rn, None, f"列数为 {len(row)}，与表头的 {len(cols)} 列不符（该行可能被截断）"
                    continue
                yield rn, row, ""
    return cols, gen()


def xlsx_rows(path: str) -> tuple[list[str], Iterator]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise ImportFailed(f"无法读取 Excel 文件：{exc}") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(it)]
    except StopIteration:
        raise ImportFailed("Excel 文件为空。") from None
    while header and not header[-1]:
        header.pop()
    cols = _header_map(header)

    def gen():
        for rn, values in enumerate(it, start=1):
            row = [_cell(v) for v in values][:len(cols)]
            if not any(row):
                continue
            row += [""] * (len(cols) - len(row))
            yield rn, row, ""
        wb.close()
    return cols, gen()


def jsonl_rows(path: str, encoding: str) -> tuple[list[str], Iterator]:
    cols = _header_map(KEYS)

    def gen():
        with _text_stream(path, encoding) as fh:
            for rn, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    if not isinstance(obj, dict):
                        raise ValueError("不是对象")
                except ValueError as exc:
                    yield rn, None, f"不是有效的 JSON 对象（该行可能被截断）：{exc}"
                    continue
                mapped = {}
                for k, v in obj.items():
                    key = _header_map_one(k)
                    if key:
                        mapped[key] = _cell(v)
                yield rn, [mapped.get(k, "") for k in cols], ""
    return cols, gen()


def _header_map_one(name: str) -> str | None:
    name = (name or "").strip().lower()
    for key, label, aliases in COLUMNS:
        if name in (key, label.lower(), *(a.lower() for a in aliases)):
            return key
    return None


# ---------------------------------------------------------------------------
# Staging: every format becomes one Arrow table (rn + the columns of KEYS, all text)
# ---------------------------------------------------------------------------
def _arrow_fast_csv(path: str, encoding: str, cols: list[str]):
    """A well-formed CSV file, read by Arrow's multi-threaded reader; None when the file needs the
    row-by-row reader (a blank line, a quoted line break, a truncated or malformed row) so that every
    bad row can be listed with its row number."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1, block_size=4 * CHUNK,
                                           encoding="utf8" if encoding.startswith("utf-8") else encoding),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in cols},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    table = table.add_column(0, "rn", pa.array(range(1, table.num_rows + 1), pa.int64()))
    # A blank line is read as a row of empty cells (and counted, so row numbers follow the file): drop it.
    if not pc.any(pc.equal(table[cols[0]], "")).as_py():
        return table
    blank = functools.reduce(pc.and_, (pc.equal(table[c], "") for c in cols))
    return table.filter(pc.invert(blank))


def _arrow_rows(cols: list[str], rows: Iterator, rejections: list, row_offset: int, progress: Progress,
                estimate: int):
    """Row-by-row reading (Excel, JSON lines, a CSV the fast reader refused, GB18030 with oddities)."""
    import pyarrow as pa

    rns: list[int] = []
    data: list[list[str]] = [[] for _ in cols]
    count = 0
    for rn, row, error in rows:
        count += 1
        if row is None:
            rejections.append((rn + row_offset, "整行", error))
            continue
        rns.append(rn)
        for i, v in enumerate(row):
            data[i].append(v)
        if count % 50000 == 0:
            progress("读取文件", min(40, count * 40 // max(estimate, 1)))
    return pa.table({"rn": pa.array(rns, pa.int64()),
                     **{c: pa.array(d, pa.string()) for c, d in zip(cols, data)}})


def read_stage(path: str, fmt: str, encoding: str, rejections: list, row_offset: int, progress: Progress):
    """The file as an Arrow table: ``rn`` (record number, 1 = first after the header) and text columns."""
    progress("读取文件", 0)
    try:
        if fmt == "csv":
            cols, rows = csv_rows(path, encoding)
            table = _arrow_fast_csv(path, encoding, cols)
            if table is not None:
                rows.close()
                return table
            cols, rows = csv_rows(path, encoding)
        elif fmt == "xlsx":
            cols, rows = xlsx_rows(path)
        else:
            cols, rows = jsonl_rows(path, encoding)
        return _arrow_rows(cols, rows, rejections, row_offset, progress, _estimate_rows(path))
    except UnicodeDecodeError:
        raise ImportFailed("文件中有无法按所识别编码解码的内容，请确认文件编码为 UTF-8 或 GB18030。") from None


def _estimate_rows(path: str) -> int:
    return max(1, os.path.getsize(path) // 150)


# ---------------------------------------------------------------------------
# Validation: one set-based pass in DuckDB (vectorised, on every core), the same SQL on both databases
# ---------------------------------------------------------------------------
def _words(words: Iterable[str]) -> str:
    return "(" + ", ".join(_lit(w) for w in words) + ")"


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _case_map(expr: str, mapping: dict) -> str:
    return "CASE " + " ".join(f"WHEN LOWER({expr}) IN {_words(words)} THEN '{code}'"
                              for code, words in mapping.items()) + " ELSE NULL END"


def _err(cond: str, col: str, reason_sql: str) -> tuple[str, str]:
    # (rule, "column\treason\n" fragment): the rules are OR-ed into one cheap test per row, and the
    # Chinese text is built only for a row that fails it.
    return cond, f"CASE WHEN {cond} THEN '{LABEL[col]}' || chr(9) || {reason_sql} || chr(10) ELSE '' END"


def resolve_sql(present: Iterable[str], allowed_units: list[int] | None, salt: str, row_offset: int) -> str:
    """DuckDB SELECT over ``stage`` and the reference tables: typed values, masked and hashed party data,
    the comparison with the stored row (``existing``) and every row's errors (``errs``, empty = valid)."""
    present = set(present)
    kind = _case_map("s.kind", KINDS)
    ptype = _case_map("s.party_type", PARTY_TYPES)
    fine = "s.fine_amount"
    fine_ok = fr"({fine} = '0' OR regexp_full_match({fine}, '[0-9]{{1,12}}(\.[0-9]{{1,2}})?'))"
    errs = []
    for k in ("source_system", "case_number"):
        errs.append(_err(f"s.{k} = ''", k, _lit("不能为空")))
    errs.append(_err("LENGTH(s.source_system) > 40", "source_system", _lit("超过40个字符")))
    errs.append(_err("LENGTH(s.case_number) > 80", "case_number", _lit("超过80个字符")))
    errs.append(_err("u.id IS NULL", "unit_code", "'未知的单位代码：' || s.unit_code"))
    if allowed_units is not None:
        ids = ",".join(str(int(i)) for i in allowed_units) or "0"
        errs.append(_err(f"u.id IS NOT NULL AND u.id NOT IN ({ids})", "unit_code",
                         "'单位不在您的权限范围内：' || s.unit_code"))
    errs.append(_err("s.body_code <> '' AND b.id IS NULL", "body_code", "'未知的执法主体代码：' || s.body_code"))
    errs.append(_err("b.id IS NOT NULL AND u.id IS NOT NULL AND b.unit_id <> u.id", "body_code",
                     _lit("执法主体不属于该单位")))
    errs.append(_err(f"({kind}) IS NULL", "kind",
                     "'未知的执法类别：' || s.kind || '（应为检查、处罚、强制、许可、征收、确认或其他）'"))
    errs.append(_err(f"s.party_type <> '' AND ({ptype}) IS NULL", "party_type",
                     "'未知的当事人类型：' || s.party_type || '（应为自然人或法人/其他组织）'"))
    for k in DATE_KEYS:
        errs.append(_err(f"s.{k} <> '' AND d_{k}.day IS NULL", k,
                         f"'日期无效：' || s.{k} || '（应为 YYYY-MM-DD，2000—2036 年）'"))
    errs.append(_err("s.decided_on = '' AND s.filed_on = ''", "decided_on", _lit("决定日期与立案日期至少填写一项")))
    errs.append(_err("d_decided_on.idx < d_filed_on.idx", "decided_on", _lit("决定日期早于立案日期")))
    errs.append(_err("d_published_on.idx < d_decided_on.idx", "published_on", _lit("公示日期早于决定日期")))
    errs.append(_err(f"{fine} LIKE '-%'", "fine_amount", f"'罚没金额不能为负数：' || {fine}"))
    errs.append(_err(f"{fine} <> '' AND {fine} NOT LIKE '-%' AND NOT {fine_ok}", "fine_amount",
                     f"'罚没金额不是有效数字（最多12位整数、2位小数）：' || {fine}"))
    for k in BOOL_KEYS:
        errs.append(_err(f"s.{k} <> '' AND LOWER(s.{k}) NOT IN {_words(TRUE_WORDS + FALSE_WORDS)}", k,
                         f"'应填写“是”或“否”：' || s.{k}"))
    errs.append(_err("s.lenient_item <> '' AND li.code IS NULL", "lenient_item",
                     "'未知的清单事项编码：' || s.lenient_item"))
    errs.append(_err("li.kind = 'discretion'", "lenient_item",
                     "'该编码是裁量基准事项，应填在“适用裁量基准事项”列：' || s.lenient_item"))
    errs.append(_err("s.discretion_item <> '' AND di.code IS NULL", "discretion_item",
                     "'未知的裁量基准事项编码：' || s.discretion_item"))
    errs.append(_err("di.kind <> 'discretion'", "discretion_item",
                     "'该编码不是裁量基准事项（是从轻/减轻/不予处罚清单事项）：' || s.discretion_item"))
    errs.append(_err("dup.first_rn IS NOT NULL AND dup.first_rn < s.rn", "case_number",
                     f"'文件内案件编号重复（首次出现于第 ' || CAST(dup.first_rn + {int(row_offset)} AS VARCHAR) || ' 行）'"))
    any_bad = " OR ".join(f"({cond})" for cond, _ in errs)
    errs_sql = f"CASE WHEN {any_bad} THEN " + " || ".join(text for _, text in errs) + " ELSE '' END"
    id_hash = f"CASE WHEN s.party_id = '' THEN '' ELSE sha256({_lit(salt)} || UPPER(s.party_id)) END"
    name = ("CASE WHEN s.party_name = '' THEN '' WHEN party_type_code = 'org' THEN s.party_name "
            "ELSE SUBSTR(s.party_name, 1, 1) || '*' END")
    date_joins = "\n".join(
        f"LEFT JOIN enforcement_dayindex d_{k} ON d_{k}.iso = REPLACE(s.{k}, '/', '-') AND s.{k} <> ''"
        for k in DATE_KEYS)
    plain = ["officer1", "officer2", "lenient_item", "discretion_item"]
    hash_parts = " || '|' || ".join(
        ["kind", "COALESCE(u_code, '')", "b_code", "party_type", "party_name", "party_id_hash"]
        + [f"COALESCE(CAST({k} AS VARCHAR), '')" for k in DATE_KEYS]
        + ["penalty_types"] + [f"s_{k}" for k in ("fine_amount", *BOOL_KEYS)] + plain)
    trimmed = ", ".join(f"TRIM(COALESCE({c}, '')) AS {c}" if c in present else f"'' AS {c}" for c in KEYS)
    bools = ", ".join(f"LOWER(s.{k}) IN {_words(TRUE_WORDS)} AS {k}" for k in BOOL_KEYS if k != "record_required")
    return f"""
WITH s0 AS (SELECT rn, {trimmed} FROM stage),
s AS (SELECT *, {kind} AS kind_code, {ptype} AS party_type_code FROM s0 AS s),
dup AS (SELECT source_system AS ss, case_number AS cn, MIN(rn) AS first_rn FROM s0
        GROUP BY source_system, case_number HAVING COUNT(*) > 1),
q AS (SELECT s.rn, s.source_system, s.case_number,
  u.id AS unit_id, u.code AS u_code, b.id AS body_id, COALESCE(b.code, '') AS b_code,
  s.kind_code AS kind, COALESCE(s.party_type_code, '') AS party_type, {name} AS party_name, {id_hash} AS party_id_hash,
  {", ".join(f"d_{k}.day AS {k}" for k in DATE_KEYS)},
  COALESCE(d_decided_on.day, d_filed_on.day) AS event_on,
  COALESCE(d_decided_on.year, d_filed_on.year) AS year,
  s.penalty_types,
  CASE WHEN {fine_ok} THEN CAST({fine} AS DECIMAL(14, 2)) ELSE 0 END AS fine_amount,
  {bools},
  LOWER(s.record_required) IN {_words(TRUE_WORDS)} OR s.kind_code = 'coercion' AS record_required,
  {", ".join(f"s.{k}" for k in plain)},
  {", ".join(f"s.{k} AS s_{k}" for k in ("fine_amount", *BOOL_KEYS))},
  {errs_sql} AS errs,
  e.case_id, e.old_hash, e.old_unit_id, e.old_year
FROM s
LEFT JOIN existing e ON e.ss = s.source_system AND e.cn = s.case_number
LEFT JOIN core_unit u ON u.code = s.unit_code
LEFT JOIN enforcement_body b ON b.code = s.body_code AND s.body_code <> ''
LEFT JOIN std_items li ON li.code = s.lenient_item AND s.lenient_item <> ''
LEFT JOIN std_items di ON di.code = s.discretion_item AND s.discretion_item <> ''
LEFT JOIN dup ON dup.ss = s.source_system AND dup.cn = s.case_number
{date_joins}
)
SELECT q.*, md5({hash_parts}) AS row_hash FROM q"""


# Columns written to enforcement_case, with the DuckDB type that matches the database column exactly
# (binary COPY sends values in the column's own wire format).
CASE_COLUMNS = [("source_system", "VARCHAR"), ("case_number", "VARCHAR"), ("unit_id", "BIGINT"),
                ("body_id", "BIGINT"), ("kind", "VARCHAR"), ("party_type", "VARCHAR"), ("party_name", "VARCHAR"),
                ("party_id_hash", "VARCHAR"), *((k, "DATE") for k in DATE_KEYS), ("event_on", "DATE"),
                ("penalty_types", "VARCHAR"), ("fine_amount", "DECIMAL(14, 2)"), ("major", "BOOLEAN"),
                ("hearing_offered", "BOOLEAN"), ("hearing_held", "BOOLEAN"), ("record_required", "BOOLEAN"),
                ("av_record", "BOOLEAN"), ("officer1", "VARCHAR"), ("officer2", "VARCHAR"),
                ("lenient_item", "VARCHAR"), ("discretion_item", "VARCHAR"), ("problems", "INTEGER"),
                ("checked_on", "DATE"), ("row_hash", "VARCHAR"), ("batch_id", "BIGINT")]
CASE_NAMES = [c for c, _ in CASE_COLUMNS]


def checked_sql(resolve: str, params: dict) -> str:
    """The resolved rows with their legal checks: ``problems``, by ``checks.PROBLEMS_SQL`` — the same
    SQL the database runs in ``checks.recheck`` — over the typed values (``r``)."""
    return f"SELECT r.*, CAST({checks.PROBLEMS_SQL % params} AS INTEGER) AS problems FROM ({resolve}) r {checks.DAY_JOINS}"


def case_rows_sql(params: dict, *, changed: bool) -> str:
    """Typed case rows of the new rows, or (with ``changed``) of the stored rows whose content changed —
    keyed by their id."""
    src = {"checked_on": f"DATE '{params['as_of'].isoformat()}'",
           "batch_id": str(params["batch_id"]) if params["batch_id"] else "NULL"}
    cols = ", ".join(f"CAST({src.get(c, 'r.' + c)} AS {t}) AS {c}" for c, t in CASE_COLUMNS)
    if changed:
        return (f"SELECT r.case_id AS id, {cols} FROM res r "
                "WHERE r.errs = '' AND r.case_id IS NOT NULL AND r.old_hash <> r.row_hash")
    return f"SELECT {cols} FROM res r WHERE r.errs = '' AND r.case_id IS NULL"


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _register(duck, cur, name: str, sql: str, schema: list[tuple[str, object]]) -> None:
    """A small reference table read from the database and handed to DuckDB as Arrow (no copy)."""
    import pyarrow as pa

    cur.execute(sql, [])
    rows = cur.fetchall()
    columns = list(zip(*rows)) if rows else [() for _ in schema]
    duck.register(name, pa.table({c: pa.array(list(v), t) for (c, t), v in zip(schema, columns)}))


def _reference(duck, cur) -> None:
    import pyarrow as pa

    i64, s, d, i32 = pa.int64(), pa.string(), pa.date32(), pa.int32()
    _register(duck, cur, "core_unit", "SELECT id, code FROM core_unit", [("id", i64), ("code", s)])
    _register(duck, cur, "enforcement_body", "SELECT id, code, unit_id FROM enforcement_body",
              [("id", i64), ("code", s), ("unit_id", i64)])
    _register(duck, cur, "std_items", "SELECT i.code, l.kind FROM enforcement_standarditem i "
              "JOIN enforcement_standardlist l ON l.id = i.standard_id", [("code", s), ("kind", s)])
    _register(duck, cur, "enforcement_dayindex",
              "SELECT day, iso, idx, year, wd_floor, wd_ceil, p90 FROM enforcement_dayindex",
              [("day", d), ("iso", s), ("idx", i32), ("year", i32), ("wd_floor", i32), ("wd_ceil", i32),
               ("p90", i32)])
    _register(duck, cur, "enforcement_certificate",
              "SELECT id, number, kind, valid_from, valid_to, status, status_since FROM enforcement_certificate",
              [("id", i64), ("number", s), ("kind", s), ("valid_from", d), ("valid_to", d), ("status", s),
               ("status_since", d)])


def _existing(duck, cur) -> None:
    """``existing``: the stored rows whose natural key is in the file (id, row hash, unit, year).
    Asked only when the table holds a row of one of the file's source systems."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    schema = pa.schema([("ss", pa.string()), ("cn", pa.string()), ("case_id", pa.int64()),
                        ("old_hash", pa.string()), ("old_unit_id", pa.int64()), ("old_year", pa.int32())])
    systems = [r[0] for r in duck.execute("SELECT DISTINCT TRIM(COALESCE(source_system, '')) FROM stage").fetchall()]
    if systems:
        cur.execute("SELECT 1 FROM enforcement_case WHERE source_system IN (%s) LIMIT 1"
                    % ", ".join(["%s"] * len(systems)), systems)
    if not systems or cur.fetchone() is None:
        duck.register("existing", schema.empty_table())
        return
    keys = duck.sql("SELECT DISTINCT TRIM(COALESCE(source_system, '')) AS ss, "
                        "TRIM(COALESCE(case_number, '')) AS cn FROM stage").to_arrow_table()
    cur.execute("DROP TABLE IF EXISTS enf_keys", [])
    cur.execute("CREATE TEMP TABLE enf_keys (ss varchar(200), cn varchar(200))", [])
    query = (f"SELECT c.source_system, c.case_number, c.id, c.row_hash, c.unit_id, "
             f"{checks.year_sql('c.event_on')} FROM enforcement_case c "
             "JOIN enf_keys k ON c.source_system = k.ss AND c.case_number = k.cn")
    if _pg():
        _copy_binary(cur, "enf_keys", ["ss", "cn"], keys.to_reader())
        cur.execute("ANALYZE enf_keys", [])
        buf = io.BytesIO()
        with cur.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:
                buf.write(data)
        buf.seek(0)
        found = pacsv.read_csv(buf, read_options=pacsv.ReadOptions(column_names=schema.names),
                               convert_options=pacsv.ConvertOptions(column_types=schema)) \
            if buf.getbuffer().nbytes else schema.empty_table()
    else:
        cur.executemany("INSERT INTO enf_keys VALUES (%s, %s)", list(zip(keys["ss"].to_pylist(), keys["cn"].to_pylist())))
        cur.execute(query, [])
        rows = cur.fetchall()
        found = pa.table({n: pa.array([r[i] for r in rows], schema.field(n).type) for i, n in enumerate(schema.names)})
    cur.execute("DROP TABLE enf_keys", [])
    duck.register("existing", found)


def _copy_binary(cur, table: str, columns: list[str], reader) -> int:
    """PostgreSQL: binary COPY of Arrow record batches (encoded by pgpq): no text parsing on the server."""
    import pgpq

    n = 0
    encoder = pgpq.ArrowToPostgresBinaryEncoder(reader.schema)
    from psycopg.copy import QueuedLibpqWriter

    # Queued: a thread hands the data to libpq while the next batch is encoded.
    with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)",
                         writer=QueuedLibpqWriter(cur.cursor)) as copy:
        copy.write(encoder.write_header())
        for batch in reader:
            copy.write(encoder.write_batch(batch))
            n += batch.num_rows
        copy.write(encoder.finish())
    return n


def _write_new(duck, cur, params: dict) -> None:
    reader = duck.sql(case_rows_sql(params, changed=False)).to_arrow_reader(100_000)
    if _pg():
        _copy_binary(cur, "enforcement_case", CASE_NAMES, reader)
        return
    sql = (f"INSERT INTO enforcement_case ({', '.join(CASE_NAMES)}) "
           f"VALUES ({', '.join(['%s'] * len(CASE_NAMES))})")
    for batch in reader:
        cur.executemany(sql, list(zip(*(batch.column(i).to_pylist() for i in range(batch.num_columns)))))


def _write_changed(duck, cur, params: dict) -> None:
    reader = duck.sql(case_rows_sql(params, changed=True)).to_arrow_reader(100_000)
    sets = ", ".join(f"{c} = u.{c}" for c in CASE_NAMES if c not in ("source_system", "case_number"))
    if _pg():
        cur.execute("DROP TABLE IF EXISTS enf_upd", [])
        cur.execute("CREATE TEMP TABLE enf_upd (LIKE enforcement_case)", [])
        _copy_binary(cur, "enf_upd", ["id", *CASE_NAMES], reader)
        cur.execute(f"UPDATE enforcement_case SET {sets} FROM enf_upd u WHERE enforcement_case.id = u.id", [])
        cur.execute("DROP TABLE enf_upd", [])
        return
    names = [c for c in CASE_NAMES if c not in ("source_system", "case_number")]
    sql = f"UPDATE enforcement_case SET {', '.join(f'{c} = %s' for c in names)} WHERE id = %s"
    for batch in reader:
        cols = {n: batch.column(n).to_pylist() for n in ["id", *names]}
        cur.executemany(sql, list(zip(*(cols[n] for n in names), cols["id"])))


def _rows_up_to(cur, limit: int) -> int:
    """Rows in the case table, counted up to ``limit`` (a bounded scan, never the whole 10⁷ table)."""
    cur.execute("SELECT COUNT(*) FROM (SELECT 1 FROM enforcement_case LIMIT %s) t", [limit])
    return int(cur.fetchone()[0])


def _bulk_drop(cur) -> list[str]:
    """PostgreSQL, a load larger than the table: drop the secondary indexes, the natural-key
    constraint and the foreign keys, and return the statements that re-create them exactly.

    Building an index once by sorting, and checking a foreign key with one join, is many times
    cheaper than maintaining three indexes and firing three per-row foreign-key triggers for every
    inserted row. The rows were already resolved against units, bodies and the table, so the
    re-created constraints only confirm it (and a violation rolls the whole import back).
    """
    cur.execute("""
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = 'enforcement_case'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname""", [])
    constraints = cur.fetchall()
    cur.execute("""
SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = 'enforcement_case'::regclass AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)""", [])
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE enforcement_case DROP CONSTRAINT "{name}"', [])
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"', [])
    recreate = [ddl for _, ddl in indexes]
    # Unique constraint first (its index), then the foreign keys.
    recreate += [f'ALTER TABLE enforcement_case ADD CONSTRAINT "{name}" {ddl}'
                 for name, ddl in sorted(constraints, key=lambda c: not c[1].startswith("UNIQUE"))]
    return recreate


def _duck():
    import duckdb

    return duckdb.connect(config={"threads": max(1, os.cpu_count() or 1)})


# ---------------------------------------------------------------------------
# Running an import
# ---------------------------------------------------------------------------
def run_import(path: str, *, file_name: str = "", allowed_units: list[int] | None = None,
               all_or_nothing: bool = False, batch: ImportBatch | None = None, actor=None,
               as_of: dt.date | None = None, progress: Progress | None = None) -> Result:
    """Import ``path``; returns counts and rejections. Raises ImportFailed for an unusable file."""
    progress = progress or (lambda stage, pct: None)
    as_of = as_of or timezone.localdate()
    fmt = file_format(path, file_name)
    # The file is validated in memory (≈ 1.7 GB per 10⁶ rows measured): a bigger file is refused up front.
    limit = getattr(settings, "FAZHI_ENFORCEMENT_IMPORT_MAX_MB", 1024)
    if os.path.getsize(path) > limit * 1024 * 1024:
        raise ImportFailed(f"文件超过 {limit} MB（约 {limit * 7000:,} 行），请按年度或单位拆分后分批导入。")
    encoding = "" if fmt == "xlsx" else detect_encoding(path)
    result = Result(encoding={"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030"}.get(encoding, "Excel"))
    row_offset = 0 if fmt == "jsonl" else 1  # reported row numbers count the header line
    dayindex.ensure()
    params = {"as_of": as_of, "batch_id": batch.pk if batch else None, **checks.as_of_params(as_of)}
    file_rejections: list[tuple[int, str, str]] = []
    started = [time.monotonic()]

    def _lap(stage: str) -> None:  # stage timings for profiling (logger fazhi.enforcement.import, DEBUG)
        now = time.monotonic()
        log.debug("%s: %.2f s", stage, now - started[0])
        started[0] = now

    stage = read_stage(path, fmt, encoding, file_rejections, row_offset, progress)
    result.total = stage.num_rows + len(file_rejections)
    _lap("read")
    duck = _duck()
    duck.register("stage", stage)
    try:
        with transaction.atomic(), connection.cursor() as cur:
            if _pg():
                cur.execute("SET LOCAL maintenance_work_mem = '512MB'", [])
                # One import at a time (readers are not blocked): the comparison with the table below
                # stays true until the rows are written, so new rows can be a plain COPY.
                cur.execute("LOCK TABLE enforcement_case IN SHARE ROW EXCLUSIVE MODE", [])
            progress("校验数据", 45)
            _reference(duck, cur)
            _existing(duck, cur)
            _lap("reference and existing rows")
            duck.execute("CREATE TEMP TABLE res AS " + checked_sql(
                resolve_sql(stage.column_names, allowed_units, privacy.salt(), row_offset), params))
            _lap("resolve")
            bad_rows = 0
            for rn, errs in duck.execute("SELECT rn, errs FROM res WHERE errs <> '' ORDER BY rn").fetchall():
                bad_rows += 1
                for line in errs.strip("\n").split("\n"):
                    col, _, reason = line.partition("\t")
                    result.rejections.append((rn + row_offset, col, reason))
            result.rejections = sorted(file_rejections + result.rejections)
            result.rejected = bad_rows + len(file_rejections)
            progress("比对已有数据", 60)
            ins, upd, same = duck.execute("""
SELECT COUNT(*) FILTER (WHERE case_id IS NULL), COUNT(*) FILTER (WHERE case_id IS NOT NULL AND old_hash <> row_hash),
       COUNT(*) FILTER (WHERE case_id IS NOT NULL AND old_hash = row_hash) FROM res WHERE errs = ''""").fetchall()[0]
            result.inserted, result.updated, result.unchanged = int(ins), int(upd), int(same)
            if all_or_nothing and result.rejected:
                result.applied = False
                result.inserted = result.updated = result.unchanged = 0
                result.message = f"有 {result.rejected} 行被拒绝，按“全部成功才导入”的要求，未导入任何数据。"
                transaction.set_rollback(True)
                return result
            if result.inserted or result.updated:
                progress("合并入库", 70)
                _merge(duck, cur, params, result, _lap)
            _lap("roll-ups")
            audit.record("enforcement.import", actor=actor, unit=batch.unit if batch else None,
                         object_type="enforcement.importbatch", object_id=str(batch.pk) if batch else "",
                         object_repr=file_name or os.path.basename(path),
                         changes={"total": result.total, "inserted": result.inserted, "updated": result.updated,
                                  "unchanged": result.unchanged, "rejected": result.rejected,
                                  "encoding": result.encoding})
    finally:
        duck.close()
    progress("完成", 100)
    return result


def _merge(duck, cur, params: dict, result: Result, lap: Callable[[str], None]) -> None:
    """Write new and changed rows, then bring the roll-ups of the touched (unit, year) pairs up to date."""
    if result.updated:
        _write_changed(duck, cur, params)
        lap("update changed")
    bulk = (_pg() and result.inserted >= BULK_MIN_ROWS and _rows_up_to(cur, result.inserted + 1) <= result.inserted)
    if result.inserted:
        recreate = _bulk_drop(cur) if bulk else []
        _write_new(duck, cur, params)
        lap("insert new" + (" (bulk)" if bulk else ""))
        for ddl in recreate:
            cur.execute(ddl, [])
            lap("re-create " + ddl[:90])
    if not result.updated:
        # Only new rows: their roll-up is added to the stored one (sums and counts are additive),
        # computed by the same formula (checks.stat_select) over the new rows in DuckDB.
        duck.execute("CREATE VIEW enforcement_case AS " + case_rows_sql(params, changed=False))
        checks.add_stats(cur, duck.execute(checks.stat_select(year=checks.year_sql_duckdb)).fetchall())
        return
    # Changed rows can move between pairs: recompute every touched pair from the raw rows.
    pairs = duck.execute("""
SELECT DISTINCT unit_id, year FROM res WHERE errs = '' AND (case_id IS NULL OR old_hash <> row_hash)
UNION SELECT old_unit_id, old_year FROM res WHERE errs = '' AND case_id IS NOT NULL AND old_hash <> row_hash""").fetchall()
    cur.execute("DROP TABLE IF EXISTS enf_touched", [])
    cur.execute("CREATE TEMP TABLE enf_touched (unit_id bigint, year integer, y_start date, y_end date)", [])
    cur.executemany("INSERT INTO enf_touched VALUES (%s, %s, %s, %s)",
                    [(u, int(y), dt.date(int(y), 1, 1), dt.date(int(y), 12, 31)) for u, y in pairs])
    if _pg():
        cur.execute("ANALYZE enf_touched", [])
    checks.refresh_stats(cur, "enf_touched")
    cur.execute("DROP TABLE enf_touched", [])


# ---------------------------------------------------------------------------
# Batches: the CLI and the upload page
# ---------------------------------------------------------------------------
LIVE_PROGRESS: dict[int, tuple[str, int]] = {}  # batch id → (stage, percent), for the polling page


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def run_batch(batch: ImportBatch, path: str, *, allowed_units: list[int] | None, actor=None,
              progress: Progress | None = None, as_of: dt.date | None = None) -> Result | None:
    """Run the import of ``batch`` and record its outcome on the batch row (outside the data transaction)."""
    def report(stage: str, pct: int):
        LIVE_PROGRESS[batch.pk] = (stage, pct)
        if progress:
            progress(stage, pct)

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, stage="读取文件")
    try:
        result = run_import(path, file_name=batch.file_name, allowed_units=allowed_units,
                            all_or_nothing=batch.all_or_nothing, batch=batch, actor=actor, progress=report,
                            as_of=as_of)
    except ImportFailed as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=str(exc),
                                                       stage="失败", finished_at=timezone.now())
        LIVE_PROGRESS.pop(batch.pk, None)
        raise
    except Exception as exc:  # noqa: BLE001 - recorded for the user, then re-raised for the log
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, stage="失败", finished_at=timezone.now(),
            message=f"导入失败，已全部回滚，数据库未作任何改动：{exc}")
        LIVE_PROGRESS.pop(batch.pk, None)
        raise
    ImportRejection.objects.bulk_create(
        [ImportRejection(batch=batch, row=r, column=c, reason=reason[:300]) for r, c, reason in result.rejections],
        batch_size=2000)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.DONE, stage="完成", progress=100, total_rows=result.total,
        inserted=result.inserted, updated=result.updated, unchanged=result.unchanged, rejected=result.rejected,
        encoding=result.encoding, message=result.message, finished_at=timezone.now())
    LIVE_PROGRESS.pop(batch.pk, None)
    return result


def start_background(batch: ImportBatch, path: str, *, allowed_units: list[int] | None, actor) -> threading.Thread:
    """Upload page: run the batch in a thread with its own database connection; the page polls."""
    def work():
        from django.db import close_old_connections

        try:
            run_batch(batch, path, allowed_units=allowed_units, actor=actor)
        except Exception:  # noqa: BLE001 - the outcome is on the batch row
            pass
        finally:
            try:
                os.remove(path)
            except OSError:
                pass
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=work, name=f"enforcement-import-{batch.pk}", daemon=True)
    thread.start()
    return thread


def rejections_xlsx(batch: ImportBatch) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("被拒绝的行")
    ws.append(["行号", "列", "原因"])
    for r in batch.rejections.all().iterator():
        ws.append([r.row, r.column, r.reason])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
