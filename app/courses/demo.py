"""The demo catalogue (``flask --app app demo``): the seed's category tree and 12 courses over the
three subjects. Five are videos: a few seconds of VP9/webm with a title card drawn with Pillow,
encoded here by the ffmpeg the pinned ``imageio-ffmpeg`` wheel ships; the others are short PDF
documents generated here (Chinese text embedded). Nothing is downloaded. Without the encoder a
video course is made a document; without a CJK font a document course comes without its file."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from jinja2 import Environment
from sqlalchemy import select

from ..extensions import db
from ..services import pdf
from ..storage import storage
from . import media
from .models import Course, CourseCategory

TREE = (  # name, subject, parent
    ("行业公需科目", "public_industry", None), ("一般公需科目", "public_general", None),
    ("专业科目", "professional", None), ("交通运输", "professional", "专业科目"),
    ("规划与设计", "professional", "交通运输"), ("建设与监理", "professional", "交通运输"),
    ("运营与管理", "professional", "交通运输"),
)
COURSES = (  # title, category, minutes, hours
    ("交通运输安全生产法规解读", "行业公需科目", 45, "1.5"), ("交通强国建设纲要解读", "行业公需科目", 60, "2.0"),
    ("交通运输行业信用体系建设", "行业公需科目", 30, "1.0"), ("绿色交通与节能减排", "行业公需科目", 45, "1.5"),
    ("专业技术人员职业道德与诚信建设", "一般公需科目", 60, "2.0"),
    ("数字经济与人工智能概论", "一般公需科目", 90, "3.0"),
    ("知识产权保护实务", "一般公需科目", 30, "1.0"), ("法治政府建设与依法行政", "一般公需科目", 45, "1.5"),
    ("应急管理与突发事件应对", "一般公需科目", 45, "1.5"), ("网络安全与个人信息保护", "一般公需科目", 45, "1.5"),
    ("心理健康与压力管理", "一般公需科目", 45, "1.5"), ("公路路线设计规范要点", "规划与设计", 90, "3.0"),
    ("城市轨道交通线网规划", "规划与设计", 60, "2.0"), ("公路工程施工监理实务", "建设与监理", 45, "1.5"),
    ("桥梁工程质量检测", "建设与监理", 60, "2.0"), ("智慧公路运营管理", "运营与管理", 45, "1.5"),
)
VIDEOS = ("交通强国建设纲要解读", "绿色交通与节能减排", "数字经济与人工智能概论", "城市轨道交通线网规划",
          "桥梁工程质量检测")  # one or more per subject
DOCUMENT = """<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; } body { font-family: "{{ family }}", sans-serif; line-height: 1.8; }
h1 { font-size: 20pt; } p { text-indent: 2em; }</style></head><body>
<h1>{{ title }}</h1><p>课程分类：{{ category }}　学时：{{ hours }}　最少学习时间：{{ minutes }} 分钟</p>
{% for i in range(1, 4) %}<h2>第{{ i }}节</h2><p>本节介绍“{{ title }}”的第{{ i }}部分内容。学员应结合本单位工作实际，
认真学习有关法规、标准和典型案例，完成学习后方可计入继续教育学时。</p>{% endfor %}</body></html>"""


def load(world: Any) -> None:
    if db.session.scalar(select(Course.id).limit(1)) is not None:
        return
    ids: dict[str, int] = {}
    for position, (name, subject, parent) in enumerate(TREE):
        row = CourseCategory(name=name, subject=subject, parent_id=ids.get(parent) if parent else None,
                             position=position)
        db.session.add(row)
        db.session.flush()
        ids[name] = row.id
    subjects = {name: subject for name, subject, _parent in TREE}
    family = pdf.cjk_family()
    for title, category, minutes, hours in COURSES:
        course = Course(category_id=ids[category], title=title, kind="document", duration_seconds=minutes * 60,
                        hours=Decimal(hours), subject=subjects[category])
        db.session.add(course)
        db.session.flush()
        clip = media.demo_video(title, f"{category} · {hours} 学时") if title in VIDEOS else None
        if clip is not None:
            course.kind, course.media_key, course.media_type = "video", f"courses/{course.id}.webm", "video/webm"
            storage().put(course.media_key, clip, "video/webm")
        elif family is not None:
            html = Environment(autoescape=True).from_string(DOCUMENT).render(
                family=family, title=title, category=category, hours=hours, minutes=minutes)
            course.media_key, course.media_type = f"courses/{course.id}.pdf", "application/pdf"
            storage().put(course.media_key, pdf.render(html), "application/pdf")
