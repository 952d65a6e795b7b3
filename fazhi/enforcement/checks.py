"""The legal checks of one case, as one SQL expression (statutory-rules.md §5), and the roll-ups.

The same expression runs inside the import's merge (new and changed rows) and in
``recheck`` (every row, e.g. after a calendar change or as time passes), on PostgreSQL and SQLite.
Aliases it expects: ``r`` the case row (typed columns of enforcement_case), ``dd``/``df``/``dp``/
``dr``/``dw``/``dv`` the DayIndex rows of the decided/filed/published/revoked/withdrawn/legal-review
dates, ``c1``/``c2`` the certificates named by officer1/officer2. ``%(as_of_ceil)s`` and
``%(as_of_idx)s``: the check date's DayIndex values (for limits that ran out without an action).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from .models import Problem

# 行政处罚法 第六十三条: "较大数额" is set by provinces and ministries; these are the most common
# provincial figures (个人 1 万元, 单位 10 万元). A government sets its own in settings.
HEARING_FINE_PERSON = getattr(settings, "FAZHI_ENFORCEMENT_HEARING_FINE_PERSON", 10000)
HEARING_FINE_ORG = getattr(settings, "FAZHI_ENFORCEMENT_HEARING_FINE_ORG", 100000)
# Penalties for which 第六十三条 requires the hearing notice whatever the amount.
HEARING_PENALTIES = ("吊销", "停产停业", "责令关闭", "限制从业", "降低资质")

DECISION_KINDS_SQL = "('penalty','coercion','licence','levy','confirmation','other')"


def _valid(c: str) -> str:
    # Certificate valid on the act's date: within validity, not suspended/revoked by then (第四十二条).
    return (f"({c}.id IS NOT NULL AND {c}.kind = 'enforcement' AND {c}.valid_from <= r.event_on "
            f"AND {c}.valid_to >= r.event_on AND NOT ({c}.status IN ('suspended','revoked') "
            f"AND ({c}.status_since IS NULL OR {c}.status_since <= r.event_on)))")


HEARING_LIKE = " OR ".join(f"r.penalty_types LIKE '%%{w}%%'" for w in HEARING_PENALTIES)

PROBLEMS_SQL = f"""(
  -- 国办发〔2018〕118号: 许可、处罚 7 个工作日, 其他执法决定 20 个工作日内公示
  CASE WHEN r.kind IN {DECISION_KINDS_SQL} AND dd.day IS NOT NULL
        AND COALESCE(dp.wd_ceil, %(as_of_ceil)s) - dd.wd_floor
            > CASE WHEN r.kind IN ('penalty','licence') THEN 7 ELSE 20 END
       THEN {Problem.PUBLICATION} ELSE 0 END
  -- 行政处罚法 第四十八条、第八十五条: 撤销等之后 3 个工作日内撤回公示
  + CASE WHEN dr.day IS NOT NULL AND dp.day IS NOT NULL
          AND COALESCE(dw.wd_ceil, %(as_of_ceil)s) - dr.wd_floor > 3
         THEN {Problem.WITHDRAWAL} ELSE 0 END
  -- 行政处罚法 第五十八条: 重大执法决定在决定前经法制审核
  + CASE WHEN r.major AND dd.day IS NOT NULL AND (dv.day IS NULL OR dv.idx > dd.idx)
         THEN {Problem.LEGAL_REVIEW} ELSE 0 END
  -- 行政处罚法 第六十条: 立案之日起 90 日内作出处罚决定 (日历日, 末日遇休息日顺延)
  + CASE WHEN r.kind = 'penalty' AND df.day IS NOT NULL AND COALESCE(dd.idx, %(as_of_idx)s) > df.p90
         THEN {Problem.DECISION_TIME} ELSE 0 END
  -- 行政处罚法 第四十二条、行政强制法 第十八条: 两名以上持有效执法证件的执法人员
  + CASE WHEN r.kind IN ('penalty','coercion')
          AND NOT (c1.id IS NOT NULL AND c2.id IS NOT NULL AND c1.id <> c2.id AND {_valid('c1')} AND {_valid('c2')})
         THEN {Problem.OFFICERS} ELSE 0 END
  -- 行政处罚法 第六十三条: 较大数额罚款、吊销许可证件、责令停产停业等应告知听证权利
  + CASE WHEN r.kind = 'penalty' AND dd.day IS NOT NULL AND NOT r.hearing_offered
          AND ({HEARING_LIKE}
               OR r.fine_amount >= CASE WHEN r.party_type = 'person' THEN {HEARING_FINE_PERSON} ELSE {HEARING_FINE_ORG} END)
         THEN {Problem.HEARING} ELSE 0 END
  -- 行政处罚法 第四十七条、118号: 须全程音像记录的执法活动
  + CASE WHEN r.record_required AND NOT r.av_record THEN {Problem.RECORD} ELSE 0 END
)"""

DAY_JOINS = """
  LEFT JOIN enforcement_dayindex dd ON dd.day = r.decided_on
  LEFT JOIN enforcement_dayindex df ON df.day = r.filed_on
  LEFT JOIN enforcement_dayindex dp ON dp.day = r.published_on
  LEFT JOIN enforcement_dayindex dr ON dr.day = r.revoked_on
  LEFT JOIN enforcement_dayindex dw ON dw.day = r.withdrawn_on
  LEFT JOIN enforcement_dayindex dv ON dv.day = r.legal_review_on
  LEFT JOIN enforcement_certificate c1 ON c1.number = r.officer1 AND r.officer1 <> ''
  LEFT JOIN enforcement_certificate c2 ON c2.number = r.officer2 AND r.officer2 <> ''
"""


def as_of_params(as_of: dt.date) -> dict:
    from .dayindex import FIRST, idx_of
    from .models import DayIndex

    row = DayIndex.objects.filter(day=as_of).first()
    if row is None:
        raise ValueError(f"校验日期 {as_of} 超出工作日索引范围。")
    return {"as_of_ceil": row.wd_ceil, "as_of_idx": row.idx}


# ---------------------------------------------------------------------------
# Roll-ups
# ---------------------------------------------------------------------------
def year_sql(col: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {col}) AS integer)"
    return f"CAST(strftime('%%Y', {col}) AS integer)"


def _bit(b: int) -> str:
    return f"SUM(CASE WHEN (c.problems & {b}) <> 0 THEN 1 ELSE 0 END)"


STAT_COLUMNS = ["unit_id", "year", "kind", "cases", "decisions", "published_on_time", "fines_total", "major",
                "major_reviewed", "record_required", "record_present", "timed", "timed_ok", "lenient",
                "with_problems", "p_publication", "p_withdrawal", "p_legal_review", "p_decision_time",
                "p_officers", "p_hearing", "p_record"]


def year_sql_duckdb(col: str) -> str:
    return f"CAST(EXTRACT(YEAR FROM {col}) AS integer)"


def stat_select(where: str = "", join: str = "", year=None) -> str:
    """SELECT producing UnitYearStat rows from raw cases (the one formula: roll-up = recomputation).
    It also runs in DuckDB over an import's new rows (``year=year_sql_duckdb``)."""
    year_sql_ = year or year_sql
    dec = f"c.kind IN {DECISION_KINDS_SQL} AND c.decided_on IS NOT NULL"
    return f"""
SELECT c.unit_id, {year_sql_('c.event_on')} AS year, c.kind,
  COUNT(*),
  SUM(CASE WHEN {dec} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {dec} AND (c.problems & {Problem.PUBLICATION}) = 0 THEN 1 ELSE 0 END),
  COALESCE(SUM(CASE WHEN c.kind = 'penalty' THEN c.fine_amount ELSE 0 END), 0),
  SUM(CASE WHEN c.major AND c.decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.major AND c.decided_on IS NOT NULL AND (c.problems & {Problem.LEGAL_REVIEW}) = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.record_required THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.record_required AND c.av_record THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'penalty' AND c.filed_on IS NOT NULL AND c.decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'penalty' AND c.filed_on IS NOT NULL AND c.decided_on IS NOT NULL
           AND (c.problems & {Problem.DECISION_TIME}) = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.lenient_item <> '' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.problems <> 0 THEN 1 ELSE 0 END),
  {_bit(Problem.PUBLICATION)}, {_bit(Problem.WITHDRAWAL)}, {_bit(Problem.LEGAL_REVIEW)},
  {_bit(Problem.DECISION_TIME)}, {_bit(Problem.OFFICERS)}, {_bit(Problem.HEARING)}, {_bit(Problem.RECORD)}
FROM enforcement_case c {join}
{('WHERE ' + where) if where else ''}
GROUP BY c.unit_id, {year_sql_('c.event_on')}, c.kind"""


def refresh_stats(cursor, touched_table: str | None) -> None:
    """Recompute the roll-up rows of the (unit, year) pairs in ``touched_table`` (all when None)."""
    cols = ", ".join(STAT_COLUMNS)
    if touched_table is None:
        cursor.execute("DELETE FROM enforcement_unityearstat", {})
        cursor.execute(f"INSERT INTO enforcement_unityearstat ({cols}) {stat_select()}", {})
        return
    cursor.execute(f"DELETE FROM enforcement_unityearstat WHERE EXISTS (SELECT 1 FROM {touched_table} t "
                   f"WHERE t.unit_id = enforcement_unityearstat.unit_id AND t.year = enforcement_unityearstat.year)", {})
    cursor.execute(f"INSERT INTO enforcement_unityearstat ({cols}) " + stat_select(
        where="c.event_on >= t.y_start AND c.event_on <= t.y_end",
        join=f"JOIN {touched_table} t ON t.unit_id = c.unit_id"), {})


def add_stats(cursor, rows: list[tuple]) -> None:
    """Add roll-up rows (from ``stat_select`` over newly imported cases only) to the stored ones:
    counts and sums are additive, so the result equals a recomputation from the raw rows."""
    if not rows:
        return
    cols = ", ".join(STAT_COLUMNS)
    adds = ", ".join(f"{c} = enforcement_unityearstat.{c} + excluded.{c}" for c in STAT_COLUMNS[3:])
    upsert = f"ON CONFLICT (unit_id, year, kind) DO UPDATE SET {adds}"
    if connection.vendor != "postgresql":
        cursor.executemany(f"INSERT INTO enforcement_unityearstat ({cols}) "
                           f"VALUES ({', '.join(['%s'] * len(STAT_COLUMNS))}) {upsert}", [tuple(r) for r in rows])
        return
    # PostgreSQL: thousands of pairs in one statement (one round trip per row costs seconds).
    cursor.execute(f"CREATE TEMP TABLE enf_stat_add AS SELECT {cols} FROM enforcement_unityearstat WHERE FALSE", [])
    with cursor.cursor.copy(f"COPY enf_stat_add ({cols}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)
    cursor.execute(f"INSERT INTO enforcement_unityearstat ({cols}) SELECT {cols} FROM enf_stat_add {upsert}", [])
    cursor.execute("DROP TABLE enf_stat_add", [])


def verify_stats() -> list[str]:
    """Differences between the maintained roll-ups and a recomputation from the raw rows (empty = equal)."""
    cols = ", ".join(STAT_COLUMNS)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM enforcement_unityearstat", {})
        kept = {tuple(_norm(v) for v in row) for row in cur.fetchall()}
        cur.execute(stat_select(), {})
        fresh = {tuple(_norm(v) for v in row) for row in cur.fetchall()}
    out = [f"汇总表多出：{r}" for r in sorted(kept - fresh, key=str)[:20]]
    out += [f"汇总表缺少或不一致：{r}" for r in sorted(fresh - kept, key=str)[:20]]
    return out


def _norm(v):
    from decimal import Decimal

    if isinstance(v, (Decimal, float)):
        return round(float(v), 2)
    return v


def recheck(as_of: dt.date | None = None, *, actor=None) -> int:
    """Re-run every legal check (new date, calendar or certificate changes) and rebuild the roll-ups."""
    from django.utils import timezone

    from fazhi.core import audit

    from . import dayindex

    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        dayindex.ensure()
        params = as_of_params(as_of)
        with connection.cursor() as cur:
            cur.execute(f"""
UPDATE enforcement_case SET problems = (
  SELECT {PROBLEMS_SQL} FROM enforcement_case r {DAY_JOINS} WHERE r.id = enforcement_case.id),
  checked_on = %(as_of)s""", {**params, "as_of": as_of})
            changed = cur.rowcount
            refresh_stats(cur, None)
        audit.record("enforcement.check", actor=actor, object_type="enforcement.case",
                     changes={"as_of": as_of, "rows": changed})
    return changed
