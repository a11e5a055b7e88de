"""problem+json bodies and the Flask error handlers that produce them."""

from __future__ import annotations

import pytest
from flask import Flask, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from gachi_kit.domain_errors import DomainError, TemporaryFailure, is_retryable
from gachi_kit.errors import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    concurrent_update,
    invalid,
    invalid_transition,
    map_errors,
    not_found,
    register_error_handlers,
    unavailable,
)
from gachi_kit.http import UpstreamUnavailable

TITLE = "상태를 바꿀 수 없습니다"
SECRET = "password=hunter2 at db.internal:5432"


def test_minimal_problem_has_exactly_type_title_status_code():
    problem = Problem(404, "order_not_found", "주문을 찾을 수 없습니다")

    assert problem.to_dict() == {
        "type": "https://gachi.kr/problems/order_not_found",
        "title": "주문을 찾을 수 없습니다",
        "status": 404,
        "code": "order_not_found",
    }
    assert str(problem) == "주문을 찾을 수 없습니다"


def test_full_problem_carries_detail_field_errors_and_extra_members():
    errors = {"lines": {"0": {"quantity": ["1 이상이어야 합니다."]}}}
    problem = Problem(
        409,
        "invalid_transition",
        TITLE,
        "이미 출고된 주문은 취소할 수 없습니다.",
        errors=errors,
        current_state="shipped",
    )

    assert problem.to_dict() == {
        "type": "https://gachi.kr/problems/invalid_transition",
        "title": TITLE,
        "status": 409,
        "code": "invalid_transition",
        "detail": "이미 출고된 주문은 취소할 수 없습니다.",
        "errors": errors,
        "current_state": "shipped",
    }
    assert str(problem) == "이미 출고된 주문은 취소할 수 없습니다."


@pytest.fixture
def client():
    app = Flask("problems")
    app.config["TESTING"] = True
    register_error_handlers(app)

    @app.get("/conflict")
    def conflict():
        raise Problem(
            409,
            "invalid_transition",
            TITLE,
            "이미 출고된 주문입니다.",
            headers={"Retry-After": "5", "X-Current-State": "shipped"},
            current_state="shipped",
        )

    @app.get("/gone")
    def gone():
        raise NotFound()

    @app.get("/boom")
    def boom():
        raise RuntimeError(SECRET)

    @app.post("/orders")
    def create():
        body = request.get_json()
        return {"received": body}, 201

    return app.test_client()


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"https://gachi.kr/problems/{code}"
    assert body["title"]
    return body


def test_raised_problem_is_answered_as_problem_json(client):
    response = client.get("/conflict")

    body = _problem(response, 409, "invalid_transition")
    assert body["title"] == TITLE
    assert body["detail"] == "이미 출고된 주문입니다."
    assert body["current_state"] == "shipped"
    assert body["instance"] == "/conflict"


def test_problem_headers_are_set_on_the_response(client):
    response = client.get("/conflict")

    assert response.headers["Retry-After"] == "5"
    assert response.headers["X-Current-State"] == "shipped"


def test_korean_is_sent_as_utf8_not_escaped(client):
    raw = client.get("/conflict").get_data()

    assert TITLE.encode() in raw
    assert b"\\u" not in raw


def test_unknown_route_is_not_found(client):
    body = _problem(client.get("/v1/nowhere"), 404, "not_found")

    assert body["instance"] == "/v1/nowhere"


def test_werkzeug_not_found_raised_in_a_view_is_not_found(client):
    _problem(client.get("/gone"), 404, "not_found")


def test_wrong_method_is_method_not_allowed(client):
    _problem(client.delete("/conflict"), 405, "method_not_allowed")


def test_unexpected_exception_is_internal_error_without_leaking_it(client):
    response = client.get("/boom")

    body = _problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "hunter2" not in text
    assert "RuntimeError" not in text
    assert "Traceback" not in text
    assert body["detail"] == "요청을 처리하지 못했습니다."


def test_malformed_json_body_is_a_stable_code(client):
    response = client.post(
        "/orders", data='{"lines": [{"quantity": 3,', content_type="application/json"
    )

    body = _problem(response, 400, "malformed_json")
    assert body["detail"] == "요청 본문이 올바른 JSON이 아닙니다."


def test_well_formed_json_reaches_the_view(client):
    response = client.post("/orders", json={"memo": "정문 경비실에 맡겨 주세요"})

    assert response.status_code == 201
    assert response.get_json() == {"received": {"memo": "정문 경비실에 맡겨 주세요"}}


def test_json_view_without_json_content_type_is_unsupported_media_type(client):
    response = client.post("/orders", data="memo=hi", content_type="text/plain")

    _problem(response, 415, "unsupported_media_type")


# -- the helpers and the registered mapping --------------------------------------------------


def test_invalid_names_one_field_with_a_list_of_messages():
    problem = invalid("needed_by", "오늘 이후 날짜여야 합니다.")

    assert (problem.status, problem.code, problem.title) == (
        422,
        "validation_failed",
        "입력값이 올바르지 않습니다",
    )
    assert problem.errors == {"needed_by": ["오늘 이후 날짜여야 합니다."]}


def test_invalid_takes_several_fields_keeps_nested_errors_and_a_narrower_code():
    lines = {"0": {"quantity": ["1 이상이어야 합니다."]}}
    problem = invalid(
        errors={"valid_to": "시작일 뒤여야 합니다.", "lines": lines},
        code="invalid_period",
        detail="기간을 확인해 주세요.",
    )

    assert problem.code == "invalid_period" and problem.title == "입력값이 올바르지 않습니다"
    assert problem.errors == {"valid_to": ["시작일 뒤여야 합니다."], "lines": lines}
    assert problem.detail == "기간을 확인해 주세요."


def test_invalid_without_any_field_is_a_programming_error():
    with pytest.raises(ValueError):
        invalid()


@pytest.mark.parametrize(
    ("noun", "label", "title"),
    [
        ("order", "주문", "주문을 찾을 수 없습니다"),
        ("brand", "브랜드", "브랜드를 찾을 수 없습니다"),
        ("subscription", "알림 설정", "알림 설정을 찾을 수 없습니다"),
        ("document", "서류", "서류를 찾을 수 없습니다"),
        ("sku", "SKU", "SKU을(를) 찾을 수 없습니다"),
    ],
)
def test_not_found_codes_by_noun_and_titles_with_the_right_particle(noun, label, title):
    problem = not_found(noun, label)

    assert (problem.status, problem.code, problem.title) == (404, f"{noun}_not_found", title)


def test_invalid_transition_and_concurrent_update_have_one_title_each():
    first = invalid_transition("shipped", "이미 출고된 주문입니다.")
    second = invalid_transition("closed")

    assert first.to_dict()["current_state"] == "shipped" and first.title == second.title
    assert (first.status, first.code) == (409, "invalid_transition")
    assert concurrent_update().title == concurrent_update("다시 시도하세요.").title
    assert (concurrent_update().status, concurrent_update().code) == (409, "concurrent_update")


class _Refused(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class _RefusedHarder(_Refused):
    pass


@pytest.fixture
def mapped_client():
    app = Flask("mapped")
    app.config["TESTING"] = True
    register_error_handlers(app)
    map_errors(app, {_Refused: lambda exc: invalid(exc.field, exc.message)})

    @app.get("/refused")
    def refused():
        raise _RefusedHarder("quantity", "재고보다 많습니다.")

    @app.get("/stale")
    def stale():
        raise StaleDataError("UPDATE statement on table 'order' expected to update 1 row")

    @app.get("/unmapped")
    def unmapped():
        raise DomainError("forgot to map it")

    return app.test_client()


def test_a_mapped_domain_error_and_its_subclasses_become_the_problem(mapped_client):
    body = _problem(mapped_client.get("/refused"), 422, "validation_failed")

    assert body["errors"] == {"quantity": ["재고보다 많습니다."]}


def test_a_failed_version_check_is_concurrent_update_in_every_service(mapped_client):
    body = _problem(mapped_client.get("/stale"), 409, "concurrent_update")

    assert body["title"] == "다른 사용자가 먼저 변경했습니다"
    assert "UPDATE" not in body["detail"]


def test_an_unmapped_domain_error_is_an_internal_error(mapped_client):
    _problem(mapped_client.get("/unmapped"), 500, "internal_error")


def test_tasks_tell_retryable_from_final_without_a_status_code():
    assert is_retryable(TemporaryFailure("catalog down"))
    assert is_retryable(UpstreamUnavailable("POST /v1/pricing: HTTP 503"))
    assert is_retryable(unavailable("catalog_unavailable", "카탈로그에 연결할 수 없습니다."))
    assert not is_retryable(_Refused("quantity", "재고보다 많습니다."))
    assert not is_retryable(invalid("quantity", "재고보다 많습니다."))
    assert not is_retryable(RuntimeError("a bug"))


def test_unavailable_asks_the_caller_to_come_back():
    problem = unavailable("catalog_unavailable", "카탈로그에 연결할 수 없습니다.", retry_after=7)

    assert (problem.status, problem.headers) == (503, {"Retry-After": "7"})


def test_werkzeug_english_descriptions_never_reach_the_caller(client):
    for response in (client.get("/nowhere"), client.get("/orders")):
        problem = response.get_json()
        assert response.status_code in (404, 405)
        assert "detail" not in problem, problem  # Werkzeug's would be English
