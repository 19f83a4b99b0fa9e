"""Credit-claim routes (学时登记途径, seed 000 §4.2) and their suggested hours.

Each route takes its own ``details``; ``suggest`` turns them into the hours the
rules grant, before the yearly cap per route (``ROUTE_CAP_HOURS``) is applied.
Labels are the Chinese the seeds use; the rule text is shown on the claim form.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

LEVEL_LABELS = {"national": "国家级", "provincial": "省级", "city": "市级", "county": "县级"}
JOURNAL_LABELS = {"core": "核心刊物", "national": "全国性刊物", "provincial": "省级刊物",
                  "other": "其他期刊或论文集"}

SEMINAR_HOURS = {"national": 36, "provincial": 36, "city": 24}
RESEARCH_HOURS = {"national": 24, "provincial": 18, "city": 12, "county": 6}
PAPER_HOURS = {"core": 24, "national": 18, "provincial": 12, "other": 6}
RESEARCH_MAX_RANK = 5
PAPER_MAX_RANK = 3


class DetailsError(ValueError):
    """Route details are missing or out of range; ``fields`` maps field -> message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def _int(details: Mapping[str, Any], key: str, low: int, high: int, errors: dict[str, str]) -> int:
    value = details.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        errors[key] = "必须是整数"
        return 0
    if not low <= value <= high:
        errors[key] = f"必须在 {low} 到 {high} 之间"
        return 0
    return value


def _choice(details: Mapping[str, Any], key: str, choices: Mapping[str, Any],
            errors: dict[str, str]) -> str:
    value = details.get(key)
    if value not in choices:
        errors[key] = "必须是以下之一：" + "、".join(choices)
        return ""
    return str(value)


def _exam(d: Mapping[str, Any], e: dict[str, str]) -> Decimal:
    return Decimal(8 * _int(d, "subjects_passed", 1, 20, e))


def _seminar(d: Mapping[str, Any], e: dict[str, str]) -> Decimal:
    level = _choice(d, "level", SEMINAR_HOURS, e)
    stated = d.get("stated_hours")
    if stated is not None:
        if isinstance(stated, bool) or not isinstance(stated, (int, float)) or not 0 < stated <= 200:
            e["stated_hours"] = "必须是 0 到 200 之间的数字"
            return Decimal(0)
        return Decimal(str(stated)).quantize(Decimal("0.1"))
    return Decimal(SEMINAR_HOURS.get(level, 0))


def _training(d: Mapping[str, Any], e: dict[str, str]) -> Decimal:
    return Decimal(6 * _int(d, "days", 1, 366, e))


def _research(d: Mapping[str, Any], e: dict[str, str]) -> Decimal:
    level = _choice(d, "level", RESEARCH_HOURS, e)
    rank = _int(d, "rank", 1, 1000, e)
    if rank > RESEARCH_MAX_RANK:
        e["rank"] = f"仅排名前{RESEARCH_MAX_RANK}名可登记"
    return Decimal(RESEARCH_HOURS.get(level, 0))


def _paper(d: Mapping[str, Any], e: dict[str, str]) -> Decimal:
    journal = _choice(d, "journal", PAPER_HOURS, e)
    rank = _int(d, "rank", 1, 1000, e)
    if rank > PAPER_MAX_RANK:
        e["rank"] = f"仅排名前{PAPER_MAX_RANK}名可登记"
    count = _int(d, "count", 1, 100, e)
    return Decimal(PAPER_HOURS.get(journal, 0) * count)


def _degree_course(d: Mapping[str, Any], e: dict[str, str]) -> Decimal:
    return Decimal(3 * _int(d, "courses_passed", 1, 60, e))


@dataclass(frozen=True)
class Route:
    code: str
    label: str
    rule: str
    fields: tuple[str, ...]
    optional: tuple[str, ...]
    _suggest: Callable[[Mapping[str, Any], dict[str, str]], Decimal]

    def suggest(self, details: Mapping[str, Any]) -> Decimal:
        """Hours the rules grant for ``details``; raises DetailsError when they are invalid."""
        if not isinstance(details, Mapping):
            raise DetailsError({"details": "必须是对象"})
        errors: dict[str, str] = {}
        unknown = set(details) - set(self.fields) - set(self.optional)
        for key in sorted(unknown):
            errors[key] = "不是该途径的字段"
        hours = self._suggest(details, errors)
        if errors:
            raise DetailsError(errors)
        return hours


ROUTES: dict[str, Route] = {r.code: r for r in (
    Route("exam", "参加资格证书考试",
          "参加交通运输类执（职）业资格证书考试，每个合格科目可认定登记8个学时。",
          ("subjects_passed",), (), _exam),
    Route("seminar", "参加高研班",
          "参加人力资源社会保障部门批准的交通运输类高研班，学时按照高研班确定的进行学时登记；"
          "未明确的，按国家级、省级、市级分别认定登记36个、36个、24个学时。",
          ("level",), ("stated_hours",), _seminar),
    Route("training", "参加培训进修",
          "参加国内外有关部门、行业组织举办的交通运输类培训进修、学术研讨活动，每天可认定登记6个学时。",
          ("days",), (), _training),
    Route("research", "参与立法工作、课题研究、标准制定",
          "参与交通运输类立法工作、课题研究、工程建设标准制定，排名前5的，每项按国家级、省级、市、县级"
          "可分别认定登记24个、18个、12个、6个学时。",
          ("level", "rank"), (), _research),
    Route("paper", "发表论文著作",
          "发表交通运输类论文（译文）、著作（译作），排名前3的，按发表在核心刊物、全国性刊物、省级刊物、"
          "其他期刊或正式出版的论文集，每篇论文（译文）、每万字著作（译作）可分别认定登记24个、18个、12个、6个学时。",
          ("journal", "rank", "count"), (), _paper),
    Route("degree_course", "参加在职教育",
          "参加交通运输类相关专业在职学历（学位）教育，每门课程考试合格可认定登记3个学时。",
          ("courses_passed",), (), _degree_course),
)}
