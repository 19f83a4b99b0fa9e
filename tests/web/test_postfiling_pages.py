"""The post-training filing pages (培训后备案: four steps, the results import with its report) and
the certificate pages (电子证书, public 查验)."""
from __future__ import annotations

import io
import re

from tests.integration.test_provider_postfilings import NAMES, decide, good_file, submitted
from tests.support.files import png
from tests.support.world import T1, T2, T3
from tests.support.xlsx import workbook


def test_the_four_steps_through_the_pages(api, web):
    client = web("provider_admin")
    listing = client.text("/post-filings")
    assert "待培训后备案的培训班" in listing and "培训后备案" in listing
    class_id = re.search(r"/post-filings/new\?class_id=(\d+)", listing).group(1)
    step1 = client.text(f"/post-filings/new?class_id={class_id}")
    assert "这里只显示通过审核的" in step1 and "培训后备案名称" in step1
    response = client.post("/post-filings/new", {"class_id": class_id, "name": "", "year": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    detail = client.follow(response).get_data(as_text=True)
    filing_id = int(re.search(r"/post-filings/(\d+)/details", detail).group(1))
    assert "② 填写备案" in detail and "③ 导入学员成绩" in detail and "④ 附件上传" in detail
    saved = client.post(f"/post-filings/{filing_id}/details", {"step": "details", "name": "结业备案", "year": "2026",
                                                              "held_from": "", "held_until": "", "attended": "3",
                                                              "summary": "三人参加"})
    assert saved.status_code == 302
    bad = client.post(f"/post-filings/{filing_id}/results",
                      {"file": (io.BytesIO(workbook([(T1, "张三", 90, "是")])), "成绩.xlsx")})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "文件中的问题（未导入任何数据）" in text and "报名信息中的姓名为 张伟" in text and "下载错误报告" in text
    report = client.get(f"/post-filings/{filing_id}/results-errors.xlsx")
    assert report.status_code == 200 and report.data.startswith(b"PK")
    good = client.post(f"/post-filings/{filing_id}/results", {"file": (io.BytesIO(good_file()), "成绩.xlsx")})
    assert "已导入 3 条成绩，其中合格 2 人" in client.follow(good).get_data(as_text=True)
    template = client.get(f"/post-filings/{filing_id}/results-template.xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK")
    attached = client.post(f"/post-filings/{filing_id}/files", {"kind": "summary",
                                                               "file": (io.BytesIO(png()), "培训总结.png")})
    assert attached.status_code == 302
    done = client.follow(client.post(f"/post-filings/{filing_id}/submit", {})).get_data(as_text=True)
    assert "待人社部门审核" in done
    assert web("hr_reviewer").get(f"/post-filings/{filing_id}").status_code == 200
    assert web("hr_reviewer_city").get(f"/post-filings/{filing_id}").status_code == 404


def test_providers_only(web):
    for who in ("unit_reviewer", T1, "hr_reviewer"):
        assert web(who).get("/post-filings").status_code == 403
        assert web(who).get("/post-filings/new").status_code == 403
    assert 'href="/post-filings"' in web("provider_admin").text("/inbox")


def test_a_trainee_lists_downloads_and_verifies_a_certificate(api, web):
    filing = submitted(api)
    assert decide(api, filing["id"], "approve").status_code == 200
    client = web(T1)
    assert 'href="/certificates"' in client.text("/enrollment")
    assert "暂无电子证书" in client.text("/certificates?kind=public")
    page = client.text("/certificates?kind=professional")
    number = re.search(r"(\d{4}ZY\d{12})", page).group(1)
    assert "专业课电子证书" in page and "演示交通职业培训学院" in page
    pdf = client.get(f"/certificates/{number}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert web(T2).get(f"/certificates/{number}.pdf").status_code == 404
    public = web().get(f"/verify/{number}")  # no login
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and "真实有效" in text and NAMES[T1] in text and "3301061990****0014" in text
    missing = web().get("/verify/2026ZY000000000001").get_data(as_text=True)
    assert "未找到编号为 2026ZY000000000001 的证书" in missing
    lookup = web().get("/verify", query_string={"number": number})
    assert lookup.status_code == 302 and lookup.headers["Location"].endswith(f"/verify/{number}")
    assert "暂无电子证书" in web(T3).text("/certificates?kind=professional")  # did not pass
