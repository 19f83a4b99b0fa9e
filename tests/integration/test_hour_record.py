"""The hour record over the API: hours by source and subject against the region's requirement for the
person's title level, every year's totals, confirming the enrolment details, printing (only a
complete, confirmed year; each print logged with its own number) and the public check of a number."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import HourEntry, RecordPrint, User
from app.processes.enrollment.models import Enrollment
from app.services import ledger
from tests.support.world import T1, T2, T3

SOURCE_ID = iter(range(900_000, 999_999))


def _ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _credit(app, who: str, hours: str, category: str = "professional", source: str = "claim",
            year: int | None = None) -> None:
    """Hours in the ledger as a source's record would credit them (the sources have tests of their own)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == who))
        ledger.credit(user_id=user.id, year=year or today().year, category=category, source=source,
                      source_id=next(SOURCE_ID), hours=Decimal(hours))
        db.session.commit()


def _complete(app, who: str = T1) -> None:
    """Zhejiang's 90 hours: 72 professional (two claims), 12 industry public and 6 general public online."""
    _credit(app, who, "36")
    _credit(app, who, "36")
    _credit(app, who, "12", "public_industry", "course")
    _credit(app, who, "6", "public_general", "course")


def _source(body: dict, source: str) -> dict:
    return next(row for row in body["sources"] if row["source"] == source)


def test_this_years_hours_by_source_and_subject_against_the_requirement(api, app):
    _credit(app, T1, "30")
    _credit(app, T1, "4.5", "public_industry", "course")
    _credit(app, T1, "1.5", "professional", "course")
    body = _ok(api.as_(T1).get("/me/hours"))
    assert body["total"] == 36.0 and body["professional"] == 31.5 and body["public"] == 4.5
    assert body["required"] == {"total": 90.0, "professional": 60.0, "public": 18.0}
    assert body["region"] == "浙江省交通运输" and body["complete"] is False and body["completion_label"] == "未完成"
    online = _source(body, "course")
    assert online["label"] == "在线学习" and online["professional"] == 1.5 and online["public_industry"] == 4.5
    assert _source(body, "claim") == {"source": "claim", "label": "学时登记", "professional": 30.0,
                                      "public_general": 0.0, "public_industry": 0.0, "total": 30.0}
    assert _source(body, "postfiling")["total"] == 0.0  # every source shows, with or without hours
    assert _ok(api.as_(T2).get("/me/hours"))["total"] == 0.0  # each person their own


def test_completion_needs_the_total_and_each_subjects_minimum(api, app):
    _credit(app, T1, "90")
    assert _ok(api.as_(T1).get("/me/hours"))["complete"] is False  # no public hours
    _credit(app, T1, "18", "public_general", "course")
    body = _ok(api.as_(T1).get("/me/hours"))
    assert body["complete"] is True and body["completion_label"] == "合格"


def test_history_lists_every_year_newest_first_with_its_completion(api, app):
    year = today().year
    _complete(app, T3)
    _credit(app, T3, "20", year=year - 2)
    _credit(app, T3, "5", year=year - 7)
    items = _ok(api.as_(T3).get("/me/history"))["items"]  # T1 and T2 have demo declarations
    assert [(i["year"], i["total"], i["complete"]) for i in items] == [
        (year, 90.0, True), (year - 2, 20.0, False), (year - 7, 5.0, False)]
    assert items[0]["prints"] == 0
    other = _ok(api.as_(T1).get("/me/history"))["items"]  # only what the demo declared for 张伟 last year
    assert [(i["year"], i["total"]) for i in other][0] == (year, 0.0) and all(i["year"] < year for i in other[1:])


def test_the_enrolment_details_are_confirmed_once_and_again_when_they_change(api, app):
    state = _ok(api.as_(T1).get("/me/profile"))
    facts = {f["label"]: f["value"] for f in state["facts"]}
    assert facts["姓名"] == "张伟" and facts["身份证号"] == "3301061990****0014"
    assert facts["专业技术职务任职资格"] == "工程师"
    assert state["approved"] is True and state["confirmed"] is False and state["locked"] is False
    confirmed = _ok(api.as_(T1).post("/me/profile/confirm", json={}))
    assert confirmed["confirmed"] is True and confirmed["confirmed_at"]
    with app.app_context():  # the details change (an approved info change would do this)
        enrollment = db.session.scalar(select(Enrollment).join(User, User.id == Enrollment.trainee_id)
                                       .where(User.username == T1, Enrollment.year == today().year))
        enrollment.specialty = "桥梁工程"
        db.session.commit()
    assert _ok(api.as_(T1).get("/me/profile"))["confirmed"] is False  # confirmed as they were, not as they are


def test_nothing_to_confirm_without_an_enrolment(api):
    refused = api.as_(T1).post("/me/profile/confirm", json={"year": today().year + 1})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "no_profile"
    assert "报名" in refused.get_json()["error"]["message"]
    bad = api.as_(T1).post("/me/profile/confirm", json={"year": 1800})
    assert bad.status_code == 422


def test_printing_is_refused_with_the_seeds_reasons_and_logs_nothing(api, app):
    refused = api.as_(T1).get("/me/record.pdf")
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"]
    assert "您本期培训: 未完成" in message and "您的报名信息: 未核实" in message
    _complete(app)
    still = api.as_(T1).get("/me/record.pdf")
    assert still.status_code == 409 and "未完成" not in still.get_json()["error"]["message"]
    assert "未核实" in still.get_json()["error"]["message"]
    assert _ok(api.as_(T1).get("/me/record-prints"))["items"] == []
    _ok(api.as_(T1).post("/me/profile/confirm", json={}))
    with app.app_context():
        assert db.session.scalar(select(RecordPrint.id)) is None


def test_a_complete_confirmed_year_prints_each_time_with_a_new_number_and_locks_the_details(api, app):
    from pypdf import PdfReader

    _complete(app)
    _ok(api.as_(T1).post("/me/profile/confirm", json={}))
    response = api.as_(T1).get("/me/record.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"
    prints = _ok(api.as_(T1).get("/me/record-prints"))["items"]
    assert len(prints) == 1 and prints[0]["total"] == 90.0 and prints[0]["status"] == "合格"
    number = prints[0]["number"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert "专业技术人员继续教育学时证明" in text and "张伟" in text and number in text
    assert "3301061990****0014" in text and "在线学习" in text and "学时登记" in text
    assert f"/records/verify/{number}" in text and "/XObject" in reader.pages[0]["/Resources"]  # the QR code
    assert _ok(api.as_(T1).get("/me/profile"))["locked"] is True
    again = api.as_(T1).get("/me/record.pdf")
    assert again.status_code == 200
    numbers = [p["number"] for p in _ok(api.as_(T1).get("/me/record-prints"))["items"]]
    assert len(numbers) == 2 and len(set(numbers)) == 2
    assert _ok(api.as_(T1).get("/me/history"))["items"][0]["prints"] == 2
    earlier = api.as_(T1).get(f"/me/record-prints/{number}.pdf")  # the same print again: not a new one
    assert earlier.status_code == 200 and len(_ok(api.as_(T1).get("/me/record-prints"))["items"]) == 2
    assert api.as_(T2).get(f"/me/record-prints/{number}.pdf").status_code == 404
    assert api.as_("auditor").get(f"/me/record-prints/{number}.pdf").status_code == 200


def test_the_record_prints_in_chinese_whatever_the_readers_language(api, app):
    from pypdf import PdfReader

    _complete(app)
    _ok(api.as_(T1).post("/me/profile/confirm", json={}))
    english = api.as_(T1).get("/me/profile", headers={"Accept-Language": "en"}).get_json()
    assert "Name" in {f["label"] for f in english["facts"]}  # the page speaks English
    response = api.as_(T1).get("/me/record.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "姓名" in text and "在线学习" in text and "Name" not in text and "Online" not in text


def test_anyone_checks_a_printed_number_and_sees_the_figures_as_printed(api, app, web):
    _complete(app)
    _ok(api.as_(T1).post("/me/profile/confirm", json={}))
    assert api.as_(T1).get("/me/record.pdf").status_code == 200
    number = _ok(api.as_(T1).get("/me/record-prints"))["items"][0]["number"]
    with app.app_context():  # hours revoked after printing: the paper's figures stay what they were
        ledger.reverse("claim", db.session.scalar(select(HourEntry.source_id).where(HourEntry.source == "claim")))
        db.session.commit()
    assert _ok(api.as_(T1).get("/me/hours"))["total"] == 54.0
    found = _ok(api.anonymous.get(f"/records/verify/{number}"))
    assert found["genuine"] is True and found["holder_name"] == "张伟" and found["total"] == 90.0
    assert found["holder_id_number"] == "3301061990****0014" and found["status"] == "合格"
    assert {s["label"] for s in found["sources"]} == {"在线学习", "学时登记"}
    assert "user_id" not in found
    unknown = _ok(api.anonymous.get("/records/verify/2026XS0000000000"))
    assert unknown == {"number": "2026XS0000000000", "genuine": False}
    page = web().get(f"/records/verify/{number}")
    assert page.status_code == 200 and "张伟" in page.get_data(as_text=True)


def test_guessing_printed_numbers_is_throttled_with_the_certificates(api, app):
    limit = app.config["CERTIFICATES"]["VERIFY_MAX_MISSES_PER_IP"]
    for i in range(limit):
        assert api.anonymous.get(f"/records/verify/2026XS{i:010d}").status_code == 200
    refused = api.anonymous.get("/certificates/verify/2026ZY000000000001")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert api.anonymous.get("/records/verify/2026XS0000000001").status_code == 429


@pytest.fixture
def tianjin(app, monkeypatch):
    monkeypatch.setitem(app.config["POLICY"], "REGION", "tianjin")


def test_tianjin_asks_96_hours_and_144_of_senior_titles(api, app, tianjin):
    body = _ok(api.as_(T1).get("/me/hours"))
    assert body["region"] == "天津市" and body["required"]["total"] == 96.0 and body["senior"] is False
    _credit(app, T1, "96")
    assert _ok(api.as_(T1).get("/me/hours"))["complete"] is True  # Tianjin sets no subject split
    with app.app_context():
        enrollment = db.session.scalar(select(Enrollment).join(User, User.id == Enrollment.trainee_id)
                                       .where(User.username == T1, Enrollment.year == today().year))
        enrollment.title = "高级工程师"
        db.session.commit()
        assert ledger.Policy.current().day_limit(3) == Decimal("24")
    senior = _ok(api.as_(T1).get("/me/hours"))
    assert senior["required"]["total"] == 144.0 and senior["senior"] is True and senior["complete"] is False


def test_zhejiang_has_no_daily_limit_and_a_flat_override_wins(app, monkeypatch):
    with app.app_context():
        assert ledger.Policy.current().day_limit(3) is None
        assert ledger.Policy.current(senior=True).total == Decimal("90")  # no senior rule in Zhejiang
        monkeypatch.setitem(app.config["POLICY"], "TOTAL_HOURS", 100)
        assert ledger.Policy.current().total == Decimal("100")
