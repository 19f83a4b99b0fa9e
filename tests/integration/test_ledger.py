"""The hours ledger: many entries per record, reversals that keep the history, one credit per person."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import HourEntry
from app.services import ledger
from tests.support.world import T1, T2, T3

YEAR = 2026


def _credit(world, who: str, hours: str, source_id: int = 7, category: str = "professional") -> HourEntry:
    return ledger.credit(user_id=world.user[who], year=YEAR, category=category, source="class",
                         source_id=source_id, hours=Decimal(hours), note="培训班结业")


def test_one_record_credits_many_people_and_a_reversal_keeps_the_history(app, world):
    with app.app_context():
        for who, hours in ((T1, "24.0"), (T2, "24.0"), (T3, "12.0")):
            _credit(world, who, hours)
        db.session.commit()
        assert ledger.net_by_source("class", [7]) == {
            (7, world.user[T1]): Decimal("24.0"), (7, world.user[T2]): Decimal("24.0"),
            (7, world.user[T3]): Decimal("12.0")}

        reversed_rows = ledger.reverse("class", 7, "审验不通过", user_id=world.user[T2])
        db.session.commit()
        assert [(r.hours, r.note) for r in reversed_rows] == [(Decimal("-24.0"), "审验不通过")]
        assert ledger.net_by_source("class", [7])[(7, world.user[T2])] == Decimal("0.0")
        assert ledger.year_summary(world.user[T2], YEAR)["professional"] == Decimal("0.0")
        assert ledger.year_summary(world.user[T1], YEAR)["professional"] == Decimal("24.0")
        rows = db.session.scalars(db.select(HourEntry).where(HourEntry.user_id == world.user[T2],
                                                             HourEntry.source == "class")
                                  .order_by(HourEntry.id)).all()
        assert [(r.hours, r.reverses_id) for r in rows] == [(Decimal("24.0"), None), (Decimal("-24.0"), rows[0].id)]

        assert ledger.reverse("class", 7, user_id=world.user[T2]) == []  # reversed once only
        everyone = ledger.reverse("class", 7, "培训班撤销")
        db.session.commit()
        assert sorted(r.user_id for r in everyone) == sorted([world.user[T1], world.user[T3]])
        assert set(ledger.net_by_source("class", [7]).values()) == {Decimal("0.0")}


def test_a_record_credits_a_person_once_per_category(app, world):
    with app.app_context():
        _credit(world, T1, "6.0")
        _credit(world, T1, "3.0", category="public_industry")  # another category: fine
        db.session.commit()
        _credit(world, T1, "6.0")
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(HourEntry.id)).where(HourEntry.source == "class")) == 2
