"""Shared steps of the spine tests on the sample procedure: make a matter, walk it through transitions."""
from fazhi.core.procedure import perform

from .models import SampleMatter


def new_matter(unit, title):
    return SampleMatter.objects.create(unit=unit, state="draft", title=title, has_materials=True)


def run(matter, *steps):
    """steps: (transition, persona user, date); versions follow the matter."""
    for name, user, on in steps:
        matter = perform(matter, name, user, version=matter.version, on=on, reason="测试")
    return matter
