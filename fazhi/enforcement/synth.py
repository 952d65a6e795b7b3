"""Deterministic synthetic enforcement records (demo district and the province benchmark).

Skew as in the published reports: most records are inspections, then penalties and licences; a few
coercive measures. A small share of cases breaks each legal rule, so the checks find something.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from typing import Iterator

from . import importer

KIND_WEIGHTS = [("检查", 60), ("处罚", 20), ("许可", 12), ("强制", 3), ("征收", 2), ("确认", 2), ("其他", 1)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
COMPANIES = ["建材有限公司", "餐饮管理有限公司", "商贸有限公司", "物业服务有限公司", "建筑工程有限公司", "食品店", "药房"]
PENALTIES = [("警告", 0), ("罚款", 1), ("罚款", 1), ("罚款", 1), ("没收违法所得、罚款", 1), ("责令停产停业、罚款", 1),
             ("吊销许可证件", 0)]


def _cum(weights):
    total, out = 0, []
    for k, w in weights:
        total += w
        out.append((total, k))
    return total, out


def rows(n: int, *, units: list[str], bodies: dict[str, str], certs: dict[str, list[str]], seed: int = 2025,
         start: dt.date = dt.date(2021, 1, 1), days: int = 5 * 365, prefix: str = "YX",
         lenient: list[str] | None = None, discretion: list[str] | None = None, as_of: dt.date | None = None) -> Iterator[list[str]]:
    """``n`` rows in the column order of ``importer.KEYS``. Unit weights follow a Zipf-like skew."""
    rng = random.Random(seed)
    unit_w = [(u, max(1, int(1000 / (i + 1) ** 0.8))) for i, u in enumerate(units)]
    ut, ucum = _cum(unit_w)
    kt, kcum = _cum(KIND_WEIGHTS)
    lenient = lenient or []
    discretion = discretion or []
    drng = random.Random(seed + 1)  # its own stream: adding benchmark items leaves every other value as it was
    as_of = as_of or dt.date.today()

    def pick(cum, total):
        x = rng.random() * total
        for bound, k in cum:
            if x < bound:
                return k
        return cum[-1][1]

    for i in range(n):
        unit = pick(ucum, ut)
        kind = pick(kcum, kt)
        filed = start + dt.timedelta(days=rng.randrange(days))
        decided = filed + dt.timedelta(days=rng.choice((0, 0, 3, 10, 25, 40, 60, 80)) + (
            rng.randrange(20, 60) if rng.random() < 0.02 else 0))
        if kind == "检查":
            decided_s = ""
        else:
            decided_s = decided.isoformat()
        person = rng.random() < 0.55
        name = (rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")) \
            if person else f"云溪{rng.choice('山水林田湖东南西北')}{rng.choice(COMPANIES)}"
        pid = f"{rng.randrange(10**17, 10**18)}" if person else f"91{rng.randrange(10**15, 10**16)}X"
        published = ""
        if decided_s and rng.random() < 0.97:
            lag = rng.choice((1, 2, 3, 4, 5, 6)) if rng.random() < 0.95 else rng.randrange(10, 40)
            p = decided + dt.timedelta(days=lag)
            published = p.isoformat() if p <= as_of else ""
        ptype, fine = "", "0"
        if kind == "处罚":
            ptype, has_fine = rng.choice(PENALTIES)
            fine = str(rng.choice((200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 200000))) if has_fine else "0"
        major = kind in ("处罚", "强制") and rng.random() < 0.06
        review = ""
        if major and rng.random() < 0.93:
            review = (decided - dt.timedelta(days=rng.choice((1, 2, 5)))).isoformat()
        unit_certs = certs.get(unit) or ["", ""]
        o1 = rng.choice(unit_certs)
        o2 = rng.choice(unit_certs) if rng.random() > 0.01 else ""
        if o2 == o1 and len(unit_certs) > 1:
            o2 = unit_certs[(unit_certs.index(o1) + 1) % len(unit_certs)]
        revoked = withdrawn = ""
        if published and rng.random() < 0.004:
            r = decided + dt.timedelta(days=rng.randrange(30, 200))
            if r <= as_of:
                revoked = r.isoformat()
                withdrawn = (r + dt.timedelta(days=rng.choice((1, 2, 3, 8)))).isoformat()
        yield [
            "ZFBA", f"{prefix}-{unit}-{i:08d}", unit, bodies.get(unit, ""), kind,
            ("自然人" if person else "法人或其他组织") if kind != "检查" else "",
            name if kind != "检查" else "", pid if kind != "检查" else "",
            filed.isoformat(), decided_s, decided_s and (decided + dt.timedelta(days=1)).isoformat(),
            published, revoked, withdrawn, ptype, fine, "是" if major else "否", review,
            "是" if kind == "处罚" and rng.random() < 0.9 and (major or int(fine) >= 10000) else "否", "否",
            "是" if kind == "强制" else "否",
            "是" if rng.random() < 0.97 else "否", o1, o2,
            rng.choice(lenient) if lenient and kind == "处罚" and rng.random() < 0.03 else "",
            drng.choice(discretion) if discretion and kind == "处罚" and drng.random() < 0.5 else "",
        ]


def write_csv(path: str, row_iter, encoding: str = "utf-8") -> int:
    n = 0
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow([label for _, label, _ in importer.COLUMNS])
        for r in row_iter:
            w.writerow(r)
            n += 1
    return n
