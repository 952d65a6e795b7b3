"""The sample module's services: the only place its records change (views and API call these)."""
from fazhi.core import procedure, services

from .models import SampleMatter


def create(user, *, unit, title: str, has_materials: bool = False) -> SampleMatter:
    return services.do_create(SampleMatter, user, unit=unit, fields={"title": title, "has_materials": has_materials})


def edit(matter: SampleMatter, user, *, version, title: str, has_materials: bool) -> SampleMatter:
    return services.do_update(matter, user, version=version,
                              fields={"title": title, "has_materials": has_materials})


def act(matter: SampleMatter, name: str, user, *, version, on=None, reason: str = "") -> SampleMatter:
    return procedure.perform(matter, name, user, version=version, on=on, reason=reason)
