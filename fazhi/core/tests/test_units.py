"""Unit pages: the tree a user may see and a unit's members; out of scope answers 404."""
from __future__ import annotations

import re

import pytest

from fazhi.core.models import Unit, User
from fazhi.core.testing import ScopingContract


def tree_rows(page: str) -> list[tuple[int, str]]:
    """(depth, unit name) of each row of the unit tree, in order."""
    return [(int(d), name) for d, name in re.findall(
        r'<tr class="depth-(\d+)">\s*<td class="tree-name"><a href="[^"]+">([^<]+)</a>', page)]


@pytest.fixture
def zjj_brigade(demo_gov):
    """A body under 住建局 (not in the demo): its operator's scope reaches it."""
    return Unit.objects.create(code="YX-ZJJ-ZFDD", name="云溪区住房和城乡建设综合执法大队",
                               kind=Unit.Kind.OTHER, parent=demo_gov.units["YX-ZJJ"])


@pytest.mark.django_db
def test_given_zjj_operator_when_listing_units_then_only_zjj_and_its_children(client_of, zjj_brigade):
    page = client_of("住建局经办人").get("/units/").content.decode()
    assert tree_rows(page) == [(0, "云溪区住房和城乡建设局"), (1, "云溪区住房和城乡建设综合执法大队")]
    assert "云溪区市场监督管理局" not in page and "云溪区人民政府" not in page


@pytest.mark.django_db
def test_given_coordinator_when_listing_units_then_whole_government_as_a_tree(client_of, demo_gov, zjj_brigade):
    page = client_of("司法局协调员").get("/units/").content.decode()
    rows = tree_rows(page)
    assert rows[0] == (0, "云溪区人民政府")
    assert len(rows) == Unit.objects.filter(active=True).count()
    assert (1, "云溪区市场监督管理局") in rows and (1, "云溪区青石街道办事处") in rows
    # The brigade sits right below 住建局, one level deeper.
    i = rows.index((1, "云溪区住房和城乡建设局"))
    assert rows[i + 1] == (2, "云溪区住房和城乡建设综合执法大队")
    # Member counts: 住建局 has its operator and its leader.
    assert re.search(r'YX-ZJJ/">云溪区住房和城乡建设局</a></td>\s*<td><code>YX-ZJJ</code></td>\s*<td>[^<]+</td>'
                     r'\s*<td class="num">2</td>', page)


@pytest.mark.django_db
def test_given_auditor_when_listing_units_then_whole_government(client_of, demo_gov):
    rows = tree_rows(client_of("人大监督员").get("/units/").content.decode())
    assert len(rows) == Unit.objects.filter(active=True).count()


@pytest.mark.django_db
def test_given_unit_detail_when_in_scope_then_members_with_roles_and_titles(client_of, demo_gov):
    page = client_of("住建局经办人").get("/units/YX-ZJJ/").content.decode()
    assert "<h1>云溪区住房和城乡建设局</h1>" in page
    members = re.findall(r"<tr><td>([^<]+)</td><td><code>([^<]+)</code></td><td><span class=\"badge role-(\w+)\">"
                         r"([^<]+)</span></td><td>([^<]+)</td></tr>", page)
    assert members == [
        ("王晓燕", "zjj_operator", "operator", "经办人", "法规科"),
        ("陈国栋", "zjj_leader", "leader", "单位负责人", "局长"),
    ]
    # Breadcrumb: an operator does not see the government above their unit.
    assert "云溪区人民政府" not in page
    assert "您在此单位的权限：经办人" in page


@pytest.mark.django_db
def test_given_other_units_detail_when_operator_requests_then_404(client_of, demo_gov):
    client = client_of("住建局经办人")
    for code in ("YX-SCJG", "YX", "YX-QS", "NO-SUCH-UNIT"):
        response = client.get(f"/units/{code}/")
        assert response.status_code == 404, code
        assert "云溪区市场监督管理局" not in response.content.decode()


@pytest.mark.django_db
def test_given_coordinator_when_opening_any_unit_then_shown_with_breadcrumb(client_of, demo_gov, zjj_brigade):
    page = client_of("司法局协调员").get("/units/YX-ZJJ-ZFDD/").content.decode()
    assert '<a href="/units/YX/">云溪区人民政府</a>' in page
    assert '<a href="/units/YX-ZJJ/">云溪区住房和城乡建设局</a>' in page
    assert "该单位暂无成员" in page


@pytest.mark.django_db
def test_given_government_detail_when_coordinator_then_children_listed(client_of, demo_gov):
    page = client_of("司法局协调员").get("/units/YX/").content.decode()
    assert '<a href="/units/YX-SCJG/">云溪区市场监督管理局</a>' in page
    assert "郑海涛" in page and "钱文华" in page


@pytest.mark.django_db
def test_given_inactive_member_when_viewing_unit_then_not_listed(client_of, demo_gov, persona):
    User.objects.filter(pk=persona("住建局负责人").pk).update(is_active=False)
    page = client_of("住建局经办人").get("/units/YX-ZJJ/").content.decode()
    assert "陈国栋" not in page and "王晓燕" in page


@pytest.mark.django_db
def test_given_anonymous_when_opening_units_then_login(client, demo_gov):
    assert client.get("/units/")["Location"].startswith("/login/")
    assert client.get("/units/YX-ZJJ/")["Location"].startswith("/login/")


@pytest.mark.django_db
def test_given_user_without_membership_when_listing_units_then_empty(client, db):
    user = User.objects.create(username="loner")
    client.force_login(user)
    page = client.get("/units/").content.decode()
    assert "您目前没有可查看的单位" in page and tree_rows(page) == []


class TestUnitPagesScoping(ScopingContract):
    """The shared contract: 住建局's unit page is invisible to 市监局's operator."""

    def make_record(self, demo_gov):
        return demo_gov.units["YX-ZJJ"]

    def read_urls(self, obj):
        return [f"/units/{obj.code}/"]

    def list_urls(self):
        return ["/units/"]

    def marker(self, obj):
        return f'href="/units/{obj.code}/"'
