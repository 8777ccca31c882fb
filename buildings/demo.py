"""Demo characteristic creation (特色创建), built through the ORM so that history exists:
the eight categories with their standards, buildings assessed in every state (draft,
submitted, confirmed), titles of each kind (one withdrawn) and projects of both kinds.
``scale`` multiplies the buildings, their assessments and the projects; a second run adds
nothing."""

from django.utils import timezone

from core.transitions import perform
from people.models import Person

from .factories import BuildingFactory, ProjectFactory, StandardFactory
from .models import (
    Assessment,
    AssessmentState,
    Building,
    Category,
    CategoryKind,
    Project,
    ProjectKind,
    Standard,
    Title,
    TitleKind,
    TitleState,
)

# Each category's standards: (criterion, maximum score).
STANDARDS = {
    CategoryKind.LEARNING: [
        ("楼内设有读书角，每季度开展一次学习活动", 10),
        ("居民参加社区讲座", 5),
    ],
    CategoryKind.SERVICE: [("楼内志愿者结对帮扶困难家庭", 10), ("设有便民服务公示栏", 5)],
    CategoryKind.ENVIRONMENTAL: [("垃圾分类准确率达到九成", 10), ("节水节电宣传到户", 5)],
    CategoryKind.CULTURE: [("每年举办一次楼道文化节", 10), ("楼道文化墙定期更新", 5)],
    CategoryKind.GREENING: [("楼前绿地认养到户", 10), ("阳台绿化美化", 5)],
    CategoryKind.SAFETY: [("楼道无堆物、消防通道畅通", 10), ("组织平安巡逻", 5)],
    CategoryKind.CIVILITY: [("文明养犬公约签订率", 10), ("无乱停乱放", 5)],
    CategoryKind.HARMONY: [("邻里纠纷及时调解", 10), ("开展邻里节活动", 5)],
}
PROJECTS = [
    ("社区医院健康进楼道", ProjectKind.UNIT_BRAND, "区人民医院", "每月一次义诊与健康讲座。"),
    ("税务小课堂", ProjectKind.UNIT_BRAND, "区税务局", "为居民讲解个人所得税申报。"),
    ("夕阳红合唱团", ProjectKind.SOCIETY_SPECIALITY, "社区合唱团", "每周两次排练，节日演出。"),
    ("巧手编织社", ProjectKind.SOCIETY_SPECIALITY, "5号楼", "为独居老人编织冬衣。"),
]
# The states the demo's assessments of this year go through, in turn.
STATES = [AssessmentState.CONFIRMED, AssessmentState.SUBMITTED, AssessmentState.DRAFT]
ASSESSORS = "社区党委 张书记、李委员"


def seed_standards():
    """The eight categories, each with its standards (once)."""
    created = 0
    for order, kind in enumerate(CategoryKind, start=1):
        category, was_created = Category.objects.get_or_create(
            kind=kind, defaults={"sort_order": order}
        )
        created += was_created
        if not category.standards.exists():
            for index, (text, maximum) in enumerate(STANDARDS[kind], start=1):
                StandardFactory(category=category, text=text, max_score=maximum, sort_order=index)
                created += 1
    return created


def _scores(standards, index):
    """A score for every standard: most of the maximum, one point less now and then."""
    return {
        standard: (standard.max_score - (index + position) % 3, "活动记录与照片")
        for position, standard in enumerate(standards)
    }


def _assess(building, year, state, office, index, standards):
    assessment, created = Assessment.objects.get_or_create(
        building=building, year=year, defaults={"assessors": ASSESSORS}
    )
    if not created:
        return assessment, 0
    perform(assessment, "enter_scores", office, scores=_scores(standards, index))
    if state != AssessmentState.DRAFT:
        perform(assessment, "submit", office)
    if state == AssessmentState.CONFIRMED:
        perform(assessment, "confirm", office)
    return assessment, 1


def _award(assessment, kind, office, category=None):
    if Title.objects.filter(assessment=assessment, kind=kind, category=category).exists():
        return None
    title = Title(assessment=assessment, kind=kind, category=category)
    title._history_user = office
    title.full_clean(exclude=["state"])
    title.save()
    return title


def seed(*, scale, users):
    office = users.get("party") or users.get("admin")
    if office is None:
        return 0
    created = seed_standards()
    # With their category, which each score's validation reads.
    standards = list(Standard.objects.in_use().select_related("category"))
    categories = list(Category.objects.order_by("sort_order"))
    leaders = list(Person.objects.filter(is_cadre=True).order_by("pk")[:4])
    this_year = timezone.localdate().year
    for index in range(6 * scale):
        name = f"{index + 1}号楼"
        if not Building.objects.filter(name=name).exists():
            BuildingFactory(
                name=name,
                units=2 + index % 3,
                leader=leaders[index % len(leaders)] if leaders and index % 2 == 0 else None,
            )
            created += 1
        building = Building.objects.get(name=name)
        # Last year's assessment confirmed, this year's in one of the three states.
        last, added = _assess(
            building, this_year - 1, AssessmentState.CONFIRMED, office, index, standards
        )
        created += added
        current, added = _assess(
            building, this_year, STATES[index % len(STATES)], office, index, standards
        )
        created += added
        # Titles from last year's confirmed assessments: one of each kind per three buildings.
        kind = [TitleKind.PIONEER, TitleKind.DEMONSTRATION, TitleKind.CHARACTERISTIC][index % 3]
        category = categories[index % len(categories)] if kind == TitleKind.CHARACTERISTIC else None
        created += _award(last, kind, office, category) is not None
        if current.state == AssessmentState.CONFIRMED:
            created += _award(current, TitleKind.DEMONSTRATION, office) is not None
    # One title withdrawn, with its reason.
    if not Title.objects.filter(state=TitleState.WITHDRAWN).exists():
        title = Title.objects.filter(kind=TitleKind.DEMONSTRATION).order_by("pk").first()
        if title is not None:
            perform(title, "withdraw", office, reason="复查发现楼道堆物问题未整改")
    for copy in range(scale):
        for name, kind, held_by, description in PROJECTS:
            project_name = name if copy == 0 else f"{name}（{copy + 1}）"
            if not Project.objects.filter(name=project_name).exists():
                ProjectFactory(
                    name=project_name,
                    kind=kind,
                    held_by=held_by,
                    description=description,
                    year=this_year,
                )
                created += 1
    return created
