"""The API keeps its contract for any input: a property-based run over the OpenAPI document.

Schemathesis generates requests for every operation from the document itself, sends them to
the service (SQLite and PostgreSQL) as a user holding every role and as a Call Handler, and
checks each answer: no server error, a status and content type the document lists, and a body
that matches its schema. The seed is fixed, so the run is the same each time; `make contract`
runs many more examples.

Not checked: that every request valid by the schema is accepted. Forms, decision rules and
diagrams are checked beyond what a schema can say (a case's start data against its form, a
deployment's files against each other), so valid-looking input may rightly be refused with 422.
"""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.roles import SHIPPED

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = int(os.environ.get("GWARCHOD_CONTRACT_EXAMPLES", "30"))


def test_every_answer_keeps_the_contract(app, token_for):
    callers = [token_for(*(role.name for role in SHIPPED.roles)), token_for("Call Handler")]
    contract = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, sent = [], 0
    for result in contract.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def answers_keep_the_contract(case):
            nonlocal sent
            for token in callers:
                sent += 1
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            answers_keep_the_contract()
        except Exception as error:  # every operation is tried; all failures are reported
            failures.append(f"{operation.label}: {error}")
    print(f"contract: requests={sent} operations={len(contract)} failures={len(failures)}")
    assert not failures, "\n\n".join(failures)
