"""Demo set-up of 行政复议 for 云溪区: the office (区政府 as 行政复议机关, 区司法局 as 行政复议机构).

The demo cases (about 300 over 2024–2025) are added by a separate loader built on ``services``;
it relies on this office existing. Idempotent.
"""
from fazhi.core.demo import register_demo_loader


@register_demo_loader
def load_office(demo) -> None:
    from . import services

    gov, office_unit = demo.units.get("YX"), demo.units.get("YX-SFJ")
    if gov is None or office_unit is None:
        return
    if services.office_of(gov) is None:
        services.setup_office(gov, office_unit, organ_name="云溪区人民政府", number_prefix="云府复")
