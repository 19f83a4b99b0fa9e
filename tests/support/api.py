"""A thin client over Flask's test client that speaks API v1 as a named user."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from .files import png
from .world import PASSWORD, World

PREFIX = "/api/v1"


@dataclass
class As:
    client: FlaskClient
    token: str | None

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        kwargs["headers"] = self._headers(kwargs.get("headers"))
        return self.client.open(PREFIX + path, method=method, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)

    def upload(self, claim_id: int, data: bytes, filename: str, description: str = "证明材料") -> TestResponse:
        return self.post(f"/claims/{claim_id}/files", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(data), filename), "description": description})


class ApiClient:
    def __init__(self, client: FlaskClient, world: World):
        self.client = client
        self.world = world
        self._tokens: dict[str, str] = {}

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        return self.client.post(PREFIX + "/auth/token", json={"username": username, "password": password})

    def as_(self, username: str) -> As:
        if username not in self._tokens:
            response = self.login(username)
            assert response.status_code == 200, response.get_json()
            self._tokens[username] = response.get_json()["access_token"]
        return As(self.client, self._tokens[username])

    def forget_tokens(self) -> None:
        """Log in afresh on the next call (a token expires when a test moves the clock on)."""
        self._tokens.clear()

    @property
    def anonymous(self) -> As:
        return As(self.client, None)

    # -- domain shortcuts ---------------------------------------------------------
    def new_claim(self, trainee: str, **overrides: Any) -> dict[str, Any]:
        body = {"year": date.today().year, "route": "exam", "title": "【省级】资格证书考试",
                "details": {"subjects_passed": 2}, "hours_requested": 16}
        body.update(overrides)
        response = self.as_(trainee).post("/claims", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def with_proof(self, trainee: str, claim_id: int) -> dict[str, Any]:
        """A proof on the claim (a submission needs at least one)."""
        response = self.as_(trainee).upload(claim_id, png(), "proof.png")
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def submitted_claim(self, trainee: str, **overrides: Any) -> dict[str, Any]:
        claim = self.new_claim(trainee, **overrides)
        self.with_proof(trainee, claim["id"])
        response = self.as_(trainee).post(f"/claims/{claim['id']}/submit")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def task_for(self, username: str, record_id: int, record_type: str = "claim",
                 status: str = "open") -> dict[str, Any] | None:
        response = self.as_(username).get("/tasks", query_string={"status": status, "per_page": 100})
        assert response.status_code == 200, response.get_json()
        for item in response.get_json()["items"]:
            if item["record"] == {"type": record_type, "id": record_id}:
                return item
        return None

    def decide(self, username: str, record_id: int, decision: str, record_type: str = "claim",
               **extra: Any) -> TestResponse:
        task = self.task_for(username, record_id, record_type)
        assert task is not None, f"{username} has no task for {record_type} {record_id}"
        return self.as_(username).post(f"/tasks/{task['id']}/complete", json={"decision": decision, **extra})

    def claim(self, trainee: str, claim_id: int) -> dict[str, Any]:
        response = self.as_(trainee).get(f"/claims/{claim_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()
