"""Settings for the test suite: FAZHI_ENV=test plus the sample procedure app that proves the engine."""
import os

os.environ["FAZHI_ENV"] = "test"

from .settings import *  # noqa: E402,F401,F403
from .settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sample"]

# The project's URLs plus the sample module's pages and API (/sample/, /api/sample).
ROOT_URLCONF = "tests.sample.root_urls"
