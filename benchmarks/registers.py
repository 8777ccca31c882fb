"""How fast the registers of the people side answer in the admin: 100,000 persons and a
million attendance rows.

Fills the register with fake but realistic rows: 100,000 persons (volunteers, resident
representatives, party members and a few hundred cadres, most of them in the register,
some moved away), a party-member record for each party member in the three categories
(registered 在册, in service 在职, migrant 流动; a few transferred out), three years of the
cadres' training and talks (some cadres short of days, some talks overdue, some follow-ups
open), and three years of organisation life: the branches' meetings of the four kinds with
their attendance, a million rows. It fills with ``bulk_create``, so without history rows:
this measures the listings, not the recording. Then it times pages of the admin through
Django's test client, logged in as a superuser, and prints the figures. It prints figures
only: it never fails because something is slow.

    make bench-registers                    # a throwaway SQLite database in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench_reg make bench-registers
    .venv/bin/python benchmarks/registers.py --persons 20000 --attendance 200000 --repeat 3

With DATABASE_URL the database must exist and hold no persons yet; drop it afterwards.
"""

import argparse
import datetime
import random
import time
from decimal import Decimal

import harness
from harness import say

PERSONS = "/admin/snippets/people/person/"
MEMBERS = "/admin/snippets/party/partymember/"
COMPLIANCE = "/admin/people/compliance/"
ATTENDANCE = "/admin/snippets/party/attendance/"
ATTENDANCE_REPORT = "/admin/party/attendance-report/"
PARTICIPATION = "/admin/party/participation/"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
GIVEN = "秀英桂兰建国卫东晓梅国强丽华志刚海燕玉兰文军红梅春生德明淑珍立新金凤学军慧敏永福雪芳"
BUILDINGS = 48
BRANCHES = [
    "第一党支部",
    "第二党支部",
    "第三党支部",
    "第四党支部",
    "离退休党支部",
    "流动党员党支部",
]
WORKPLACES = [
    ("区人民医院", "区人民医院党委"),
    ("市第三中学", "市第三中学党总支"),
    ("街道办事处", "街道党工委"),
    ("区税务局", "区税务局机关党委"),
    ("供电公司", "供电公司党委"),
]
HELD_AT = ["安徽省阜阳市某村党支部", "河南省周口市某村党支部", "四川省南充市某社区党委"]
COURSES = [
    ("political_theory", "学习贯彻党的创新理论专题培训", "区委党校"),
    ("laws", "基层治理法律法规培训", "区司法局"),
    ("community_construction", "社区建设与治理能力提升班", "街道党工委"),
    ("community_service", "社区服务标准化培训", "区民政局"),
    ("business", "社区工作者业务知识轮训", "区社区学院"),
]
CADRES = 600
COMMITTEE = 9
YEARS = 3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000, help="persons (100,000)")
    parser.add_argument(
        "--attendance", type=int, default=1_000_000, help="attendance rows (1,000,000; 0: none)"
    )
    parser.add_argument("--batch", type=int, default=10_000, help="rows per bulk_create")
    parser.add_argument(
        "--no-fill",
        action="store_true",
        help="time a database filled by an earlier run (with DATABASE_URL) instead of filling",
    )
    harness.add_arguments(parser, repeat=5)
    return parser.parse_args()


def name(rng):
    given = rng.randrange(len(GIVEN) // 2)
    return rng.choice(SURNAMES) + GIVEN[2 * given : 2 * given + 2]


def bulk(model, rows, batch_size):
    from django.db import transaction

    for start in range(0, len(rows), batch_size):
        with transaction.atomic():
            model.objects.bulk_create(rows[start : start + batch_size])


def fill_persons(total, batch_size, rng):
    """Persons, their party-member records, the cadres' training and talks; returns what
    was made, in counts."""
    from django.utils import timezone

    from party.models import PartyMember, PartyMemberState
    from people.models import FollowUpState, PartyStatus, Person, Talk, Training

    categories = [PartyStatus.REGISTERED, PartyStatus.IN_SERVICE, PartyStatus.MIGRANT]
    rows, category_of = [], {}
    for n in range(total):
        cadre = n < CADRES
        member = cadre or rng.random() < 0.18
        # A few members were transferred out: no longer party members of the register.
        transferred = member and not cadre and rng.random() < 0.03
        representative = rng.random() < 0.08
        volunteer = rng.random() < 0.55 or not (cadre or member or representative)
        person = Person(
            name=name(rng),
            is_cadre=cadre,
            is_party_member=member and not transferred,
            is_representative=representative,
            is_volunteer=volunteer,
            building=f"{rng.randint(1, BUILDINGS)}号楼",
            unit=f"{rng.randint(1, 4)}单元",
            phone=f"13{rng.randint(0, 999_999_999):09d}",
            is_active=cadre or rng.random() < 0.95,
        )
        rows.append(person)
        if member:
            category_of[id(person)] = (
                rng.choices(categories, weights=[60, 30, 10])[0],
                transferred,
            )
    # Not in name order, as a register typed in over the years is.
    rng.shuffle(rows)
    bulk(Person, rows, batch_size)
    say(f"  {total:,} persons")

    this_year = timezone.localdate().year
    numbered = {}
    records = []
    for person in rows:
        if id(person) not in category_of:
            continue
        pk, (category, transferred) = person.pk, category_of[id(person)]
        joined = datetime.date(rng.randint(1975, this_year - 1), rng.randint(1, 12), 1)
        card_year = max(joined.year, this_year - 7)
        numbered[card_year] = numbered.get(card_year, 0) + 1
        workplace, organisation = rng.choice(WORKPLACES)
        records.append(
            PartyMember(
                person_id=pk,
                category=category,
                branch=(
                    BRANCHES[-1] if category == PartyStatus.MIGRANT else rng.choice(BRANCHES[:-1])
                ),
                joined_on=joined,
                workplace=workplace if category == PartyStatus.IN_SERVICE else "",
                workplace_organisation=(organisation if category == PartyStatus.IN_SERVICE else ""),
                contact_hours="周六上午" if category == PartyStatus.IN_SERVICE else "",
                relation_held_at=rng.choice(HELD_AT) if category == PartyStatus.MIGRANT else "",
                here_since=(
                    datetime.date(rng.randint(this_year - 6, this_year), rng.randint(1, 12), 1)
                    if category == PartyStatus.MIGRANT
                    else None
                ),
                card_number=f"{card_year}-{numbered[card_year]:05d}",
                state=PartyMemberState.TRANSFERRED_OUT if transferred else PartyMemberState.ACTIVE,
                transferred_out_to="外区党组织" if transferred else "",
                transferred_out_on=datetime.date(this_year, 1, 15) if transferred else None,
            )
        )
    bulk(PartyMember, records, batch_size)
    say(f"  {len(records):,} party members")

    cadres = list(Person.objects.filter(is_cadre=True).order_by("pk").values_list("pk", flat=True))
    committee = cadres[:COMMITTEE]
    today = timezone.localdate()
    trainings, talks = [], []
    for index, pk in enumerate(cadres):
        # A quarter of the cadres fall short of ten days; a sixth are due a talk.
        short = index % 4 == 0
        for year in range(this_year - YEARS + 1, this_year + 1):
            days_left = Decimal(rng.choice([4, 6, 8]) if short else rng.choice([10, 12, 15]))
            while days_left > 0:
                subject, title, provider = rng.choice(COURSES)
                days = min(days_left, Decimal(rng.choice([1, 2, 3, 5])))
                start = datetime.date(year, rng.randint(1, 11), rng.randint(1, 25))
                trainings.append(
                    Training(
                        person_id=pk,
                        subject=subject,
                        title=title,
                        provider=provider,
                        start_date=start,
                        end_date=start + datetime.timedelta(days=int(days) + 1),
                        days=days,
                        certificate=f"PX{year}{len(trainings):06d}" if rng.random() < 0.4 else "",
                    )
                )
                days_left -= days
        overdue = index % 6 == 0
        last = today - datetime.timedelta(
            days=rng.randint(200, 400) if overdue else rng.randint(5, 170)
        )
        for back in range(YEARS * 2):
            date = last - datetime.timedelta(days=back * 180)
            open_follow_up = back == 0 and rng.random() < 0.2
            talks.append(
                Talk(
                    committee_member_id=committee[(index + 1) % COMMITTEE]
                    if committee[(index + 1) % COMMITTEE] != pk
                    else committee[(index + 2) % COMMITTEE],
                    cadre_id=pk,
                    date=date,
                    topics="工作作风、群众反映的问题",
                    problems="入户走访次数偏少" if rng.random() < 0.5 else "",
                    follow_up="制定走访计划，每月汇报",
                    follow_up_state=FollowUpState.OPEN if open_follow_up else FollowUpState.DONE,
                    done_at=None if open_follow_up else timezone.now(),
                )
            )
    bulk(Training, trainings, batch_size)
    bulk(Talk, talks, batch_size)
    say(f"  {len(trainings):,} training records, {len(talks):,} talks")
    return {"members": len(records), "training": len(trainings), "talks": len(talks)}


def fill_attendance(total, batch_size, rng):
    """Organisation life, from this month back until ``total`` attendance rows: each branch
    holds a committee meeting and its party groups (about 30 members each) a group meeting
    every month, a general meeting and a party lesson every quarter; in-service and migrant
    members of other branches are invited to the general meetings and lessons. A few members
    are often absent without leave. Meetings later this month are still planned."""
    from django.utils import timezone

    from party.models import (
        REPORTING_CATEGORIES,
        Attendance,
        AttendanceStatus,
        Meeting,
        MeetingKind,
        MeetingState,
        PartyMember,
    )

    members = list(
        PartyMember.objects.active().order_by("pk").values_list("pk", "branch", "category")
    )
    branches = {}
    for pk, branch, _category in members:
        branches.setdefault(branch, []).append(pk)
    guests = [(pk, branch) for pk, branch, category in members if category in REPORTING_CATEGORIES]
    truant = {pk for pk, _branch, _category in members if rng.random() < 0.03}
    statuses = [AttendanceStatus.PRESENT, AttendanceStatus.ON_LEAVE, AttendanceStatus.ABSENT]
    leave_reasons = ["出差", "生病住院", "照顾家人", "单位加班"]
    topics = {
        MeetingKind.GENERAL: "学习传达上级精神，讨论支部工作",
        MeetingKind.COMMITTEE: "研究本月支部工作安排",
        MeetingKind.GROUP: "组织学习，交流思想",
        MeetingKind.LESSON: "专题党课：{year}年学习重点",
    }
    today = timezone.localdate()

    def roll(meeting, pks, invited=()):
        for pk in pks:
            weights = [55, 10, 35] if pk in truant else [90, 7, 3]
            status = rng.choices(statuses, weights=weights)[0]
            yield Attendance(
                meeting=meeting,
                member_id=pk,
                status=status,
                reason=rng.choice(leave_reasons) if status == AttendanceStatus.ON_LEAVE else "",
                date=meeting.date,
                kind=meeting.kind,
            )
        for pk in invited:
            yield Attendance(
                meeting=meeting,
                member_id=pk,
                status=AttendanceStatus.PRESENT,
                invited=True,
                date=meeting.date,
                kind=meeting.kind,
            )

    def meeting(kind, branch, date):
        return Meeting(
            kind=kind,
            branch=branch,
            date=date,
            topic=topics[kind].format(year=date.year),
            place="社区党群服务中心",
            state=MeetingState.HELD if date <= today else MeetingState.PLANNED,
        )

    made = meetings_made = 0
    pending = []
    started = time.perf_counter()
    year, month = today.year, today.month
    while made < total:
        plan = []  # (meeting, members on its roll, invited)
        for branch, pks in branches.items():
            plan.append(
                (meeting(MeetingKind.COMMITTEE, branch, datetime.date(year, month, 5)), pks[:7], ())
            )
            for group, start in enumerate(range(0, len(pks), 30)):
                date = datetime.date(year, month, 10 + group % 10)
                plan.append((meeting(MeetingKind.GROUP, branch, date), pks[start : start + 30], ()))
            if month % 3 == 0:
                others = [pk for pk, where in guests if where != branch]
                for kind, day in ((MeetingKind.GENERAL, 20), (MeetingKind.LESSON, 25)):
                    invited = rng.sample(others, min(3, len(others)))
                    plan.append(
                        (meeting(kind, branch, datetime.date(year, month, day)), pks, invited)
                    )
        Meeting.objects.bulk_create([item[0] for item in plan], batch_size=batch_size)
        meetings_made += len(plan)
        for item, on_roll, invited in plan:
            if item.state != MeetingState.HELD or made >= total:
                continue
            rows = list(roll(item, on_roll, invited))
            pending.extend(rows)
            made += len(rows)
            if len(pending) >= batch_size:
                bulk(Attendance, pending, batch_size)
                pending = []
        if month == 1 or made >= total:
            say(f"  {made:>9,} attendance rows  {time.perf_counter() - started:6.1f} s")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    bulk(Attendance, pending, batch_size)
    return {"meetings": meetings_made, "attendance": made}


def analyse(*models):
    return harness.analyse(*(model._meta.db_table for model in models))


def person_pages(total, members):
    from party.models import PartyMember
    from people.models import Person

    # The viewset Wagtail registered for each model (``register_snippet`` sets it).
    per_page = Person.snippet_viewset.list_per_page
    middle = max(1, total // per_page // 2)
    members_middle = max(1, members // PartyMember.snippet_viewset.list_per_page // 2)
    return [
        ("persons: first page", PERSONS),
        (f"persons: middle page ({middle:,})", f"{PERSONS}?p={middle}"),
        ("persons: last page", f"{PERSONS}?p={max(1, -(-total // per_page))}"),
        ("persons: search 卫东", f"{PERSONS}?q=卫东"),
        ("persons: search 王卫东, page 2", f"{PERSONS}?q=王卫东&p=2"),
        ("persons: cadres", f"{PERSONS}?is_cadre=true"),
        ("persons: representatives, page 20", f"{PERSONS}?is_representative=true&p=20"),
        ("persons: party members, migrant", f"{PERSONS}?party_category=migrant"),
        ("party members: first page", MEMBERS),
        (f"party members: middle page ({members_middle:,})", f"{MEMBERS}?p={members_middle}"),
        ("party members: in service", f"{MEMBERS}?category=in_service"),
        ("party members: migrant, active", f"{MEMBERS}?category=migrant&state=active"),
        ("party members: search 卫东", f"{MEMBERS}?q=卫东"),
    ]


def attendance_pages(total):
    from django.db.models import Count
    from django.utils import timezone

    from party.models import Attendance, AttendanceStatus

    per_page = Attendance.snippet_viewset.list_per_page
    deep = max(1, total // per_page // 2)
    last_year = timezone.localdate().year - 1
    member = (
        Attendance.objects.values("member")
        .annotate(n=Count("pk"))
        .order_by("-n", "member")
        .values_list("member", flat=True)
        .first()
    )
    return [
        ("attendance: first page", ATTENDANCE),
        (f"attendance: deep page ({deep:,})", f"{ATTENDANCE}?p={deep}"),
        (f"attendance: year {last_year}", f"{ATTENDANCE}?year={last_year}"),
        (f"attendance: year {last_year}, page 500", f"{ATTENDANCE}?year={last_year}&p=500"),
        ("attendance: one member", f"{ATTENDANCE}?member={member}"),
        ("attendance: absent", f"{ATTENDANCE}?status={AttendanceStatus.ABSENT}"),
        (
            f"attendance: on leave, {last_year}",
            f"{ATTENDANCE}?status={AttendanceStatus.ON_LEAVE}&year={last_year}",
        ),
        ("attendance: invited", f"{ATTENDANCE}?invited=true"),
        (f"attendance report {last_year}", f"{ATTENDANCE_REPORT}?year={last_year}"),
        (f"participation report {last_year}", f"{PARTICIPATION}?year={last_year}"),
    ]


def matched(url):
    """How many rows the page's filters select (what its paginator counts)."""
    from django.http import QueryDict

    from party.models import PartyMember
    from people.models import Person

    path, _, query = url.partition("?")
    params = QueryDict(query)
    if path == PERSONS:
        rows = Person.objects.all()
        for role in Person.ROLE_FIELDS:
            if params.get(role) == "true":
                rows = rows.filter(**{role: True})
        if "party_category" in params:
            rows = rows.filter(party_member__category=params["party_category"])
        if "q" in params:
            rows = rows.filter(name__icontains=params["q"]) | rows.filter(
                building__icontains=params["q"]
            )
        return rows.count()
    if path == ATTENDANCE:
        from party.filters import AttendanceFilterSet
        from party.models import Attendance

        return AttendanceFilterSet(params, queryset=Attendance.objects.all()).qs.count()
    if path == MEMBERS:
        rows = PartyMember.objects.all()
        for key in ("category", "state"):
            if key in params:
                rows = rows.filter(**{key: params[key]})
        if "q" in params:
            rows = rows.filter(person__name__icontains=params["q"])
        return rows.count()
    return None


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with harness.database("registers", keep=args.keep) as given:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from party.models import Attendance, Meeting, PartyMember
        from people.models import Person, Talk, Training

        fills = []
        if args.no_fill:
            if not given or not Person.objects.exists():
                raise SystemExit("--no-fill times a DATABASE_URL filled by an earlier run.")
        else:
            harness.refuse_if_filled(Person.objects.exists(), "persons")
            say(f"filling {args.persons:,} persons in batches of {args.batch:,}...")
            started = time.perf_counter()
            fill_persons(args.persons, args.batch, rng)
            fills.append(("persons", time.perf_counter() - started, args.persons))
            if args.attendance:
                say(f"filling {args.attendance:,} attendance rows...")
                started = time.perf_counter()
                made = fill_attendance(args.attendance, args.batch, rng)
                fills.append(("attendance rows", time.perf_counter() - started, made["attendance"]))
        analysis = analyse(Person, PartyMember, Training, Talk, Meeting, Attendance)
        persons, members = Person.objects.count(), PartyMember.objects.count()
        attendance = Attendance.objects.count()
        admin, _created = get_user_model().objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(admin)

        page_list = person_pages(persons, members)
        if attendance:
            page_list += attendance_pages(attendance)
        page_list.append(("compliance dashboard", COMPLIANCE))
        # The admin's front page: its panel counts each list of the dashboard.
        page_list.append(("admin dashboard (its compliance panel)", "/admin/"))
        results = harness.time_pages(client, page_list, args.repeat, explain=args.explain)
        for row in results:
            count = matched(row["url"])
            row["matched"] = "" if count is None else f"{count:,}"

        say()
        say(
            f"Registers: {persons:,} persons, {members:,} party members, "
            f"{Training.objects.count():,} training records, {Talk.objects.count():,} talks, "
            f"{Meeting.objects.count():,} meetings, {attendance:,} attendance rows"
        )
        say(f"{connection.vendor} ({analysis}); settings {settings.SETTINGS_MODULE}")
        for what, seconds, count in fills:
            say(f"fill {what}: {seconds:.1f} s ({count / seconds:,.0f} a second)")
        say(f"each page: the median of {args.repeat} requests, after one untimed request")
        say()
        harness.print_table(
            results,
            [harness.Column("matched", "matched", 10, ""), *harness.TIMES, harness.SLOWEST],
            label_width=38,
        )


if __name__ == "__main__":
    main()
