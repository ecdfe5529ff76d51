"""Schemathesis against the app, in process: every operation, with an admin's write token.

Each response must not be a 5xx and must conform to the OpenAPI document (status code,
content type, headers and body schema). Examples are few per operation so the whole run
stays in seconds; path parameters often point at real items so success answers are
checked too, not only 404s.
"""

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from eventsvc.inputs import QuestionFields
from eventsvc.services.registration_settings import add_question

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def known(app, open_event, sign_up, make_news, make_token):
    """Items the generated requests may point at, and an admin's write token."""
    event = open_event(
        capacity=2,
        approval=True,
        join_url="https://meet.example.org/private",
        tags=["Rights"],
        series="Clinic talks",
        credits=[("co_host", "organization", "Partner", "https://partner.example.org")],
    )
    add_question(event, QuestionFields("short_text", "Organisation"))
    registration = sign_up(event, "ana@example.org", "Ana").registration
    make_news(events=[event])
    taking_registrations = open_event(title="Open to all")
    return {
        "slug": event.slug,
        "open_slug": taking_registrations.slug,
        "registration_id": registration.id,
        "token": make_token("write", "admin"),
    }


def _point_at_known_items(case, known: dict) -> None:
    """Send about half the generated paths to real items, so success answers are checked."""
    registering = case.method == "POST" and case.operation.path.endswith("/registrations")
    for name in ("slug", "registration_id"):
        value = (case.path_parameters or {}).get(name)
        if value is not None and len(str(value)) % 2 == 0:
            case.path_parameters[name] = known["open_slug" if registering else name]


def _check(strategy, known: dict) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        _point_at_known_items(case, known)
        token = {"Authorization": f"Bearer {known['token']}"}
        case.call_and_validate(headers=token, checks=CHECKS)

    run()


def test_every_answer_conforms_to_the_document(app, known):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 23
    for operation in operations:
        for example in schema.get_strategies_from_examples(operation):
            _check(example, known)
        _check(operation.as_strategy(GenerationMode.POSITIVE), known)
        # Operations whose every input is valid (a free-text slug) have no negative case.
        with contextlib.suppress(Unsatisfiable):
            _check(operation.as_strategy(GenerationMode.NEGATIVE), known)
