"""API fixtures: staff tokens and a client that sends JSON with one."""

import pytest

from eventsvc.services.tokens import issue_token
from tests.helpers import Api


@pytest.fixture
def make_token(make_staff):
    """Factory: make_token(scope, role) returns a token value for a new staff account."""
    made = iter(range(1, 1000))

    def factory(scope: str = "write", role: str = "editor", **options) -> str:
        user, _password = make_staff(f"{role}{next(made)}@example.org", role)
        return issue_token(user, "tests", scope, **options)[1]

    return factory


@pytest.fixture
def api(client):
    """The API as the public calls it (no token); .as_(token) for staff."""
    return Api(client)


@pytest.fixture
def writer(api, make_token):
    """The API with an editor's write token."""
    return api.as_(make_token("write"))
