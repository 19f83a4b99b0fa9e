"""Helpers of the person-info-change tests: ask for a change, find its task, print the hour record."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import User
from app.services import ledger

CHANGE = {"name": "张伟明", "title": "高级工程师", "title_date": "2023-12-01", "title_series": "工程技术"}


def ask(api: Any, who: str, **body: Any) -> Any:
    return api.as_(who).post("/me/profile-change", json=body or dict(CHANGE))


def asked(api: Any, who: str, **body: Any) -> dict[str, Any]:
    response = ask(api, who, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def task_of(api: Any, reviewer: str, change_id: int) -> dict[str, Any] | None:
    return api.task_for(reviewer, change_id, "person_info_change")


def mine(api: Any, who: str) -> dict[str, Any]:
    response = api.as_(who).get("/me/profile-change")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def printed(api: Any, app: Any, who: str) -> None:
    """The person's year complete, the details confirmed, the hour record printed once (locks them)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == who))
        for n, (category, hours) in enumerate([("professional", "72"), ("public_industry", "18")]):
            ledger.credit(user_id=user.id, year=today().year, category=category, source="claim",
                          source_id=980_000 + n, hours=Decimal(hours))
        db.session.commit()
    assert api.as_(who).post("/me/profile/confirm", json={}).status_code == 200
    response = api.as_(who).get("/me/record.pdf")
    assert response.status_code == 200, response.get_json()
