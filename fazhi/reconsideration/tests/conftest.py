"""Fixtures of the reconsideration tests: the 云溪区 office (区政府 as 行政复议机关, 区司法局 as 行政复议机构)."""
import datetime as dt

import pytest

from fazhi.reconsideration import services

D = dt.date


@pytest.fixture
def office(demo_gov):
    return services.setup_office(demo_gov.units["YX"], demo_gov.units["YX-SFJ"], organ_name="云溪区人民政府",
                                 number_prefix="云府复")


@pytest.fixture
def register(office, demo_gov, persona):
    """register(received_on, respondent="YX-ZJJ", **fields) → (case, tracking code), entered by 复议专员."""

    def make(received_on, respondent="YX-ZJJ", *, user="复议专员", channel="counter", **fields):
        fields.setdefault("act_description", "责令限期拆除违法建设决定（云建罚〔2025〕7号）")
        fields.setdefault("applicants", [{"name": "李建华", "id_number": "330102198001011234", "phone": "13800000000",
                                          "address": "云溪区青石街道青石路 8 号"}])
        return services.do_register(persona(user) if user else None, office=office, channel=channel,
                                    received_on=received_on, respondent_unit=demo_gov.units[respondent], **fields)

    return make


@pytest.fixture
def accepted(register, persona):
    """accepted(received_on, accepted_on, **accept kwargs) → a case under trial."""

    def make(received_on, accepted_on, respondent="YX-ZJJ", **kwargs):
        case, _code = register(received_on, respondent)
        return services.do_accept(case, persona("复议专员"), version=case.version, on=accepted_on, **kwargs)

    return make
