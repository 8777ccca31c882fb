"""How fast the supervisors' history centre answers with a million history rows.

Fills ``audit.models.AuditEntry`` with fake but realistic rows (about 30 users, every kind of
audited record and page, every action, two years of timestamps, records named in Chinese;
the hashes are random: this measures listing, not the chain), then times pages of the history
centre through Django's test client, logged in as a superuser, and prints the figures.
It prints figures only: it never fails because something is slow.

    make bench-history                      # a throwaway SQLite database in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench make bench-history
    .venv/bin/python benchmarks/history_centre.py --rows 100000 --repeat 3

With DATABASE_URL the database must exist and hold no history yet (the benchmark refuses
to add a million fake entries to a real one); drop it afterwards. The history tables refuse
DELETE on PostgreSQL, so the rows cannot be removed one by one anyway.
"""

import argparse
import random
import time
from datetime import timedelta

import harness
from harness import say

HISTORY_CENTRE = "/admin/history/"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = [
    "秀英",
    "桂兰",
    "建国",
    "卫东",
    "晓梅",
    "国强",
    "丽华",
    "志刚",
    "海燕",
    "玉兰",
    "文军",
    "红梅",
]
PLACES = ["幸福里", "和平苑", "康乐小区", "春晖园", "东湖新村", "梧桐里"]
MATTERS = [
    "停车位登记",
    "垃圾分类",
    "加装电梯",
    "物业服务",
    "老年助餐",
    "绿化改造",
    "楼道照明",
    "雨污分流",
    "快递柜设置",
    "健身器材更新",
]
TITLES = [
    "关于{place}{matter}的通知",
    "{place}{matter}听证会",
    "{matter}征求意见",
    "第{n}季度情况通报：{matter}",
    "{place}{matter}议事记录",
]
REASONS = [
    "居民来电反映，更正联系方式",
    "根据居民代表会议决议修改",
    "录入错误，予以更正",
    "按街道要求补充材料",
    "值班巡查发现问题，及时处理",
]
DETAILS = {
    "transition": [
        "wagtail.publish",
        "wagtail.unpublish",
        "wagtail.workflow.start",
        "wagtail.workflow.approve",
        "wagtail.workflow.reject",
        "open",
        "close",
        "publish_results",
        "approve",
        "resolve",
    ],
    "changed": ["", "", "", "wagtail.edit"],
}
# How often each action happens, roughly.
ACTION_WEIGHTS = {
    "changed": 55,
    "created": 20,
    "transition": 15,
    "deleted": 7,
    "restored": 3,
}
USERNAMES = [
    "admin",
    "editor",
    "moderator",
    "clerk",
    "cadre",
    "supervisor",
    *(f"bench{i:02d}" for i in range(1, 25)),
]
OBJECTS_PER_TYPE = 20_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="history rows (1,000,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per bulk_create")
    parser.add_argument(
        "--no-fill",
        action="store_true",
        help="time a database filled by an earlier run (with DATABASE_URL) instead of filling",
    )
    harness.add_arguments(parser, repeat=5)
    return parser.parse_args()


def record_types():
    """Every kind of record the timeline holds (audited models and page types)."""
    from audit.filters import recorded_types

    return list(recorded_types())


def make_names(rng, content_type, count):
    model = content_type.model_class()
    names = []
    for n in range(1, count + 1):
        if model is not None and model._meta.model_name == "person":
            names.append(rng.choice(SURNAMES) + rng.choice(GIVEN))
        else:
            names.append(
                rng.choice(TITLES).format(
                    place=rng.choice(PLACES), matter=rng.choice(MATTERS), n=n % 4 + 1
                )
            )
    return names


def users():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    made = []
    for username in USERNAMES:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": username == "admin", "is_superuser": username == "admin"},
        )
        made.append(user)
    return made


def fill(total, batch_size, rng):
    """Bulk-insert ``total`` entries, oldest first; return (seconds, users, types)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from audit.models import AuditEntry

    people = users()
    types = record_types()
    names = {ct.pk: make_names(rng, ct, OBJECTS_PER_TYPE) for ct in types}
    # The source rows stand for history rows and log entries; only their uniqueness matters.
    source_type = ContentType.objects.get_for_model(AuditEntry)
    actions = list(ACTION_WEIGHTS)
    weights = list(ACTION_WEIGHTS.values())
    # Busier users write more: a few do most of the work, as in a real office.
    user_weights = [30 if i < 6 else rng.randint(1, 8) for i in range(len(people))]
    type_weights = [rng.randint(1, 10) for _ in types]

    end = timezone.now()
    start = end - timedelta(days=730)
    step = (end - start) / total
    hexdigits = "%064x"

    started = time.perf_counter()
    made = 0
    while made < total:
        count = min(batch_size, total - made)
        chosen_users = rng.choices(people, weights=user_weights, k=count)
        chosen_types = rng.choices(types, weights=type_weights, k=count)
        chosen_actions = rng.choices(actions, weights=weights, k=count)
        rows = []
        for i in range(count):
            n = made + i
            action = chosen_actions[i]
            content_type = chosen_types[i]
            user = chosen_users[i]
            object_number = rng.randrange(OBJECTS_PER_TYPE)
            system = rng.random() < 0.03  # a few changes are made by commands, no user
            rows.append(
                AuditEntry(
                    timestamp=start + step * n + timedelta(seconds=rng.random()),
                    user_id=None if system else user.pk,
                    username="" if system else user.username,
                    action=action,
                    detail=rng.choice(DETAILS.get(action, [""])),
                    content_type=content_type,
                    object_id=str(object_number + 1),
                    object_repr=names[content_type.pk][object_number],
                    reason=rng.choice(REASONS) if rng.random() < 0.12 else "",
                    source_type=source_type,
                    source_id=n + 1,
                    prev_hash=hexdigits % rng.getrandbits(256),
                    hash=hexdigits % rng.getrandbits(256),
                )
            )
        with transaction.atomic():
            AuditEntry.objects.bulk_create(rows)
        made += count
        if made % (batch_size * 20) == 0 or made == total:
            elapsed = time.perf_counter() - started
            say(f"  {made:>9,} rows  {elapsed:6.1f} s")
    return time.perf_counter() - started, people, types


def analyse():
    from audit.models import AuditEntry

    return harness.analyse(AuditEntry._meta.db_table)


def pages(people, types, total):
    """The history centre's pages to time: (label, query string)."""
    from django.utils import timezone

    from audit.models import AuditEntry
    from audit.views import HistoryCentreViewSet

    editor = next(user for user in people if user.username == "editor")
    quiet = next(user for user in people if user.username == "bench07")
    middle = max(1, total // HistoryCentreViewSet.list_per_page // 2)
    content_type = types[0]
    object_id = (
        AuditEntry.objects.filter(content_type=content_type)
        .values_list("object_id", flat=True)
        .first()
    )
    month_start = (timezone.localdate() - timedelta(days=365)).replace(day=1)
    month_end = (month_start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return [
        ("first page", ""),
        (f"middle page ({middle:,})", f"?p={middle}"),
        ("filtered: changed by editor", f"?action=changed&user={editor.pk}"),
        ("filtered: deleted by a quiet user", f"?action=deleted&user={quiet.pk}"),
        (
            "filtered: one month",
            f"?timestamp_from={month_start:%Y-%m-%d}&timestamp_to={month_end:%Y-%m-%d}",
        ),
        (
            "filtered: one type, one month",
            f"?content_type={content_type.pk}"
            f"&timestamp_from={month_start:%Y-%m-%d}&timestamp_to={month_end:%Y-%m-%d}",
        ),
        ("text search: 加装电梯 (common)", "?q=加装电梯"),
        ("text search: 王秀英 (a name)", "?q=王秀英"),
        ("text search: 电梯 (2 characters)", "?q=电梯"),
        ("text search: no match", "?q=不存在的词语"),
        (
            "one record's timeline",
            f"?content_type={content_type.pk}&object_id={object_id}",
        ),
    ]


def matched(query):
    """How many entries the page's filters select (what its paginator counts)."""
    from django.http import QueryDict

    from audit.filters import AuditEntryFilterSet
    from audit.models import AuditEntry

    filters = AuditEntryFilterSet(QueryDict(query.lstrip("?")), queryset=AuditEntry.objects.all())
    return filters.qs.count()


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with harness.database("history", keep=args.keep) as given:
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from audit.models import AuditEntry

        if args.no_fill:
            if not given or not AuditEntry.objects.exists():
                raise SystemExit("--no-fill times a DATABASE_URL filled by an earlier run.")
            fill_seconds, people, types = None, users(), record_types()
        else:
            harness.refuse_if_filled(AuditEntry.objects.exists(), "history")
            say(f"filling {args.rows:,} history rows in batches of {args.batch:,}...")
            fill_seconds, people, types = fill(args.rows, args.batch, rng)
        analysis = analyse()
        total = AuditEntry.objects.count()
        admin = next(user for user in people if user.username == "admin")

        client = Client()
        client.force_login(admin)
        page_list = [
            (label, f"{HISTORY_CENTRE}{query}") for label, query in pages(people, types, total)
        ]
        results = harness.time_pages(client, page_list, args.repeat, explain=args.explain)
        for row in results:
            row["matched"] = matched(row["url"].removeprefix(HISTORY_CENTRE))

        say()
        say(
            f"History centre, {total:,} rows, {len(people)} users, {len(types)} types of record, "
            f"{connection.vendor} ({analysis}); settings {settings.SETTINGS_MODULE}"
        )
        if fill_seconds is not None:
            say(f"fill: {fill_seconds:.1f} s ({total / fill_seconds:,.0f} rows/s)")
        say(f"each page: the median of {args.repeat} requests, after one untimed request")
        say()
        harness.print_table(
            results,
            [harness.Column("rows matched", "matched", 12, ",d"), *harness.TIMES, harness.SLOWEST],
            label_width=34,
        )


if __name__ == "__main__":
    main()
