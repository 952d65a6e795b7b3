"""Proof of the scoping test helper (fazhi.core.testing.ScopingContract).

1. ``TestSampleMatterScoping`` declares the sample module's pages, API endpoints, lists and the
   inbox; the contract's tests run against them and pass.
2. The same contract, pointed at deliberately leaky views defined in this module (they look records
   up without ``fazhi.core.scoping``), FAILS — so a pass above means something.
"""

import pytest
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from fazhi.core import clocks
from fazhi.core.procedure import perform
from fazhi.core.testing import ScopingContract
from tests.sample.models import SampleMatter

TOKEN = "ZJJ-SCOPE-7Q4"  # ASCII, so it is found in JSON (escaped Chinese) and HTML alike


def make_zjj_matter(demo_gov) -> SampleMatter:
    """A 住建局 matter awaiting correction: it has open clocks, so it is also in the owner's inbox."""
    op, coord = demo_gov.persona("住建局经办人"), demo_gov.persona("司法局协调员")
    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft",
                                         title=f"拆迁补偿复议 {TOKEN}", has_materials=True)
    today = clocks.today()
    matter = perform(matter, "submit", op, version=1, on=today)
    return perform(matter, "request_correction", coord, version=2, on=today)


class TestSampleMatterScoping(ScopingContract):
    owner = "住建局经办人"
    outsider = "市监局经办人"

    def make_record(self, demo_gov):
        return make_zjj_matter(demo_gov)

    def read_urls(self, obj):
        return [f"/sample/{obj.pk}/", f"/api/sample/{obj.pk}"]

    def write_requests(self, obj):
        return [
            ("post", f"/sample/{obj.pk}/transition/corrected/", {"version": obj.version}),
            ("post", f"/sample/{obj.pk}/edit/", {"version": obj.version, "title": "越权修改"}),
            ("post", f"/api/sample/{obj.pk}/transition/corrected", {"version": obj.version}),
        ]

    def list_urls(self):
        return ["/sample/", "/api/sample", "/inbox/", "/api/inbox"]

    def marker(self, obj):
        return TOKEN


# ---------------------------------------------------------------------------
# The helper can fail: leaky views (no scoping) wired through this module as the urlconf
# ---------------------------------------------------------------------------
def leaky_detail(request, pk):
    matter = SampleMatter.objects.get(pk=pk)  # deliberately unscoped
    return HttpResponse(matter.title)


def leaky_list(request):
    return JsonResponse({"titles": [m.title for m in SampleMatter.objects.all()]})  # deliberately unscoped


@csrf_exempt
def leaky_edit(request, pk):
    SampleMatter.objects.filter(pk=pk).update(title=request.POST.get("title", ""))  # deliberately unscoped
    return HttpResponse("ok")


def scoped_detail(request, pk):
    from fazhi.core import scoping

    return HttpResponse(scoping.get_visible_or_404(SampleMatter, request.user, pk=pk).title)


urlpatterns = [
    path("leaky/<int:pk>/", leaky_detail),
    path("leaky/", leaky_list),
    path("leaky/<int:pk>/edit/", leaky_edit),
    path("scoped/<int:pk>/", scoped_detail),
]


class LeakyContract(ScopingContract):
    """Not collected (no Test prefix): its checks are called by the tests below, expecting failure."""

    def make_record(self, demo_gov):
        return make_zjj_matter(demo_gov)

    def read_urls(self, obj):
        return [f"/leaky/{obj.pk}/"]

    def write_requests(self, obj):
        return [("post", f"/leaky/{obj.pk}/edit/", {"title": "越权修改"})]

    def list_urls(self):
        return ["/leaky/"]

    def marker(self, obj):
        return TOKEN


class ScopedOnlyContract(LeakyContract):
    def read_urls(self, obj):
        return [f"/scoped/{obj.pk}/"]


@pytest.mark.urls(__name__)
def test_given_a_detail_view_without_scoping_then_the_contract_fails(demo_gov, client_of):
    contract = LeakyContract()
    contract.test_owner_can_read_every_url(demo_gov, client_of)  # the owner side is fine …
    with pytest.raises(AssertionError, match="应得 404，实际 200"):  # … the outsider side is not
        contract.test_outsider_gets_404_on_every_read(demo_gov, client_of)


@pytest.mark.urls(__name__)
def test_given_a_list_without_scoping_then_the_contract_fails(demo_gov, client_of):
    with pytest.raises(AssertionError, match="泄露"):
        LeakyContract().test_outsider_lists_do_not_show_the_record(demo_gov, client_of)


@pytest.mark.urls(__name__)
def test_given_a_write_without_scoping_then_the_contract_fails(demo_gov, client_of):
    with pytest.raises(AssertionError, match="应得 404，实际 200"):
        LeakyContract().test_outsider_gets_404_on_every_write_and_nothing_changes(demo_gov, client_of)


@pytest.mark.urls(__name__)
def test_given_the_same_view_with_scoping_then_the_contract_passes(demo_gov, client_of):
    contract = ScopedOnlyContract()
    contract.test_owner_can_read_every_url(demo_gov, client_of)
    contract.test_outsider_gets_404_on_every_read(demo_gov, client_of)
