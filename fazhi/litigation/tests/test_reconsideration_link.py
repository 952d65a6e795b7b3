"""A litigation case is linked to the reconsideration case it follows, within the user's scope only."""
import re
import datetime as dt

from fazhi.litigation import services
from fazhi.reconsideration.models import Case

D = dt.date
NUMBER = "云府行复〔2025〕31号"


def reconsideration_against(demo_gov, respondent: str) -> Case:
    # Stored directly: only the link is under test here, not the reconsideration procedure.
    return Case.objects.create(unit=demo_gov.units["YX-SFJ"], state="closed", number=NUMBER,
                               tracking_code_hash="0" * 64, channel="counter", received_on=D(2025, 6, 2),
                               respondent_unit=demo_gov.units[respondent], act_description="限期拆除决定")


def test_given_a_reconsideration_against_zjj_when_zjj_registers_the_suit_then_it_is_linked_and_shown(
        demo_gov, register, client_of):
    recon = reconsideration_against(demo_gov, "YX-ZJJ")
    case = register("（2025）云0102行初601号", D(2025, 9, 20), reconsideration_number=NUMBER)
    assert (case.reconsideration_number, case.reconsideration_case_id) == (NUMBER, recon.pk)
    html = client_of("住建局经办人").get(f"/litigation/{case.pk}/").content.decode()
    assert f'href="/reconsideration/{recon.pk}/"' in html
    assert client_of("住建局经办人").get(f"/api/litigation/{case.pk}").json()["reconsideration_case_id"] == recon.pk


def test_given_a_reconsideration_the_user_cannot_see_then_only_the_number_is_kept(demo_gov, register, client_of):
    reconsideration_against(demo_gov, "YX-ZJJ")
    case = register("（2025）云0102行初602号", D(2025, 9, 20), unit="YX-SCJG", by="市监局经办人",
                    reconsideration_number=NUMBER)
    assert (case.reconsideration_number, case.reconsideration_case_id) == (NUMBER, None)
    html = client_of("市监局经办人").get(f"/litigation/{case.pk}/").content.decode()
    assert NUMBER in html and not re.search(r'href="/reconsideration/\d+/"', html)


def test_given_the_number_is_cleared_by_an_edit_then_the_link_is_removed_too(demo_gov, register, client_of):
    recon = reconsideration_against(demo_gov, "YX-ZJJ")
    case = register("（2025）云0102行初603号", D(2025, 9, 20), unit="YX-ZJJ", by="司法局协调员",
                    reconsideration_number=NUMBER)
    assert case.reconsideration_case_id == recon.pk
    services.edit_case(case, demo_gov.persona("司法局协调员"), version=case.version, reconsideration_number="")
    case.refresh_from_db()
    assert (case.reconsideration_number, case.reconsideration_case_id) == ("", None)
