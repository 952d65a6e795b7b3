"""Core API: auth, error handlers and the core routers."""


def install(api) -> None:
    from . import base, deadline, inbox, metrics, units

    base.install(api)
    api.add_router("/units", units.router)
    api.add_router("/inbox", inbox.router)
    api.add_router("/deadline", deadline.router)
    api.add_router("/metrics", metrics.router)
