import pytest


@pytest.fixture(autouse=True)
def _own_chart_cache(settings, tmp_path_factory):
    """Each test draws its charts (an empty cache of its own), and nothing is left under var/."""
    settings.REPORT_CHART_CACHE = tmp_path_factory.mktemp("charts")
