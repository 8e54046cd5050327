"""The app keeps the promises of docs/openapi.json: every operation it documents exists,
every API route is documented, and real answers have a documented status and shape."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.loyalty_fixtures import call, make_fan, make_partner

DOC = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
REGISTRY = Registry().with_resource(
    "urn:openapi", Resource.from_contents(DOC, default_specification=DRAFT202012)
)
API_PREFIX = DOC["servers"][0]["url"]


def _validator(schema: dict) -> Draft202012Validator:  # type: ignore[type-arg]
    return Draft202012Validator(
        {"$ref": "urn:openapi" + schema["$ref"]} if "$ref" in schema else schema, registry=REGISTRY
    )


def _operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in DOC["paths"].items() for method in item}


def test_the_document_is_served_by_the_app(loyalty_client) -> None:  # type: ignore[no-untyped-def]
    response = loyalty_client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json == DOC
    assert DOC["openapi"].startswith("3.1")


def test_documented_operations_are_exactly_the_app_s_api_routes(loyalty_app) -> None:  # type: ignore[no-untyped-def]
    routes = set()
    for rule in loyalty_app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX) and rule.endpoint != "api_v1.openapi":
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX) :])
            routes |= {(m, path) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    assert routes == _operations()


def test_request_examples_in_the_document_are_valid_against_their_schemas() -> None:
    purchase = {"fan": {"id": "fan-1"}, "order": "A-1", "amount": "12.50", "currency": "EUR"}
    assert not list(_validator({"$ref": "#/components/schemas/Purchase"}).iter_errors(purchase))
    bad = {"fan": {"id": "fan-1", "email": "x"}, "order": "A-1", "amount": "1.234", "currency": "eur"}
    assert len(list(_validator({"$ref": "#/components/schemas/Purchase"}).iter_errors(bad))) == 3


@pytest.fixture
def world(loyalty_app):  # type: ignore[no-untyped-def]
    return make_partner(loyalty_app), make_fan(loyalty_app)


def _scenarios(keys: dict[str, str], fan: str) -> list[tuple[str, str, str, dict | None, str | None, str]]:  # type: ignore[type-arg]
    """(key, method, url, body, idempotency key, documented path) in an order that makes sense."""
    live, purchase = keys["live"], {"fan": {"id": fan}, "order": "A-1", "amount": "12.50", "currency": "EUR"}
    action = {"fan": {"id": fan}, "action": "visit", "reference": "r-1"}
    coffee = {"fan": {"id": fan}, "reward": "coffee"}
    return [
        (live, "GET", "/me", None, None, "/me"),
        ("ffk_live_unknown", "GET", "/me", None, None, "/me"),
        (live, "POST", "/purchases", purchase, "p1", "/purchases"),
        (live, "POST", "/purchases", purchase, "p2", "/purchases"),  # 409
        (
            live,
            "POST",
            "/purchases",
            purchase | {"fan": {"id": "nobody"}, "order": "A-2"},
            "p3",
            "/purchases",
        ),
        (live, "POST", "/purchases", {"order": 5}, "p4", "/purchases"),  # 422
        (live, "POST", "/purchases", purchase, None, "/purchases"),  # 400
        (live, "GET", "/purchases/A-1", None, None, "/purchases/{order}"),
        (live, "GET", "/purchases/none", None, None, "/purchases/{order}"),
        (live, "POST", "/redemptions", coffee, "x1", "/redemptions"),  # 25 points: 20 spent
        (live, "POST", "/redemptions", coffee, "x2", "/redemptions"),  # 409: 5 left
        (live, "POST", "/redemptions", coffee | {"reward": 5}, "x3", "/redemptions"),  # 422
        (live, "POST", "/redemptions", coffee | {"reward": "scarf"}, "x4", "/redemptions"),  # 403
        (keys["sandbox"], "POST", "/redemptions", coffee, "x5", "/redemptions"),  # 403
        (live, "GET", "/redemptions", None, None, "/redemptions"),
        (live, "GET", "/redemptions?status=lost", None, None, "/redemptions"),  # 422
        (live, "POST", "/redemptions/1/deliver", None, "d1", "/redemptions/{redemption_id}/deliver"),
        (live, "POST", "/redemptions/1/deliver", None, "d2", "/redemptions/{redemption_id}/deliver"),  # 409
        (live, "POST", "/redemptions/9/deliver", None, "d3", "/redemptions/{redemption_id}/deliver"),  # 404
        (live, "POST", "/purchases/A-1/refund", None, "r1", "/purchases/{order}/refund"),
        (live, "POST", "/purchases/A-1/refund", None, "r2", "/purchases/{order}/refund"),  # 409
        (live, "POST", "/purchases/none/refund", None, "r3", "/purchases/{order}/refund"),
        (live, "POST", "/actions", action, "a1", "/actions"),
        (live, "POST", "/actions", action | {"reference": "r-2", "fan": {"id": "nobody"}}, "a2", "/actions"),
        (live, "POST", "/actions/r-1/refund", None, "ar1", "/actions/{reference}/refund"),
        (live, "POST", "/actions/r-9/refund", None, "ar2", "/actions/{reference}/refund"),
    ]


def test_every_answer_has_a_documented_status_and_shape(loyalty_client, world) -> None:  # type: ignore[no-untyped-def]
    keys, fan = world
    seen: set[tuple[str, str]] = set()
    base = int(time.time())  # each request its own timestamp, however long the loop takes
    for number, (key, method, url, body, idem, path) in enumerate(_scenarios(keys, fan)):
        response = call(loyalty_client, key, method, API_PREFIX + url, body, idem=idem, ts=base - number)
        documented = DOC["paths"][path][method.lower()]["responses"]
        status = str(response.status_code)
        assert status in documented, (method, url, status, response.json)
        schema = documented[status]["content"]["application/json"]["schema"]
        errors = [e.message for e in _validator(schema).iter_errors(response.json)]
        assert errors == [], (method, url, status, errors)
        seen.add((method, path))
    assert seen == _operations()
