"""Demo duty: the eight posts with their people, this month's published roster (one shift
reassigned), swaps waiting and withdrawn, records in every state (some overdue, one
reopened) and inspections."""

import datetime

from django.utils import timezone

from core.transitions import perform
from people.models import Person

from .models import (
    DutyRecord,
    DutyShift,
    Inspection,
    InspectionRating,
    Post,
    PostAssignment,
    Rating,
    RequestCategory,
    RequestChannel,
    Roster,
    ServiceDay,
    ShiftSwap,
)

POSTS = [
    ("治安巡逻岗", "组织夜间巡逻，排查安全隐患，协助维护小区治安。", "巡逻经验"),
    ("政策宣传岗", "宣传党的方针政策和社区公告，组织学习活动。", "讲解宣传"),
    ("义务教育岗", "为青少年开展课业辅导和暑期托管。", "课业辅导"),
    ("志愿服务岗", "组织志愿者关爱独居老人、开展邻里互助。", "组织协调"),
    ("便民服务岗", "提供家电维修、理发等便民服务。", "家电维修"),
    ("矛盾调解岗", "调解邻里纠纷，化解矛盾。", "法律知识"),
    ("环境守护岗", "督促垃圾分类，维护绿化和公共环境。", "园艺绿化"),
    ("居务监督岗", "监督居务公开和公益金使用。", "财务审计"),
]

RECORDS = [
    # (hours ago, channel, category, name, phone, request, steps, undertaken, answer, result)
    (
        1,
        RequestChannel.ONLINE,
        RequestCategory.REPAIR,
        "李先生",
        "13800001111",
        "楼道灯不亮，晚上上下楼很危险。",
        [],
        "",
        "",
        "",
    ),
    (
        3,
        RequestChannel.PHONE,
        RequestCategory.SECURITY,
        "王女士",
        "13800002222",
        "有陌生人从这里进小区，挨家敲门推销。",
        ["take_on"],
        "已通知保安到东门查看。",
        "",
        "",
    ),
    (
        30,
        RequestChannel.IN_PERSON,
        RequestCategory.ENVIRONMENT,
        "赵大爷",
        "13800003333",
        "垃圾桶满溢，无人清运。",
        ["take_on"],
        "",
        "",
        "",
    ),
    (
        80,
        RequestChannel.ONLINE,
        RequestCategory.REPAIR,
        "孙女士",
        "13800004444",
        "电梯运行时有异响。",
        [],
        "",
        "",
        "",
    ),
    (
        50,
        RequestChannel.IN_PERSON,
        RequestCategory.DISPUTE,
        "周先生",
        "13800005555",
        "楼上装修噪音影响休息。",
        ["take_on", "resolve"],
        "上门与楼上住户沟通装修时间。",
        "已与楼上住户约定：装修只在工作日9:00–18:00进行。",
        "双方达成一致，噪音问题解决。",
    ),
    (
        100,
        RequestChannel.PHONE,
        RequestCategory.SERVICE,
        "吴阿姨",
        "13800006666",
        "想办理老年人优待证，需要什么材料？",
        ["resolve"],
        "电话说明办理材料。",
        "携带身份证和一寸照片一张到服务中心一楼办理。",
        "已答复，居民次日办结。",
    ),
    (
        70,
        RequestChannel.ONLINE,
        RequestCategory.OTHER,
        "郑先生",
        "13800007777",
        "小区外的道路坑洼，能否修补？",
        ["take_on", "refer"],
        "核实为市政道路。",
        "该路段属市政道路，已转交街道城管科处理，电话 021-64550200。",
        "",
    ),
    (
        120,
        RequestChannel.PHONE,
        RequestCategory.REPAIR,
        "冯先生",
        "13800008888",
        "屋顶漏水，下雨时顶层住户家中渗水。",
        ["take_on", "resolve", ("reopen", "居民来电：雨后仍有渗水，重新办理。")],
        "联系物业维修屋面防水。",
        "物业已修补屋面防水层。",
        "已修补，待雨后复查。",
    ),
]

# Where each of the RECORDS is about, as the resident wrote it (seen by duty cadres only).
PLACES = [
    "5号楼2单元",
    "小区东门",
    "8号楼前",
    "3号楼1单元电梯",
    "9号楼1单元602室",
    "12号楼",
    "小区北侧道路",
    "6号楼顶层",
]

# A shift of the published roster reassigned by the roster keeper, and why.
REASSIGNMENT_REASON = "原值班干部临时外出培训，由站长调整。"


def at_hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


def _fill_roster(roster, cadres, *, bulk=False):
    """Weekday evenings and Saturdays of the roster's month, the cadres taking turns; saved
    one by one (each shift's history starts with its roster), or in bulk for the earlier
    months a larger ``--scale`` adds, whose history is not the point."""
    month = roster.month
    day, shifts = month, []
    while day.month == month.month:
        if day.weekday() < 6:
            shifts.append(
                DutyShift(
                    roster=roster,
                    person=cadres[len(shifts) % len(cadres)],
                    date=day,
                    starts=datetime.time(9, 0) if day.weekday() == 5 else datetime.time(17, 30),
                    ends=datetime.time(17, 0) if day.weekday() == 5 else datetime.time(20, 30),
                )
            )
        day += datetime.timedelta(days=1)
    if bulk:
        DutyShift.objects.bulk_create(shifts)
        return
    for shift in shifts:
        shift.save()


def seed(*, scale, users):
    created = 0
    cadre_user = users["cadre"]
    supervisor = users["supervisor"]
    cadres = list(Person.objects.cadres().order_by("pk"))
    members = list(Person.objects.filter(is_active=True, is_party_member=True).order_by("pk"))
    today = timezone.localdate()

    for order, (name, duties, skill) in enumerate(POSTS):
        post, made = Post.objects.get_or_create(
            name=name, defaults={"duties": duties, "sort_order": order}
        )
        created += made
        people = (cadres + members)[order::8][:3]
        for person in people:
            assignment, made = PostAssignment.objects.get_or_create(
                person=person,
                post=post,
                defaults={
                    "skill": skill,
                    "term_start": today.replace(month=1, day=1),
                    "pledged_days": 2,
                },
            )
            if made:
                ServiceDay.objects.create(
                    assignment=assignment,
                    date=today - datetime.timedelta(days=10 + order),
                    note=f"{name}服务日",
                )
                created += 1

    month = today.replace(day=1)
    roster, made = Roster.objects.get_or_create(month=month)
    if made:
        _fill_roster(roster, cadres)
        perform(roster, "publish", cadre_user)
        created += 1
    # Next month's roster is drafted (shifts, not yet published).
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    draft, made = Roster.objects.get_or_create(month=next_month)
    if made:
        _fill_roster(draft, cadres[1:] + cadres[:1])
        created += 1
        # One swap waiting for the demo cadre to accept: a shift still to come (next
        # month's, when this month has none left that is not the cadre's own).
        later = (
            DutyShift.objects.filter(date__gt=today, roster__in=[roster, draft])
            .exclude(person=cadre_user.person)
            .order_by("date")
            .first()
        )
        if later is not None:
            ShiftSwap.objects.create(
                shift=later,
                from_person=later.person,
                to_person=cadre_user.person,
                note="家中有事，请帮忙换班。",
            )
        # One the demo cadre asked about a shift of their own, then withdrew.
        own = (
            DutyShift.objects.filter(date__gt=today, person=cadre_user.person)
            .order_by("date")
            .first()
        )
        colleague = next((c for c in cadres if c.pk != cadre_user.person.pk), None)
        if own is not None and colleague is not None:
            withdrawn = ShiftSwap.objects.create(
                shift=own, from_person=cadre_user.person, to_person=colleague, note="临时有事。"
            )
            perform(withdrawn, "withdraw", cadre_user, reason="事情已解决，不用换班了。")
        # And the roster keeper reassigns one shift of the published roster, with the reason.
        moved = (
            roster.shifts.exclude(person=cadre_user.person)
            .exclude(pk=getattr(later, "pk", None))
            .order_by("-date")
            .first()
        )
        if moved is not None:
            perform(
                moved, "reassign", cadre_user, reason=REASSIGNMENT_REASON, person=cadre_user.person
            )

    # ``scale`` copies of the records; seeding again at a larger scale adds the missing ones.
    copies_made = DutyRecord.objects.count() // len(RECORDS)
    if copies_made < scale:
        shift = roster.shifts.filter(date__lte=today).order_by("-date").first()
        for copy in range(copies_made, scale):
            for (
                hours,
                channel,
                category,
                name,
                phone,
                request,
                steps,
                undertaken,
                answer,
                result,
            ), place in zip(RECORDS, PLACES, strict=True):
                record = DutyRecord(
                    received_at=at_hours_ago(hours + 24 * 7 * copy),
                    channel=channel,
                    category=category,
                    resident_name=name,
                    resident_contact=phone,
                    request=request,
                    place=place,
                    shift=shift,
                    undertaken=undertaken,
                    answer=answer,
                    result=result,
                )
                record._history_user = cadre_user
                record.save()
                for step in steps:
                    name, reason = step if isinstance(step, tuple) else (step, "")
                    perform(record, name, cadre_user, reason=reason)
                created += 1

    if not Inspection.objects.exists():
        last_month_end = month - datetime.timedelta(days=1)
        inspection = Inspection.objects.create(
            period_start=last_month_end.replace(day=1) - datetime.timedelta(days=60),
            period_end=today,
            findings="抽查记录填写完整，答复及时；个别记录缺少办理结果，需补全。",
        )
        inspection.sampled.set(DutyRecord.objects.order_by("pk")[:3])
        for cadre, rating in zip(
            cadres[:3], (Rating.GOOD, Rating.GOOD, Rating.ADEQUATE), strict=False
        ):
            InspectionRating.objects.create(
                inspection=inspection, cadre=cadre, rating=rating, comment=""
            )
        perform(inspection, "submit", supervisor)
        Inspection.objects.create(period_start=month, period_end=today, findings="（检查进行中）")
        # An earlier inspection the demo cadre, rated in it, has acknowledged.
        earlier = Inspection.objects.create(
            period_start=inspection.period_start - datetime.timedelta(days=90),
            period_end=inspection.period_start - datetime.timedelta(days=1),
            findings="值班记录基本完整，答复及时。",
        )
        InspectionRating.objects.create(
            inspection=earlier, cadre=cadre_user.person, rating=Rating.GOOD, comment="答复耐心"
        )
        perform(earlier, "submit", supervisor)
        perform(earlier, "acknowledge", cadre_user, reason="已阅，继续保持。")
        created += 3
    # After the demo's own (which it makes only while there is no inspection at all).
    created += _earlier_months(month, cadres, cadre_user, scale)
    created += _earlier_inspections(month, cadres, supervisor, scale)
    return created


def _months_before(month, count):
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def _earlier_months(month, cadres, cadre_user, scale):
    """``scale - 1`` earlier months' rosters, published, each with a shift reassigned by the
    roster keeper and a swap asked and withdrawn."""
    created = 0
    for copy in range(1, scale):
        roster, made = Roster.objects.get_or_create(month=_months_before(month, copy))
        if not made:
            continue
        turn = copy % len(cadres)
        _fill_roster(roster, cadres[turn:] + cadres[:turn], bulk=True)
        perform(roster, "publish", cadre_user)
        created += 1
        own = roster.shifts.filter(person=cadre_user.person).order_by("date").first()
        colleague = next((c for c in cadres if c.pk != cadre_user.person.pk), None)
        if own is not None and colleague is not None:
            swap = ShiftSwap.objects.create(
                shift=own, from_person=cadre_user.person, to_person=colleague, note="临时有事。"
            )
            perform(swap, "withdraw", cadre_user, reason="事情已解决，不用换班了。")
        moved = roster.shifts.exclude(person=cadre_user.person).order_by("-date").first()
        if moved is not None:
            perform(
                moved, "reassign", cadre_user, reason=REASSIGNMENT_REASON, person=cadre_user.person
            )
    return created


def _earlier_inspections(month, cadres, supervisor, scale):
    """``scale - 1`` inspections of earlier quarters, submitted and acknowledged, each
    sampling three records and rating the demo cadre."""
    created = 0
    for copy in range(1, scale):
        findings = f"第{copy + 1}次抽查：值班记录基本完整，答复及时。"
        if Inspection.objects.filter(findings=findings).exists():
            continue
        end = month - datetime.timedelta(days=90 * copy + 1)
        inspection = Inspection.objects.create(
            period_start=end - datetime.timedelta(days=89), period_end=end, findings=findings
        )
        inspection.sampled.set(DutyRecord.objects.order_by("pk")[3 * copy : 3 * copy + 3])
        for cadre, rating in zip(cadres[:2], (Rating.GOOD, Rating.ADEQUATE), strict=False):
            InspectionRating.objects.create(
                inspection=inspection, cadre=cadre, rating=rating, comment=""
            )
        perform(inspection, "submit", supervisor)
        created += 1
    return created
