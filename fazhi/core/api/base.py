"""Authentication (session + bearer token) and JSON errors with a stable code and a Chinese message."""


def install(api) -> None:
    pass
