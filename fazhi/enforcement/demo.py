"""Demo data of 行政执法监督 for 云溪区: bodies, officers and certificates, a lenient-treatment list and a
行政处罚裁量基准, about 150,000 case records over five years imported through the real importer, a file-review
draw and supervision opinions. Deterministic (fixed seeds) and idempotent (skipped when already loaded).

``FAZHI_DEMO_ENFORCEMENT_ROWS`` sets the number of case records (default 150000).
"""
from __future__ import annotations

import datetime as dt
import os
import random
import tempfile

from django.db import transaction
from django.utils import timezone

from fazhi.core.demo import register_demo_loader

DEFAULT_ROWS = 150_000
ENFORCING = ["YX-ZJJ", "YX-SCJG", "YX-CGJ", "YX-STHJ", "YX-JTJ", "YX-WJJ", "YX-YJJ", "YX-ZRZY", "YX-NYJ",
             "YX-WLJ", "YX-SWJ", "YX-GAFJ", "YX-RSJ", "YX-JYJ", "YX-QS", "YX-BS", "YX-LX", "YX-SH"]


def _setup(demo):
    from .models import Body, Certificate, Officer, StandardItem, StandardList

    rng = random.Random(6)
    bodies, certs = {}, {}
    for i, code in enumerate(ENFORCING):
        unit = demo.units.get(code)
        if unit is None:
            continue
        kind = "entrusted" if unit.kind == "subdistrict" else "agency"
        body, _ = Body.objects.get_or_create(
            code=code, defaults=dict(unit=unit, name=unit.name, kind=kind,
                                     legal_basis="《中华人民共和国行政处罚法》第十七条、第十八条" if kind == "agency"
                                     else "《中华人民共和国行政处罚法》第二十四条（赋予乡镇街道行政执法权）"))
        bodies[code] = body.code
        numbers = []
        for j in range(12 if unit.kind != "subdistrict" else 6):
            number = f"YZ{i:02d}{j:03d}"
            cert = Certificate.objects.filter(number=number).first()
            if cert is None:
                officer = Officer.objects.create(unit=unit, body=body, name=rng.choice("王李张刘陈杨黄赵吴周")
                                                 + rng.choice("建国华明丽强军平红霞秀英"))
                status, since, valid_to = "valid", None, dt.date(2027, 6, 30)
                if j == 11:  # one expired and one revoked certificate per bureau: Art. 42 findings
                    status, since, valid_to = "expired", dt.date(2024, 1, 1), dt.date(2023, 12, 31)
                if j == 9:  # one due for renewal soon, so the 证件到期提醒 has something real to show
                    valid_to = timezone.localdate() + dt.timedelta(days=20 + 3 * i)
                if j == 10:
                    status, since = "revoked", dt.date(2024, 7, 1)
                cert = Certificate.objects.create(officer=officer, number=number, issuer="云州市人民政府",
                                                  valid_from=dt.date(2020, 1, 1), valid_to=valid_to, status=status,
                                                  status_since=since, training_hours=60,
                                                  exam_passed_on=dt.date(2019, 11, 20))
            numbers.append(number)
        certs[code] = numbers
    lst, _ = StandardList.objects.get_or_create(
        unit=demo.government, kind="no_penalty", version=1,
        defaults=dict(title="云溪区市场监管领域轻微违法行为不予处罚清单", effective_from=dt.date(2022, 1, 1)))
    items = []
    for k, title in enumerate(["首次未按规定办理备案", "首次未按规定公示信息", "首次未在显著位置亮照经营",
                               "首次标价不规范", "首次超出核准范围经营且及时改正"], start=1):
        item, _ = StandardItem.objects.get_or_create(code=f"YX-BCF-{k:03d}", defaults=dict(
            standard=lst, title=title, basis="《中华人民共和国行政处罚法》第三十三条第一款"))
        items.append(item.code)
    _discretion_benchmark(demo)
    return bodies, certs, items


# 行政处罚裁量基准 of 云溪区: one violation per row and tier (情节较轻/一般/严重), amounts within the statutory range.
_CLJZ = "《中华人民共和国城乡规划法》第六十四条"
_SPAQ = "《中华人民共和国食品安全法》第一百二十四条第一款"
_DLGL = "《城市道路管理条例》第二十七条、第四十二条"
_DQWR = "《中华人民共和国大气污染防治法》第九十九条第二项"
DISCRETION_ITEMS = [
    ("未取得建设工程规划许可证进行建设，尚可采取改正措施消除对规划实施的影响（情节较轻：建筑面积50平方米以下，"
     "接到通知后立即停止建设并主动改正）", _CLJZ, "责令停止建设、限期改正，处建设工程造价5%的罚款"),
    ("未取得建设工程规划许可证进行建设，尚可采取改正措施消除对规划实施的影响（情节一般）", _CLJZ,
     "责令停止建设、限期改正，处建设工程造价5%以上8%以下的罚款"),
    ("未取得建设工程规划许可证进行建设，尚可采取改正措施消除对规划实施的影响（情节严重：拒不停止建设或逾期不改正）",
     _CLJZ, "责令停止建设、限期改正，处建设工程造价8%以上10%以下的罚款"),
    ("生产经营不符合食品安全标准的食品，货值金额不足一万元（情节较轻：首次违法，未造成危害后果）", _SPAQ,
     "没收违法所得和违法生产经营的食品，并处五万元以上七万元以下罚款"),
    ("生产经营不符合食品安全标准的食品，货值金额不足一万元（情节一般）", _SPAQ,
     "没收违法所得和违法生产经营的食品，并处七万元以上九万元以下罚款"),
    ("生产经营不符合食品安全标准的食品，货值金额不足一万元（情节严重：造成人身损害或拒不召回）", _SPAQ,
     "没收违法所得和违法生产经营的食品，并处九万元以上十万元以下罚款；情节严重的，吊销许可证"),
    ("擅自占用城市道路堆放物料（情节较轻：占用面积10平方米以下，责令后立即清除）", _DLGL,
     "责令限期改正，可以处500元以下罚款"),
    ("擅自占用城市道路堆放物料（情节一般或严重：逾期不改正，或妨碍通行、造成损失）", _DLGL,
     "责令限期改正，处500元以上2万元以下罚款"),
    ("超过大气污染物排放标准排放大气污染物（超标0.5倍以下）", _DQWR,
     "责令改正或者限制生产、停产整治，处十万元以上三十万元以下罚款"),
    ("超过大气污染物排放标准排放大气污染物（超标0.5倍以上，或一年内再次超标）", _DQWR,
     "责令改正或者限制生产、停产整治，处三十万元以上一百万元以下罚款"),
]


def _discretion_benchmark(demo):
    """The district's 行政处罚裁量基准, beside its 不予处罚清单 (idempotent: items by code)."""
    from .models import StandardItem, StandardList

    lst, _ = StandardList.objects.get_or_create(
        unit=demo.government, kind="discretion", version=1,
        defaults=dict(title="云溪区行政处罚裁量基准", effective_from=dt.date(2023, 1, 1)))
    for k, (title, basis, measure) in enumerate(DISCRETION_ITEMS, start=1):
        StandardItem.objects.get_or_create(code=f"YX-CLJZ-{k:03d}", defaults=dict(
            standard=lst, title=title, basis=basis, measure=measure))
    return lst


@register_demo_loader
def load(demo):
    from . import importer, services, synth
    from .models import Case, Opinion, SamplingRun

    bodies, certs, items = _setup(demo)
    n = int(os.environ.get("FAZHI_DEMO_ENFORCEMENT_ROWS", DEFAULT_ROWS))
    if not Case.objects.filter(source_system="ZFBA", case_number__startswith="YX-").exists() and n > 0:
        units = [u for u in ENFORCING if u in certs]
        fd, path = tempfile.mkstemp(suffix=".csv")
        os.close(fd)
        try:
            synth.write_csv(path, synth.rows(n, units=units, bodies=bodies, certs=certs, seed=2025,
                                             start=dt.date(2021, 1, 1), days=5 * 365 - 60, lenient=items,
                                             discretion=[f"YX-CLJZ-{k:03d}" for k in range(1, len(DISCRETION_ITEMS) + 1)],
                                             as_of=dt.date(2025, 12, 31)))
            importer.run_import(path, file_name="云溪区执法办案系统导出.csv", as_of=dt.date(2025, 12, 31))
        finally:
            os.remove(path)
    coordinator = demo.persona("司法局协调员")
    sheet = services.ensure_default_sheet()
    if not SamplingRun.objects.exists():
        run = services.create_sampling(coordinator, unit=demo.government, title="2025年度行政处罚案卷评查",
                                       start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), kinds=["penalty"],
                                       per_stratum=3, sheet=sheet, seed="yx-2025-review")
        advisor = demo.persona("法律顾问")
        for k, f in enumerate(run.files.select_related("unit").order_by("pk")[:6]):
            services.assign_evaluator(coordinator, f, advisor)
            f.refresh_from_db()
            services.record_score(advisor, f, version=f.version, deductions={"C1": k % 3 * 4, "F1": 2},
                                  vetoed=["A2"] if k == 5 else [], comment="证据目录完整，文书基本规范。",
                                  on=dt.date(2026, 3, 10), exemplary=k == 0, poor=k == 5)
    if not Opinion.objects.exists():
        with transaction.atomic():
            for k, (code, subject) in enumerate([("YX-ZJJ", "行政处罚决定未在7个工作日内公示"),
                                                 ("YX-SCJG", "重大执法决定未经法制审核即作出决定"),
                                                 ("YX-CGJ", "执法人员证件失效仍参与执法")]):
                unit = demo.units[code]
                cases = list(Case.objects.filter(unit=unit).exclude(problems=0).values_list("pk", flat=True)[:5])
                op = services.issue_opinion(coordinator, unit=unit, issued_by=demo.units["YX-SFJ"],
                                            number=f"云司执监〔2026〕{k + 1}号", subject=subject,
                                            content="请对所列案件逐件核查，依法整改，并于期限内书面回复整改情况。",
                                            issued_on=dt.date(2026, 3, 2 + k), case_ids=cases)
                if k == 0:
                    services.reply_opinion(demo.persona("住建局经办人"), op, version=op.version,
                                           reply="已逐件补正公示，并建立公示提醒机制。", on=dt.date(2026, 3, 20))
