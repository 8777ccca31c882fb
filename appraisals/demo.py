"""Demo year-end appraisals, built through the ORM and the named transitions so that history
exists: the demo year's appraisals in every state (draft, debriefed, evaluated, decided).

An appraisal is evaluated only after the cadre's evaluation was published; the votes demo
publishes the evaluation of the first cadres of the register, and those are taken here
(read through ``votes.api``). Every active cadre of the register is appraised, and the
register's cadres grow with ``--scale`` (``people.demo``), so the appraisals do too.
"""

from django.utils import timezone

from core.transitions import perform
from people.models import Person
from votes import api as votes_api

from .factories import AppraisalFactory
from .models import Appointment, Appraisal, AppraisalState, BonusGrade

DEBRIEFINGS = [
    "一年来，本人分管社区党建和居民议事工作，组织“三会一课”二十四次，"
    "推动中心花园改造等三项民生实事落地，办理居民诉求一百余件。不足是入户走访还不够深入。",
    "本人负责错时延时服务和值班记录，全年值班九十六个班次，居民诉求按时答复率达到百分之九十五。"
    "下一年将加强与物业公司的协调。",
    "本人分管综治维稳和流动人口服务，开展安全巡查四十余次，化解邻里纠纷十二起。"
    "存在的问题是政策理论学习不够系统。",
]

DECISIONS = [
    {
        "advanced": True,
        "bonus_grade": BonusGrade.FIRST,
        "appointment": Appointment.KEPT,
        "adjustment": "",
        "reason": "民主测评满意率高，工作实绩突出，经社区党委会议研究决定。",
    },
    {
        "advanced": False,
        "bonus_grade": BonusGrade.THIRD,
        "appointment": Appointment.CHANGED,
        "adjustment": "由综治维稳岗位调整至居民服务岗位，发挥其群众工作专长。",
        "reason": "测评中居民对综治工作意见较多，经社区党委会议研究决定调整岗位。",
    },
]


def _advance(appraisal, office, target, decision):
    """Take ``appraisal`` through the transitions up to ``target`` (as far as it can go)."""
    if appraisal.state == AppraisalState.DRAFT and target != AppraisalState.DRAFT:
        perform(appraisal, "record_debriefing", office, reason="年终述职大会已述职")
    if appraisal.state == AppraisalState.DEBRIEFED and target in (
        AppraisalState.EVALUATED,
        AppraisalState.DECIDED,
    ):
        perform(appraisal, "record_evaluation", office, reason="民主测评结果已公布")
    if appraisal.state == AppraisalState.EVALUATED and target == AppraisalState.DECIDED:
        perform(appraisal, "decide", office, **decision)


def _targets(evaluated):
    """The state each cadre's appraisal is taken to: the evaluated cadres decided (all but
    one, left evaluated), the others alternately debriefed and draft."""
    targets = {}
    for index, cadre in enumerate(evaluated):
        targets[cadre] = AppraisalState.EVALUATED if index == 1 else AppraisalState.DECIDED
    return targets


def seed(*, scale, users):
    office = users.get("party") or users.get("admin")
    if office is None:
        return 0
    year = timezone.localdate().year
    cadres = list(Person.objects.cadres().order_by("pk"))
    evaluated = [c for c in cadres if votes_api.evaluation_summary(c, year) is not None]
    targets = _targets(evaluated)
    others = [c for c in cadres if c not in targets]
    for index, cadre in enumerate(others):
        targets[cadre] = AppraisalState.DEBRIEFED if index % 2 else AppraisalState.DRAFT

    created = 0
    decided = 0
    for index, cadre in enumerate(cadres):
        appraisal, was_created = _appraisal(cadre, year, index)
        created += was_created
        if was_created:
            target = targets[cadre]
            decision = DECISIONS[decided % len(DECISIONS)]
            decided += target == AppraisalState.DECIDED
            _advance(appraisal, office, target, decision)
    return created


def _appraisal(cadre, year, index):
    existing = Appraisal.objects.filter(cadre=cadre, year=year).first()
    if existing is not None:
        return existing, False
    text = DEBRIEFINGS[index % len(DEBRIEFINGS)]
    return AppraisalFactory(cadre=cadre, year=year, debriefing=f"{year}年度述职报告。{text}"), True
