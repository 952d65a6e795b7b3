"""Object-level predicates (django-rules) built on fazhi.core.scoping."""
import rules

from . import scoping
from .models import Role


def _unit_of(obj):
    from .models import Unit

    return obj if isinstance(obj, Unit) else getattr(obj, "unit", None)


@rules.predicate
def can_view(user, obj):
    return obj is not None and scoping.can_view_unit(user, _unit_of(obj))


@rules.predicate
def can_change(user, obj):
    return obj is not None and scoping.can_change_unit(user, _unit_of(obj))


def has_role(*roles):
    wanted = set(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def predicate(user, obj):
        return obj is not None and bool(scoping.roles_at(user, _unit_of(obj)) & wanted)

    return predicate


is_admin = has_role(Role.ADMIN)
is_coordinator = has_role(Role.COORDINATOR)

rules.add_perm("core.view_record", can_view)
rules.add_perm("core.change_record", can_change)
rules.add_perm("core.manage_calendar", rules.is_superuser | rules.predicate(
    lambda user: any(role == Role.ADMIN for _p, role in scoping.reach(user))))
