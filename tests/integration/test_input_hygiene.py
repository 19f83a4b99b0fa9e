"""Bad input gets a 4xx with a message and changes nothing, on every database."""
from __future__ import annotations

import pytest

from tests.support.world import T1


@pytest.mark.parametrize("field, value", [("title", "证书\x00考试"), ("title", "line\nbreak")])
def test_control_characters_in_a_claim_are_refused(api, field, value):
    body = {"year": 2026, "route": "exam", "title": "x", "details": {"subjects_passed": 1},
            "hours_requested": 8, field: value}
    response = api.as_(T1).post("/claims", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert api.as_(T1).get("/claims").get_json()["total"] == 0


def test_nul_in_a_username_is_a_plain_refusal(api):
    response = api.login("admin\x00", "whatever")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"


def test_comments_may_span_lines_but_not_hold_nul(api):
    claim = api.submitted_claim(T1)
    bad = api.decide("unit_reviewer", claim["id"], "reject", comment="材料\x00不全")
    assert bad.status_code == 422 and "comment" in bad.get_json()["error"]["fields"]
    good = api.decide("unit_reviewer", claim["id"], "reject", comment="材料不全：\n1. 缺少证书")
    assert good.status_code == 200


def test_unknown_query_parameters_are_refused(api):
    response = api.as_("unit_reviewer").get("/tasks", query_string={"sort": "id"})
    assert response.status_code == 422
    assert "sort" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"text"', b"null"])
def test_malformed_json_bodies(api, body):
    response = api.as_(T1).post("/claims", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


def test_api_speaks_chinese_by_default_and_english_on_request(api):
    trainee = api.as_(T1)
    zh = trainee.get("/claims/999")
    assert zh.get_json()["error"]["message"] == "登记记录不存在。"
    en = trainee.get("/claims/999", headers={"Accept-Language": "en"})
    assert en.get_json()["error"]["message"] == "Claim not found."
    claim = api.new_claim(T1)
    assert trainee.get(f"/claims/{claim['id']}", headers={"Accept-Language": "en"}).get_json()[
        "status_label"] == "Not submitted"
