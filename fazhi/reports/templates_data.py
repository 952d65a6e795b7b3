"""The default report template is data (data/default_template.json), loaded into a government's
``ReportTemplate`` on first use; a coordinator then adjusts it on the template page."""
from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from fazhi.core import audit
from fazhi.core.models import Unit

from .models import ReportTemplate, TemplateSection

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "default_template.json"


def load_spec(path: Path = DEFAULT_FILE) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@transaction.atomic
def create_from_spec(unit: Unit, spec: dict, *, is_default: bool = True, actor=None) -> ReportTemplate:
    tpl = ReportTemplate.objects.create(unit=unit, name=spec["name"][:100], title=spec.get("title", "")[:200]
                                        or ReportTemplate._meta.get_field("title").default,
                                        preamble=spec.get("preamble", ""), is_default=is_default)
    codes = {s.get("responsible") for s in spec["sections"] if s.get("responsible")}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    for i, s in enumerate(spec["sections"]):
        TemplateSection.objects.create(
            template=tpl, key=s["key"], order=(i + 1) * 10, level=int(s.get("level", 1)), title=s["title"],
            figure_text=s.get("figures", ""), guidance=s.get("guidance", ""), chart=s.get("chart", ""),
            responsible_unit=units.get(s.get("responsible")))
    audit.record("reports.template.create", actor=actor, obj=tpl,
                 changes={"name": [None, tpl.name], "sections": [None, len(spec["sections"])]})
    return tpl


def default_template(unit: Unit, *, create: bool = True, actor=None) -> ReportTemplate:
    """The default template of ``unit``'s government. Without one: created from the data file, or
    (``create=False``, for read-only callers such as the compile command) an unsaved copy."""
    gov = unit.government()
    tpl = ReportTemplate.objects.filter(unit=gov, is_default=True).order_by("pk").first()
    if tpl is not None:
        return tpl
    spec = load_spec()
    if create:
        return create_from_spec(gov, spec, actor=actor)
    return TransientTemplate(spec)


class TransientTemplate:
    """The data file as an unsaved template (same attributes the compiler reads)."""

    def __init__(self, spec: dict):
        self.title = spec.get("title", "")
        self.preamble = spec.get("preamble", "")
        self._sections = [TemplateSection(key=s["key"], order=(i + 1) * 10, level=int(s.get("level", 1)),
                                          title=s["title"], figure_text=s.get("figures", ""),
                                          guidance=s.get("guidance", ""), chart=s.get("chart", ""))
                          for i, s in enumerate(spec["sections"])]

    @property
    def sections(self):
        return self

    def order_by(self, *args):
        return list(self._sections)
