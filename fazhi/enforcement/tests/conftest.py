"""Fixtures of the enforcement tests: bodies, officers with certificates, and CSV files to import."""
import csv
import datetime as dt

import pytest

from fazhi.enforcement import importer
from fazhi.enforcement.models import Body, Certificate, Officer, StandardItem, StandardList

D = dt.date
HEADER = [label for _, label, _ in importer.COLUMNS]


@pytest.fixture
def enf(demo_gov):
    """Two bodies (住建局, 市监局), four certified officers, a lenient-treatment list."""
    zjj, scjg = demo_gov.units["YX-ZJJ"], demo_gov.units["YX-SCJG"]
    b1 = Body.objects.create(unit=zjj, code="ZJJ", name="云溪区住房和城乡建设局", legal_basis="《城乡规划法》")
    b2 = Body.objects.create(unit=scjg, code="SCJG", name="云溪区市场监督管理局", legal_basis="《食品安全法》")
    certs = {}
    for i, (unit, body, name) in enumerate([(zjj, b1, "王建"), (zjj, b1, "李明"), (scjg, b2, "赵强"),
                                            (scjg, b2, "钱进")], start=1):
        o = Officer.objects.create(unit=unit, body=body, name=name)
        certs[name] = Certificate.objects.create(officer=o, number=f"ZF{i:04d}", issuer="云州市人民政府",
                                                 valid_from=D(2020, 1, 1), valid_to=D(2026, 12, 31))
    lst = StandardList.objects.create(unit=demo_gov.units["YX"], kind="no_penalty", title="首违不罚清单",
                                      effective_from=D(2022, 1, 1))
    StandardItem.objects.create(standard=lst, code="BCF-001", title="初次未按规定公示信息")
    return {"bodies": (b1, b2), "certs": certs}


def case_row(**kw):
    base = {"来源系统": "ZFBA", "案件编号": "ZJ-2024-0001", "单位代码": "YX-ZJJ", "执法主体代码": "ZJJ",
            "执法类别": "处罚", "当事人类型": "自然人", "当事人": "张三丰", "证件号码": "110101199003071234",
            "立案日期": "2024-03-01", "决定日期": "2024-04-01", "送达日期": "2024-04-02",
            "公示日期": "2024-04-03", "处罚种类": "罚款", "罚没金额": "500", "重大执法决定": "否",
            "告知听证": "否", "全过程音像记录": "是", "执法证号1": "ZF0001", "执法证号2": "ZF0002"}
    base.update(kw)
    return base


@pytest.fixture
def write_csv(tmp_path):
    def write(rows, name="cases.csv", encoding="utf-8", header=HEADER, truncate_last=False):
        path = tmp_path / name
        with open(path, "w", encoding=encoding, newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                w.writerow(r)
        if truncate_last:
            data = path.read_bytes().rstrip(b"\r\n")
            path.write_bytes(data[: data.rfind(b",")])
        return str(path)
    return write
