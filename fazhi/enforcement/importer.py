"""Bulk import of enforcement case records (CSV / Excel / JSON lines), built for 10^6-row files.

Pipeline (one transaction for the data):
1. the file is read into a temporary staging table — on PostgreSQL with ``COPY`` straight from the
   file (decoded from UTF-8 or GB18030); a file COPY refuses (a truncated last line, a stray
   quote) is re-read row by row so the bad rows can be listed; Excel and JSON lines are read row by
   row; on SQLite rows are inserted in batches;
2. one set-based SQL pass resolves units, bodies, dates (through ``DayIndex``), amounts and flags,
   masks and hashes party data (the clear values never leave the temporary table), and collects
   every row's errors;
3. the valid rows are merged with ``INSERT … ON CONFLICT (source_system, case_number) DO UPDATE …
   WHERE row_hash differs``: the same file twice changes nothing; the legal checks are computed in
   the same statement (``checks.PROBLEMS_SQL``);
4. the roll-ups of the touched (unit, year) pairs are recomputed from the raw rows.
Rejected rows are listed (row, column, reason) and downloadable as Excel. By default the rest is
imported; with ``all_or_nothing`` nothing is imported when any row is rejected. Any failure rolls
the whole data transaction back: no half-imported rows.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import time
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

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
    ("lenient_item", "适用清单事项", ("清单事项",)),
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
# SQL
# ---------------------------------------------------------------------------
def _pg() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_functions() -> None:
    connection.ensure_connection()
    raw = connection.connection
    raw.create_function("fz_hash", 1, privacy.hash_id, deterministic=True)
    raw.create_function("fz_md5", 1, lambda s: hashlib.md5((s or "").encode()).hexdigest(), deterministic=True)


def _t(col: str) -> str:
    # Staging columns are trimmed once in the ``s`` CTE (see resolve_sql); here a plain reference.
    return f"s.{col}"


def _words(words: Iterable[str]) -> str:
    return "(" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + ")"


def _in(expr: str, words: Iterable[str]) -> str:
    # The accepted words are lower case: the exact comparison answers the usual cell without
    # allocating LOWER(cell); only an unusual spelling (YES, True) pays for LOWER.
    return f"({expr} IN {_words(words)} OR LOWER({expr}) IN {_words(words)})"


def _case_map(expr: str, mapping: dict) -> str:
    exact = " ".join(f"WHEN {expr} IN {_words(words)} THEN '{code}'" for code, words in mapping.items())
    lower = " ".join(f"WHEN LOWER({expr}) IN {_words(words)} THEN '{code}'" for code, words in mapping.items())
    return f"CASE {exact} {lower} ELSE NULL END"


def _regex(expr: str, pattern: str) -> str:
    return f"{expr} ~ '{pattern}'" if _pg() else f"{expr} REGEXP '{pattern}'"


def _bool(col: str) -> str:
    return f"CASE WHEN {_in(_t(col), TRUE_WORDS)} THEN TRUE ELSE FALSE END"


def _err(cond: str, col: str, reason_sql: str) -> tuple[str, str]:
    # (rule, "column\treason\n" fragment): the rules are OR-ed into one cheap test per row, and the
    # Chinese text is built only for a row that fails it.
    return cond, f"CASE WHEN {cond} THEN '{LABEL[col]}' || CHAR9 || {reason_sql} || CHAR10 ELSE '' END"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def resolve_sql(allowed_units: list[int] | None) -> str:
    kind = _case_map(_t("kind"), KINDS)
    ptype = _case_map(_t("party_type"), PARTY_TYPES)
    fine = _t("fine_amount")
    if _pg():
        id_hash = (f"CASE WHEN {_t('party_id')} = '' THEN '' ELSE encode(sha256(convert_to(%(salt)s || "
                   f"UPPER({_t('party_id')}), 'UTF8')), 'hex') END")
        md5 = "md5"
        chr9, chr10 = "chr(9)", "chr(10)"
    else:
        id_hash = f"fz_hash({_t('party_id')})"
        md5 = "fz_md5"
        chr9, chr10 = "char(9)", "char(10)"
    name = (f"CASE WHEN {_t('party_name')} = '' THEN '' WHEN ({ptype}) = 'org' THEN {_t('party_name')} "
            f"ELSE SUBSTR({_t('party_name')}, 1, 1) || '*' END")
    fine_re = _regex(fine, r"^[0-9]+(\.[0-9]{1,2})?$")
    fine_ok = f"({fine} = '0' OR {fine_re})"  # '0' (most rows) needs no regex
    errs = []
    for k in ("source_system", "case_number"):
        errs.append(_err(f"{_t(k)} = ''", k, _lit("不能为空")))
    errs.append(_err(f"LENGTH({_t('source_system')}) > 40", "source_system", _lit("超过40个字符")))
    errs.append(_err(f"LENGTH({_t('case_number')}) > 80", "case_number", _lit("超过80个字符")))
    errs.append(_err("u.id IS NULL", "unit_code", f"'未知的单位代码：' || {_t('unit_code')}"))
    if allowed_units is not None:
        ids = ",".join(str(int(i)) for i in allowed_units) or "0"
        errs.append(_err(f"u.id IS NOT NULL AND u.id NOT IN ({ids})", "unit_code",
                         f"'单位不在您的权限范围内：' || {_t('unit_code')}"))
    errs.append(_err(f"{_t('body_code')} <> '' AND b.id IS NULL", "body_code",
                     f"'未知的执法主体代码：' || {_t('body_code')}"))
    errs.append(_err("b.id IS NOT NULL AND u.id IS NOT NULL AND b.unit_id <> u.id", "body_code",
                     _lit("执法主体不属于该单位")))
    errs.append(_err(f"({kind}) IS NULL", "kind",
                     f"'未知的执法类别：' || {_t('kind')} || '（应为检查、处罚、强制、许可、征收、确认或其他）'"))
    errs.append(_err(f"{_t('party_type')} <> '' AND ({ptype}) IS NULL", "party_type",
                     f"'未知的当事人类型：' || {_t('party_type')} || '（应为自然人或法人/其他组织）'"))
    for k in DATE_KEYS:
        a = f"d_{k}"
        errs.append(_err(f"{_t(k)} <> '' AND {a}.day IS NULL", k,
                         f"'日期无效：' || {_t(k)} || '（应为 YYYY-MM-DD，2000—2036 年）'"))
    errs.append(_err("d_decided_on.day IS NULL AND d_filed_on.day IS NULL "
                     f"AND {_t('decided_on')} = '' AND {_t('filed_on')} = ''", "decided_on",
                     _lit("决定日期与立案日期至少填写一项")))
    errs.append(_err("d_decided_on.idx < d_filed_on.idx", "decided_on", _lit("决定日期早于立案日期")))
    errs.append(_err("d_published_on.idx < d_decided_on.idx", "published_on", _lit("公示日期早于决定日期")))
    errs.append(_err(f"{fine} LIKE '-%%'", "fine_amount", f"'罚没金额不能为负数：' || {fine}"))
    errs.append(_err(f"{fine} <> '' AND {fine} NOT LIKE '-%%' AND NOT ({fine_ok})", "fine_amount",
                     f"'罚没金额不是有效数字：' || {fine}"))
    for k in BOOL_KEYS:
        errs.append(_err(f"{_t(k)} <> '' AND NOT {_in(_t(k), TRUE_WORDS + FALSE_WORDS)}", k,
                         f"'应填写“是”或“否”：' || {_t(k)}"))
    errs.append(_err(f"{_t('lenient_item')} <> '' AND li.id IS NULL", "lenient_item",
                     f"'未知的清单事项编码：' || {_t('lenient_item')}"))
    errs.append(_err("dup.first_rn IS NOT NULL AND dup.first_rn < s.rn", "case_number",
                     "'文件内案件编号重复（首次出现于第 ' || CAST(dup.first_rn + %(row_offset)s AS TEXT) || ' 行）'"))
    any_bad = " OR ".join(f"({cond})" for cond, _ in errs)
    errs_sql = (f"CASE WHEN {any_bad} THEN " + " || ".join(text for _, text in errs) + " ELSE '' END"
                ).replace("CHAR9", chr9).replace("CHAR10", chr10)
    date_joins = "\n".join(
        f"LEFT JOIN enforcement_dayindex d_{k} ON d_{k}.iso = REPLACE({_t(k)}, '/', '-')" for k in DATE_KEYS)
    plain = ["officer1", "officer2", "lenient_item"]
    hash_parts = " || '|' || ".join(
        ["q.kind", "COALESCE(q.u_code, '')", "q.b_code", "q.party_type", "q.party_name", "q.party_id_hash"]
        + [f"COALESCE(CAST(q.{k} AS TEXT), '')" for k in DATE_KEYS]
        + ["q.penalty_types"] + [f"q.s_{k}" for k in ("fine_amount", *BOOL_KEYS)]
        + ["q.officer1", "q.officer2", "q.lenient_item"])
    trimmed = ", ".join(f"TRIM(COALESCE({c}, '')) AS {c}" for c in KEYS)
    # MATERIALIZED: each cell is trimmed once and each row's expressions computed once (both databases
    # would otherwise inline the expressions at every reference).
    return f"""
WITH s AS MATERIALIZED (SELECT rn, {trimmed} FROM enf_stage),
q AS MATERIALIZED (SELECT s.rn,
  {_t('source_system')} AS source_system, {_t('case_number')} AS case_number,
  u.id AS unit_id, u.code AS u_code, b.id AS body_id, COALESCE(b.code, '') AS b_code,
  {kind} AS kind, COALESCE({ptype}, '') AS party_type, {name} AS party_name, {id_hash} AS party_id_hash,
  {", ".join(f"d_{k}.day AS {k}" for k in DATE_KEYS)},
  COALESCE(d_decided_on.day, d_filed_on.day) AS event_on,
  COALESCE(d_decided_on.year, d_filed_on.year) AS year,
  {_t('penalty_types')} AS penalty_types,
  CASE WHEN {fine_ok} THEN CAST({fine} AS NUMERIC) ELSE 0 END AS fine_amount,
  {", ".join(f"{_bool(k)} AS {k}" for k in BOOL_KEYS if k != "record_required")},
  CASE WHEN {_in(_t('record_required'), TRUE_WORDS)} OR ({kind}) = 'coercion' THEN TRUE ELSE FALSE END
    AS record_required,
  {", ".join(f"{_t(k)} AS {k}" for k in plain)},
  {", ".join(f"{_t(k)} AS s_{k}" for k in ("fine_amount", *BOOL_KEYS))},
  {errs_sql} AS errs,
  c.id AS case_id, c.row_hash AS old_hash, c.unit_id AS old_unit_id, {checks.year_sql("c.event_on")} AS old_year
FROM s
LEFT JOIN enforcement_case c ON c.source_system = {_t('source_system')} AND c.case_number = {_t('case_number')}
LEFT JOIN core_unit u ON u.code = {_t('unit_code')}
LEFT JOIN enforcement_body b ON b.code = {_t('body_code')} AND {_t('body_code')} <> ''
LEFT JOIN enforcement_standarditem li ON li.code = {_t('lenient_item')} AND {_t('lenient_item')} <> ''
LEFT JOIN enf_dup dup
  ON dup.ss = {_t('source_system')} AND dup.cn = {_t('case_number')}
{date_joins}
)
SELECT q.*, {md5}({hash_parts}) AS row_hash FROM q"""


CASE_COLUMNS = ["source_system", "case_number", "unit_id", "body_id", "kind", "party_type", "party_name",
                "party_id_hash", *DATE_KEYS, "event_on", "penalty_types", "fine_amount", "major",
                "hearing_offered", "hearing_held", "record_required", "av_record", "officer1", "officer2",
                "lenient_item", "problems", "checked_on", "row_hash", "batch_id"]


def _case_select() -> str:
    src = {"problems": checks.PROBLEMS_SQL, "checked_on": "%(as_of)s", "batch_id": "%(batch_id)s"}
    return ", ".join(src.get(c, f"r.{c}") for c in CASE_COLUMNS)


def insert_sql() -> str:
    """New rows (natural key not in the table when compared, under the import lock): a plain INSERT."""
    return f"""
INSERT INTO enforcement_case ({", ".join(CASE_COLUMNS)})
SELECT {_case_select()}
FROM enf_res r {checks.DAY_JOINS}
WHERE r.errs = '' AND r.case_id IS NULL"""


def merge_sql() -> str:
    """Changed rows only (row hash differs): unchanged rows are never rewritten."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in CASE_COLUMNS if c not in ("source_system", "case_number"))
    return f"""
INSERT INTO enforcement_case ({", ".join(CASE_COLUMNS)})
SELECT {_case_select()}
FROM enf_res r {checks.DAY_JOINS}
WHERE r.errs = '' AND r.case_id IS NOT NULL AND r.old_hash <> r.row_hash
ON CONFLICT (source_system, case_number) DO UPDATE SET {updates}
WHERE enforcement_case.row_hash <> excluded.row_hash"""


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
WHERE conrelid = 'enforcement_case'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname""", {})
    constraints = cur.fetchall()
    cur.execute("""
SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = 'enforcement_case'::regclass AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)""", {})
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE enforcement_case DROP CONSTRAINT "{name}"', {})
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"', {})
    recreate = [ddl for _, ddl in indexes]
    # Unique constraint first (its index), then the foreign keys.
    recreate += [f'ALTER TABLE enforcement_case ADD CONSTRAINT "{name}" {ddl}'
                 for name, ddl in sorted(constraints, key=lambda c: not c[1].startswith("UNIQUE"))]
    return recreate


# ---------------------------------------------------------------------------
# Running an import
# ---------------------------------------------------------------------------
def _stage_columns(cols: list[str]) -> list[str]:
    return KEYS + [c for c in cols if c.startswith("x_")]


def _create_stage(cur, cols: list[str]) -> None:
    cur.execute("DROP TABLE IF EXISTS enf_stage")
    cur.execute("DROP TABLE IF EXISTS enf_res")
    cur.execute("DROP TABLE IF EXISTS enf_touched")
    cur.execute("DROP TABLE IF EXISTS enf_dup")
    rn = "rn bigserial" if _pg() else "rn INTEGER PRIMARY KEY"
    text_cols = ", ".join(f"{c} text" for c in _stage_columns(cols))
    cur.execute(f"CREATE TEMP TABLE enf_stage ({rn}, {text_cols})")


def _copy_fast(cur, path: str, encoding: str, cols: list[str], progress: Progress) -> None:
    size = os.path.getsize(path) or 1
    done = 0
    with open(path, "rb") as fh, cur.copy(
            f"COPY enf_stage ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
        decoder = codecs.getincrementaldecoder(encoding)()
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                tail = decoder.decode(b"", final=True)
                if tail:
                    copy.write(tail)
                break
            copy.write(decoder.decode(chunk))
            done += len(chunk)
            progress("读取文件", min(40, done * 40 // size))


def _load_rows(cur, cols: list[str], rows: Iterator, rejections: list, row_offset: int, progress: Progress,
               estimate: int) -> int:
    """Row-by-row staging (Excel, JSON lines, SQLite, or a CSV COPY refused): returns rows read."""
    names = ["rn", *cols]
    count = 0
    batch: list = []
    if _pg():
        with cur.copy(f"COPY enf_stage ({', '.join(names)}) FROM STDIN") as copy:
            for rn, row, error in rows:
                count += 1
                if row is None:
                    rejections.append((rn + row_offset, "整行", error))
                    continue
                copy.write_row((rn, *row))
                if count % 50000 == 0:
                    progress("读取文件", min(40, count * 40 // max(estimate, 1)))
        return count
    sql = f"INSERT INTO enf_stage ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
    for rn, row, error in rows:
        count += 1
        if row is None:
            rejections.append((rn + row_offset, "整行", error))
            continue
        batch.append((rn, *row))
        if len(batch) >= 5000:
            cur.executemany(sql, batch)
            batch.clear()
            progress("读取文件", min(40, count * 40 // max(estimate, 1)))
    if batch:
        cur.executemany(sql, batch)
    return count


def _rows_up_to(cur, limit: int) -> int:
    """Rows in the case table, counted up to ``limit`` (a bounded scan, never the whole 10⁷ table)."""
    cur.execute("SELECT COUNT(*) FROM (SELECT 1 FROM enforcement_case LIMIT %(n)s) t", {"n": limit})
    return int(cur.fetchone()[0])


def _estimate_rows(path: str) -> int:
    size = os.path.getsize(path)
    return max(1, size // 150)


def run_import(path: str, *, file_name: str = "", allowed_units: list[int] | None = None,
               all_or_nothing: bool = False, batch: ImportBatch | None = None, actor=None,
               as_of: dt.date | None = None, progress: Progress | None = None) -> Result:
    """Import ``path``; returns counts and rejections. Raises ImportFailed for an unusable file."""
    progress = progress or (lambda stage, pct: None)
    as_of = as_of or timezone.localdate()
    fmt = file_format(path, file_name)
    encoding = "" if fmt == "xlsx" else detect_encoding(path)
    result = Result(encoding={"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030"}.get(encoding, "Excel"))
    row_offset = 0 if fmt == "jsonl" else 1  # reported row numbers count the header line
    if not _pg():
        _sqlite_functions()
    dayindex.ensure()
    params = {"salt": privacy.salt(), "row_offset": row_offset, "as_of": as_of,
              "batch_id": batch.pk if batch else None, **checks.as_of_params(as_of)}
    file_rejections: list[tuple[int, str, str]] = []
    started = [time.monotonic()]

    def _lap(stage: str) -> None:  # stage timings for profiling (logger fazhi.enforcement.import, DEBUG)
        now = time.monotonic()
        log.debug("%s: %.2f s", stage, now - started[0])
        started[0] = now

    with transaction.atomic():
        with connection.cursor() as cur:
            if _pg():
                cur.execute("SET LOCAL work_mem = '256MB'")
                # The resolve and check expressions are huge: compiling them with LLVM (JIT, on by default
                # for costly queries) takes longer than interpreting them over 10⁶ rows.
                cur.execute("SET LOCAL jit = off")
            progress("读取文件", 0)
            if fmt == "csv":
                cols, rows = csv_rows(path, encoding)
            elif fmt == "xlsx":
                cols, rows = xlsx_rows(path)
            else:
                cols, rows = jsonl_rows(path, encoding)
            _create_stage(cur, cols)
            staged = False
            if fmt == "csv" and _pg():
                rows.close()
                try:
                    with transaction.atomic():  # savepoint: a refused COPY falls back to row-by-row
                        _copy_fast(cur, path, encoding, cols, progress)
                    staged = True
                except UnicodeDecodeError:
                    raise ImportFailed("文件中有无法按所识别编码解码的内容，请确认文件编码为 UTF-8 或 GB18030。") from None
                except Exception:  # noqa: BLE001 - COPY refused a malformed line: list rows one by one
                    cur.execute("TRUNCATE enf_stage")
                    cols, rows = csv_rows(path, encoding)
            if not staged:
                try:
                    _load_rows(cur, cols, rows, file_rejections, row_offset, progress, _estimate_rows(path))
                except UnicodeDecodeError:
                    raise ImportFailed("文件中有无法按所识别编码解码的内容，请确认文件编码为 UTF-8 或 GB18030。") from None
            cur.execute("SELECT COUNT(*) FROM enf_stage", {})
            staged_rows = cur.fetchone()[0]
            result.total = staged_rows + len(file_rejections)
            progress("校验数据", 45)
            _lap("staged")
            if _pg():
                # Temporary tables are never auto-analysed: without statistics the planner guesses.
                cur.execute("ANALYZE enf_stage", {})
                # One import at a time (readers are not blocked): the comparison with the table below
                # stays true until the merge, so new rows can be plain INSERTs.
                cur.execute("LOCK TABLE enforcement_case IN SHARE ROW EXCLUSIVE MODE", {})
            # Duplicate natural keys inside the file: a small indexed table, joined back in one pass.
            cur.execute("""CREATE TEMP TABLE enf_dup AS
SELECT TRIM(COALESCE(source_system, '')) AS ss, TRIM(COALESCE(case_number, '')) AS cn, MIN(rn) AS first_rn
FROM enf_stage GROUP BY TRIM(COALESCE(source_system, '')), TRIM(COALESCE(case_number, ''))
HAVING COUNT(*) > 1""", {})
            cur.execute("CREATE INDEX enf_dup_key ON enf_dup (ss, cn)", {})
            if _pg():
                cur.execute("ANALYZE enf_dup", {})
            _lap("duplicates")
            cur.execute("CREATE TEMP TABLE enf_res AS " + resolve_sql(allowed_units), params)
            _lap("resolve")
            if _pg():
                cur.execute("ANALYZE enf_res", {})
            cur.execute("SELECT rn, errs FROM enf_res WHERE errs <> '' ORDER BY rn", {})
            bad_rows = 0
            for rn, errs in cur.fetchall():
                bad_rows += 1
                for line in errs.strip("\n").split("\n"):
                    col, _, reason = line.partition("\t")
                    result.rejections.append((rn + row_offset, col, reason))
            result.rejections = sorted(file_rejections + result.rejections)
            result.rejected = bad_rows + len(file_rejections)
            progress("比对已有数据", 60)
            cur.execute("""
SELECT SUM(CASE WHEN case_id IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN case_id IS NOT NULL AND old_hash <> row_hash THEN 1 ELSE 0 END),
       SUM(CASE WHEN case_id IS NOT NULL AND old_hash = row_hash THEN 1 ELSE 0 END)
FROM enf_res WHERE errs = ''""", {})
            ins, upd, same = cur.fetchone()
            result.inserted, result.updated, result.unchanged = int(ins or 0), int(upd or 0), int(same or 0)
            if all_or_nothing and result.rejected:
                result.applied = False
                result.inserted = result.updated = result.unchanged = 0
                result.message = f"有 {result.rejected} 行被拒绝，按“全部成功才导入”的要求，未导入任何数据。"
                transaction.set_rollback(True)
                return result
            if result.inserted or result.updated:
                # (unit, year) pairs whose roll-up changes: new and changed rows, and changed rows' old pairs.
                cur.execute("""
SELECT DISTINCT unit_id, year FROM (
  SELECT unit_id, year FROM enf_res WHERE errs = '' AND (case_id IS NULL OR old_hash <> row_hash)
  UNION ALL
  SELECT old_unit_id, old_year FROM enf_res WHERE errs = '' AND case_id IS NOT NULL AND old_hash <> row_hash) t""",
                            {})
                pairs = [(u, int(y), dt.date(int(y), 1, 1), dt.date(int(y), 12, 31)) for u, y in cur.fetchall()]
                # Year bounds let the roll-up refresh use the (unit, event_on) index.
                cur.execute("CREATE TEMP TABLE enf_touched (unit_id bigint, year integer, y_start date, y_end date)",
                            {})
                cur.executemany("INSERT INTO enf_touched VALUES (%s, %s, %s, %s)", pairs)
                _lap("compare")
                progress("合并入库", 70)
                if result.updated:
                    cur.execute(merge_sql(), params)
                    _lap("update changed")
                bulk = (_pg() and result.inserted >= BULK_MIN_ROWS
                        and _rows_up_to(cur, result.inserted + 1) <= result.inserted)
                if result.inserted:
                    recreate = _bulk_drop(cur) if bulk else []
                    cur.execute(insert_sql(), params)
                    _lap("insert new" + (" (bulk)" if bulk else ""))
                    for ddl in recreate:
                        cur.execute(ddl, {})
                    if recreate:
                        _lap("re-create indexes and constraints")
                progress("更新汇总", 90)
                if bulk:
                    # The load is at least as large as what was there: one scan rebuilds every roll-up.
                    checks.refresh_stats(cur, None)
                else:
                    if _pg():
                        cur.execute("ANALYZE enf_touched", {})
                    checks.refresh_stats(cur, "enf_touched")
                _lap("roll-ups")
            for t in ("enf_touched", "enf_res", "enf_dup", "enf_stage"):
                cur.execute(f"DROP TABLE IF EXISTS {t}")
        audit.record("enforcement.import", actor=actor, unit=batch.unit if batch else None,
                     object_type="enforcement.importbatch", object_id=str(batch.pk) if batch else "",
                     object_repr=file_name or os.path.basename(path),
                     changes={"total": result.total, "inserted": result.inserted, "updated": result.updated,
                              "unchanged": result.unchanged, "rejected": result.rejected,
                              "encoding": result.encoding})
    progress("完成", 100)
    return result


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
