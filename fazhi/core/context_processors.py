from . import scoping


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    units = scoping.home_units(user)
    active_id = request.session.get("active_unit_id")
    active = next((u for u in units if u.pk == active_id), units[0] if units else None)
    return {"home_units": units, "active_unit": active}
