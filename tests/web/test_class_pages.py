"""The class pages (培训信息管理: form, 开启, 申请变更) and the enrolment pages (学员报名: search,
form, 提交; 学员报名审核), in Chinese, with form errors next to their fields."""
from __future__ import annotations

import re
from datetime import timedelta

from app.clock import today
from tests.integration.test_class_enrollments import DEMO_OPEN, demo_class, enrol, submitted
from tests.integration.test_provider_classes import _filed
from tests.support.world import T1, T2


def _class_form(filing_id: int, **changes) -> dict:
    now = today()
    form = {"prefiling_id": str(filing_id), "subject": "professional", "specialties": "工程系列|公路工程|工程师",
            "years": str(now.year), "enrol_from": now.isoformat(), "enrol_until": (now + timedelta(days=5)).isoformat(),
            "resubmit_until": (now + timedelta(days=8)).isoformat(), "seat_limit": "20", "has_package": "yes",
            "package-0-content": "公路工程新规范解读", "package-0-hours": "12", "report_venue": "培训楼大厅",
            "class_venue": "培训楼301", "contact_name": "钱老师", "contact_phone": "13900000002", "notes": "",
            "action": "save"}
    form.update(changes)
    return form


def test_providers_get_the_class_pages_and_trainees_the_enrolment_page(web):
    menu = web("provider_admin").text("/inbox")
    assert 'href="/classes"' in menu and 'href="/class-enrollments/review"' in menu
    assert 'href="/class-enrollments"' in web(T1).text("/enrollment")
    for who in ("unit_reviewer", T1, "hr_reviewer"):
        assert web(who).get("/classes").status_code == 403
        assert web(who).get("/classes/new").status_code == 403
        assert web(who).get("/class-enrollments/review").status_code == 403
    assert web("provider_admin").get("/class-enrollments").status_code == 403


def test_a_class_from_the_form_to_open(api, web):
    filing = _filed(api)
    client = web("provider_admin")
    listing = client.text("/classes")
    assert "培训信息管理" in listing and "已开启" in listing and "报名已结束" in listing  # the demo's two classes
    page = client.text(f"/classes/new?prefiling_id={filing['id']}")
    assert "退回再次提交截止时间" in page and "限制报名人数（0为不限制）" in page
    assert "工程系列 · 公路工程 · 工程师" in page
    bad = client.post("/classes/new", _class_form(filing["id"], resubmit_until=today().isoformat()))
    assert bad.status_code == 422
    assert 'id="f-resubmit_until-error"' in bad.get_data(as_text=True) and "需大于报名结束时间" in bad.get_data(
        as_text=True)
    response = client.post("/classes/new", _class_form(filing["id"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    detail = client.follow(response).get_data(as_text=True)
    class_id = int(re.search(r"/classes/(\d+)/edit", detail).group(1))
    assert "未提交" in detail and "公路工程新规范解读" in detail and "提交审核" in detail
    client.follow(client.post(f"/classes/{class_id}/submit", {}))
    assert "待人社部门审核" in client.text(f"/classes/{class_id}")
    assert api.decide("hr_reviewer", class_id, "approve", record_type="provider_class").status_code == 200
    listing = client.text("/classes")
    assert f'action="/classes/{class_id}/open"' in listing  # 开启 in the list, as the seed shows
    done = client.follow(client.post(f"/classes/{class_id}/open", {"next": "/classes"})).get_data(as_text=True)
    assert "培训班已开启" in done
    detail = client.text(f"/classes/{class_id}")
    assert "已开启" in detail and "申请变更" in detail
    asked = client.follow(client.post(f"/classes/{class_id}/change-request", {"reason": "报名截止时间需延后"}))
    assert "变更申请已提交人社部门" in asked.get_data(as_text=True)


def test_a_trainee_finds_a_class_enrols_and_submits(web):
    client = web(T1)
    page = client.text("/class-enrollments?specialty=公路工程&level=工程师")
    assert "开始报名的继续教育基地" in page and DEMO_OPEN in page
    class_id = int(re.search(r"/class-enrollments/new\?class_id=(\d+)", page).group(1))
    form = client.text(f"/class-enrollments/new?class_id={class_id}")
    assert "报名专业" in form and "13800000014" in form and "3301061990****0014" in form
    bad = client.post("/class-enrollments/new", {"class_id": str(class_id), "choice": "工程系列|公路工程|工程师",
                                                  "year": str(today().year), "phone": "123", "unit_name": "单位"})
    assert bad.status_code == 422 and 'id="f-phone-error"' in bad.get_data(as_text=True)
    response = client.post("/class-enrollments/new", {"class_id": str(class_id), "choice": "工程系列|公路工程|工程师",
                                                       "year": str(today().year), "phone": "13800000014",
                                                       "unit_name": "演示交通工程公司", "remark": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    detail = client.follow(response).get_data(as_text=True)
    assert "未提交" in detail
    enrollment_id = int(re.search(r"/class-enrollments/(\d+)/submit", detail).group(1))
    after = client.follow(client.post(f"/class-enrollments/{enrollment_id}/submit", {})).get_data(as_text=True)
    assert "待基地审核" in after and "已提交继续教育基地审核" in after
    assert "待基地审核" in client.text("/class-enrollments")


def test_the_provider_reviews_from_its_list(api, web):
    class_id = demo_class(api)["id"]
    enrollment = submitted(api, T2, class_id)
    enrol(api, T1, class_id)  # a draft: not the provider's to see
    page = web("provider_admin").text(f"/class-enrollments/review?class_id={class_id}")
    assert "学员报名审核" in page and "李娜" in page and "张伟" not in page
    task = re.search(r'href="/tasks/(\d+)"', page).group(1)
    task_page = web("provider_admin").text(f"/tasks/{task}")
    assert DEMO_OPEN in task_page and "李娜" in task_page and "工作单位" in task_page
    assert api.decide("provider_admin", enrollment["id"], "approve", record_type="class_enrollment").status_code == 200
    assert "审核通过" in web(T2).text(f"/class-enrollments/{enrollment['id']}")


def test_a_trainee_reads_an_open_class_but_not_its_review_log(web):
    page = web(T1).text("/class-enrollments?specialty=公路工程&level=工程师")
    class_id = re.search(r'href="/classes/(\d+)"', page).group(1)
    detail = web(T1).text(f"/classes/{class_id}")
    assert DEMO_OPEN in detail and "报到地点" in detail and "审核日志" not in detail
