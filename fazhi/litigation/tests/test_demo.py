"""The litigation demo loader: real cases through the services, idempotent, and the metrics agree."""
from fazhi.core import metrics
from fazhi.litigation.demo import load_litigation_demo
from fazhi.litigation.models import Hearing, LitigationCase


def test_given_the_demo_loaded_twice_then_the_cases_exist_once_and_the_figures_match_the_rows(demo_gov):
    load_litigation_demo(demo_gov)
    count = LitigationCase.objects.count()
    load_litigation_demo(demo_gov)
    assert LitigationCase.objects.count() == count == 30
    assert LitigationCase.objects.filter(state="final").exists() and Hearing.objects.exists()
    gov = demo_gov.units["YX"]
    y = metrics.Period.for_year(2025)
    finals = LitigationCase.objects.filter(state="final", concluded_on__year=2025)
    assert metrics.value("litigation.concluded", gov, y) == finals.count()
    lost = [c for c in finals if c.lost]
    assert metrics.value("litigation.lost", gov, y) == len(lost)
    assert metrics.value("litigation.cases", gov, y) == LitigationCase.objects.filter(served_on__year=2025).count()
