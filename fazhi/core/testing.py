"""Test support shared by every module.

Fixtures (a pytest plugin, loaded by the root conftest.py):
- ``demo_gov``: the 云溪区 demo government (units and personas), see fazhi.core.demo.
- ``persona``: ``persona("住建局经办人")`` → that persona's User.
- ``client_of``: ``client_of("住建局经办人")`` → a django test Client logged in as the persona.

``ScopingContract``: mix into a test class to prove, per page, API endpoint and export, that an
operator of one unit cannot read, list or change another unit's record (NetBox-style permission
test mixin). See its docstring.
"""
from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.test import Client


@pytest.fixture(autouse=True)
def _fresh_calendar_snapshot():
    """The calendar snapshot is cached per process; each test sees its own database's calendar."""
    from fazhi.core.workdays import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def demo_gov(db):
    from fazhi.core.demo import load_demo

    return load_demo(with_modules=False)


@pytest.fixture
def persona(demo_gov):
    def get(key: str):
        return demo_gov.persona(key)

    return get


@pytest.fixture
def client_of(persona):
    def make(key: str) -> Client:
        c = Client()
        c.force_login(persona(key))
        return c

    return make


class ScopingContract:
    """Prove that records of one unit are invisible and untouchable from another unit.

    Subclass (as ``class TestCaseScoping(ScopingContract): ...``) and define:

    - ``owner`` / ``outsider``: persona keys; defaults 住建局经办人 (owns the record) and
      市监局经办人 (an operator of another unit).
    - ``make_record(self, demo_gov)`` → a record belonging to the owner's unit.
    - ``read_urls(self, obj)`` → pages, API endpoints and exports that show this record.
    - ``write_requests(self, obj)`` → ``[(method, url, data), ...]`` that would change it
      (data is sent as form data, or as JSON for URLs under /api/).
    - ``list_urls(self)`` → lists, searches and exports of the kind (optional).
    - ``marker(self, obj)`` → text that identifies the record in a listing (default: str(obj)).
    - ``snapshot(self, obj)`` → what must not change (default: all model fields).

    The contract checks that the owner can read every URL (so a 404 is not vacuous), that the
    outsider gets 404 on every read and every write, that nothing changed, and that no list
    shows the marker to the outsider.
    """

    owner = "住建局经办人"
    outsider = "市监局经办人"

    def make_record(self, demo_gov):  # pragma: no cover - must be overridden
        raise NotImplementedError

    def read_urls(self, obj) -> list[str]:
        return []

    def write_requests(self, obj) -> list[tuple[str, str, dict]]:
        return []

    def list_urls(self) -> list[str]:
        return []

    def marker(self, obj) -> str:
        return str(obj)

    def snapshot(self, obj) -> dict:
        obj.refresh_from_db()
        return model_to_dict(obj)

    @staticmethod
    def _send(client: Client, method: str, url: str, data: dict | None):
        method = method.lower()
        if url.startswith("/api/") and method != "get":
            import json

            return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json")
        return getattr(client, method)(url, data=data or {})

    def test_contract_declares_something_to_check(self, demo_gov):
        obj = self.make_record(demo_gov)
        assert self.read_urls(obj) or self.write_requests(obj), "ScopingContract: no URL declared"

    def test_owner_can_read_every_url(self, demo_gov, client_of):
        obj = self.make_record(demo_gov)
        client = client_of(self.owner)
        for url in self.read_urls(obj):
            response = client.get(url)
            assert response.status_code == 200, f"{self.owner} 应能访问 {url}，实际 {response.status_code}"

    def test_outsider_gets_404_on_every_read(self, demo_gov, client_of):
        obj = self.make_record(demo_gov)
        client = client_of(self.outsider)
        for url in self.read_urls(obj):
            response = client.get(url)
            assert response.status_code == 404, f"{self.outsider} 访问 {url} 应得 404，实际 {response.status_code}"

    def test_outsider_gets_404_on_every_write_and_nothing_changes(self, demo_gov, client_of):
        obj = self.make_record(demo_gov)
        before = self.snapshot(obj)
        client = client_of(self.outsider)
        for method, url, data in self.write_requests(obj):
            response = self._send(client, method, url, data)
            assert response.status_code == 404, f"{self.outsider} {method} {url} 应得 404，实际 {response.status_code}"
        assert self.snapshot(obj) == before

    def test_outsider_lists_do_not_show_the_record(self, demo_gov, client_of):
        obj = self.make_record(demo_gov)
        marker = self.marker(obj)
        owner, outsider = client_of(self.owner), client_of(self.outsider)
        for url in self.list_urls():
            own = owner.get(url)
            assert own.status_code == 200 and marker in own.content.decode(), f"{url} 未向本单位列出该记录"
            other = outsider.get(url)
            assert other.status_code == 200, f"{url}: {other.status_code}"
            assert marker not in other.content.decode(), f"{url} 向其他单位泄露了该记录"
