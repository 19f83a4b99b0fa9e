"""The authorisation matrices' loop: one route called by every kind of caller, the one whose call
changes the state last, each answer as expected and every refusal leaving the state as it was."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from .files import png


def call(api: Any, who: str | None, method: str, path: str, body: Any, *,
         upload: dict[str, Any] | None = None) -> Any:
    """``method`` UPLOAD posts a PNG as multipart ``file`` (with the ``upload`` form fields)."""
    client = api.as_(who) if who else api.anonymous
    if method == "UPLOAD":
        return client.post(path, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(png()), "再补.png"), **(upload or {})})
    return client.request(method, path, json=body) if body is not None else client.request(method, path)


def check_route(api: Any, route: str, callers: list[str | None], expected: dict[str | None, int],
                changer: str | None, state: Callable[[], Any], send: Callable[[str | None], Any]) -> None:
    before = state()
    for who in sorted(callers, key=lambda caller: caller == changer):  # the one that changes things goes last
        response = send(who)
        assert response.status_code == expected[who], (route, who, response.get_json())
        if response.status_code >= 400:
            assert "error" in response.get_json(), (route, who)
        if who != changer:
            assert state() == before, (route, who, "a refused call changed something")
