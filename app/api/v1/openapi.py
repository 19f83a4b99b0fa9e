"""Declare on every operation the error statuses the whole API can answer.

Some refusals come from outside the view, so its own decorators cannot know them:
the token check answers 401 (and 403 while the initial password is unchanged, or to a
process administrator or auditor writing to a record),
the body parser 400 for malformed JSON, routing 404 for an unknown id, and the
request-size limit 413 for an upload. A client generated from the document
should find each of them declared on the operation, not only under ``default``.
"""
from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin

# Operations a token that still needs its password changed may call (see PASSWORD_CHANGE_ENDPOINTS).
PASSWORD_CHANGE_PATHS = frozenset({"/api/v1/auth/password", "/api/v1/auth/logout", "/api/v1/me"})


class StandardErrors(BasePlugin):
    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        self.spec = spec

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            body = (operation.get("requestBody") or {}).get("content", {})

            def declare(status: int, name: str, responses: dict[str, Any] = responses) -> None:
                # a lazy component: referencing it puts it into the document
                responses.setdefault(str(status), self.spec.components.get_ref("response", name))

            if operation.get("security") != []:
                declare(401, "UNAUTHORIZED")
                if path not in PASSWORD_CHANGE_PATHS:
                    declare(403, "FORBIDDEN")
            if "application/json" in body:
                declare(400, "BAD_REQUEST")
            if "multipart/form-data" in body:
                declare(413, "REQUEST_ENTITY_TOO_LARGE")
            if path and "{" in path:
                declare(404, "NOT_FOUND")
