"""Project-wide fixtures: the demo government's named personas (fazhi.core.testing)."""
pytest_plugins = ["fazhi.core.testing"]
