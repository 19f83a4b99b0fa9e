"""The hour record's pages: 学习首页 by source, 历史记录 with its year switcher, 学习证明 (confirm,
print as a PDF download, the print log) and the public check; trainees only, CSRF on every button."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import RecordPrint, User
from app.services import ledger
from tests.support.world import T1

YEAR = today().year


def _credit(app, hours: str, category: str, source: str, year: int = YEAR, source_id: int = 1) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == T1))
        ledger.credit(user_id=user.id, year=year, category=category, source=source, source_id=source_id,
                      hours=Decimal(hours))
        db.session.commit()


def _complete(app) -> None:
    _credit(app, "72", "professional", "claim")
    _credit(app, "18", "public_industry", "course")


def test_the_landing_page_of_a_trainee_is_the_learning_home_by_source(web, app):
    _credit(app, "4.5", "public_industry", "course")
    client = web(T1)
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/hours")
    page = client.text("/hours")
    assert "学习首页" in page and "浙江省交通运输" in page and "未完成" in page
    assert "在线学习" in page and "学时登记" in page and "机构培训" in page and "4.5" in page
    assert "学时证明打印" not in page  # not complete: nothing to print yet
    assert client.get(f"/hours?year={YEAR + 5}").status_code == 404


def test_history_lists_the_years_and_opens_one(web, app):
    _credit(app, "20", "professional", "claim", YEAR - 3, source_id=2)
    client = web(T1)
    page = client.text("/history")
    assert str(YEAR) in page and str(YEAR - 3) in page and "20.0" in page
    detail = client.text(f"/history?year={YEAR - 3}")
    assert f"{YEAR - 3} 年度学时来源" in detail
    assert client.get(f"/history?year={YEAR - 5}").status_code == 404  # a year without hours


def test_confirm_then_print_a_pdf_and_see_it_in_the_log(web, app):
    _complete(app)
    client = web(T1)
    page = client.text("/record")
    assert "您本期培训: 已完成" in page and "您的报名信息: 未核实, 请您先核实报名信息。" in page
    assert "张伟" in page and "3301061990****0014" in page and "暂无相关日志信息" in page
    assert f'action="/record/print?year={YEAR}"' not in page  # no print button before confirming
    forged = client.post(f"/record/confirm?year={YEAR}", csrf=False)
    assert forged.status_code == 302 and "您的报名信息: 未核实" in client.text("/record")  # CSRF: nothing done
    assert client.post(f"/record/confirm?year={YEAR}").status_code == 302
    page = client.text("/record")
    assert "您的报名信息: 已核实。" in page and f'action="/record/print?year={YEAR}"' in page
    printed = client.post(f"/record/print?year={YEAR}")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert printed.headers["Content-Disposition"].startswith("attachment;")
    with app.app_context():
        number = db.session.scalar(select(RecordPrint.number))
    page = client.text("/record")
    assert number in page and "合格" in page and "已锁定" in page
    again = client.get(f"/record/prints/{number}.pdf")
    assert again.status_code == 200 and again.mimetype == "application/pdf"
    public = web().get(f"/records/verify/{number}")
    assert public.status_code == 200 and "张伟" in public.get_data(as_text=True)
    assert "90.0" in public.get_data(as_text=True)


def test_an_incomplete_year_does_not_print(web, app):
    client = web(T1)
    client.post(f"/record/confirm?year={YEAR}")
    refused = client.post(f"/record/print?year={YEAR}")
    assert refused.status_code == 302
    assert "您本期培训: 未完成, 请继续学习。" in client.follow(refused).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RecordPrint.id)) is None


def test_only_trainees_open_the_record_pages_and_anyone_the_check(web):
    reviewer = web("unit_reviewer")
    for path in ("/hours", "/history", "/record"):
        assert reviewer.get(path).status_code == 403
    assert reviewer.post(f"/record/print?year={YEAR}").status_code == 403
    anonymous = web()
    assert anonymous.get("/hours").status_code == 302  # to the login page
    lookup = anonymous.get("/records/verify?number=2026XS0000000000")
    assert lookup.status_code == 302
    unknown = anonymous.get(lookup.headers["Location"])
    assert unknown.status_code == 200 and "没有打印编号为 2026XS0000000000 的学时证明" in unknown.get_data(as_text=True)
