"""API fixtures: staff tokens and a client that sends JSON with one."""

import pytest

from eventsvc.inputs import RegistrationSettings
from eventsvc.services.tokens import issue_token
from tests.helpers import open_registration


@pytest.fixture
def make_token(make_staff):
    """Factory: make_token(scope, role) returns a token value for a new staff account."""
    made = iter(range(1, 1000))

    def factory(scope: str = "write", role: str = "editor", **options) -> str:
        user, _password = make_staff(f"{role}{next(made)}@example.org", role)
        return issue_token(user, "tests", scope, **options)[1]

    return factory


class Api:
    """A test client for /api/v1 that sends JSON, with a bearer token when it has one."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def as_(self, token: str | None) -> "Api":
        return Api(self.client, token)

    def _headers(self, headers: dict | None) -> dict:
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return sent | (headers or {})

    def get(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kwargs)

    def send(self, method: str, path: str, body=None, headers: dict | None = None, **kwargs):
        return self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=self._headers(headers), **kwargs
        )

    def post(self, path: str, body=None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body=None, **kwargs):
        return self.send("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.send("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    """The API as the public calls it (no token); .as_(token) for staff."""
    return Api(client)


@pytest.fixture
def writer(api, make_token):
    """The API with an editor's write token."""
    return api.as_(make_token("write"))


@pytest.fixture
def open_event(make_event):
    """Factory: a published event taking registrations with the given settings."""

    def factory(capacity=None, **settings):
        overrides = {key: settings.pop(key) for key in ("title", "join_url") if key in settings}
        event = make_event(capacity=capacity, **overrides)
        open_registration(event, RegistrationSettings(**settings))
        return event

    return factory


def assert_error(response, status: int, code: str, *fields: str) -> dict:
    """The response is the API's error shape with this status, code and these fields."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"}
    assert body["error"] == code and body["message"]
    assert set(fields) <= set(body["fields"]), body["fields"]
    return body
