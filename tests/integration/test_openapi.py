"""The published OpenAPI document is valid and describes the API as built."""
from __future__ import annotations

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_complete(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    paths = spec["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/claims", "/api/v1/claims/{claim_id}",
                 "/api/v1/claims/{claim_id}/files", "/api/v1/claims/{claim_id}/submit",
                 "/api/v1/claims/{claim_id}/withdraw", "/api/v1/enrollments", "/api/v1/tasks",
                 "/api/v1/tasks/{task_id}/complete", "/api/v1/tasks/batch", "/api/v1/me/hours",
                 "/api/v1/process-instances/{instance_id}/events"):
        assert path in paths, path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    upload = paths["/api/v1/claims/{claim_id}/files"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_unknown_api_route_uses_the_error_format(api):
    anonymous = api.anonymous.get("/nope")
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    known = api.as_("auditor").get("/nope")
    assert known.status_code == 404
    assert known.get_json()["error"]["code"] == "not_found"
    wrong_method = api.as_("auditor").request("PUT", "/claims")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"
