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
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

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


def say(text=""):
    """Print a line at once (a long fill reports its progress as it goes)."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="history rows (1,000,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per bulk_create")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (5)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument(
        "--explain", action="store_true", help="print each page's slowest query and its plan"
    )
    parser.add_argument(
        "--no-fill",
        action="store_true",
        help="time a database filled by an earlier run (with DATABASE_URL) instead of filling",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary SQLite database (prints its path)"
    )
    return parser.parse_args()


def set_up_django(database_url):
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:
        # DEBUG keeps every query in memory and slows every request: not what we measure.
        settings.DEBUG = False


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
    """Bring the planner's statistics and visibility map to where autovacuum would."""
    from django.db import connection

    from audit.models import AuditEntry

    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        return "VACUUM ANALYZE, as autovacuum does after a big insert"
    return "no ANALYZE: Django never runs it on SQLite"


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


def explain(connection, sql):
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join("    " + " ".join(str(part) for part in row) for row in cursor.fetchall())


def time_pages(client, page_list, repeat, show_plans=False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for label, query in page_list:
        url = f"/admin/history/{query}"
        # One untimed request first (templates compiled, caches warm), its queries recorded.
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries = list(captured.captured_queries)
        slowest = max(queries, key=lambda q: float(q["time"]))
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        results.append(
            {
                "label": label,
                "url": url,
                "matched": matched(query),
                "median": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "queries": len(queries),
                "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
                "slowest_ms": float(slowest["time"]) * 1000,
                "slowest_sql": slowest["sql"],
            }
        )
        if show_plans:
            say(
                f"\n{label}: slowest query {float(slowest['time']) * 1000:.1f} ms\n  {slowest['sql']}"
            )
            say(explain(connection, slowest["sql"]))
    return results


def pad(text, width):
    """``text`` left-aligned in ``width`` columns of a terminal (Chinese takes two each)."""
    shown = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - shown)


def print_table(results):
    header = (
        f"{'page':<34} {'rows matched':>12} {'median ms':>10} {'min':>7} {'max':>7} "
        f"{'queries':>7} {'SQL ms':>7} {'slowest':>7}"
    )
    say(header)
    say("-" * len(header))
    for row in results:
        say(
            f"{pad(row['label'], 34)} {row['matched']:>12,} {row['median']:>10.1f} {row['min']:>7.1f} "
            f"{row['max']:>7.1f} {row['queries']:>7} {row['sql_ms']:>7.1f} {row['slowest_ms']:>7.1f}"
        )
    say()
    say("SQL ms and slowest: the queries of one untimed request (all of them, the slowest one).")
    for row in results:
        say(f"  {pad(row['label'], 34)} {row['url']}")


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    given_url = os.environ.get("DATABASE_URL")
    tempdir = None
    if given_url:
        database_url = given_url
    else:
        tempdir = Path(tempfile.mkdtemp(prefix="cms-bench-history-"))
        database_url = f"sqlite:///{tempdir / 'bench.sqlite3'}"
    try:
        set_up_django(database_url)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from audit.models import AuditEntry

        say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"migrate: {time.perf_counter() - started:.1f} s")
        if args.no_fill:
            if not given_url or not AuditEntry.objects.exists():
                raise SystemExit("--no-fill times a DATABASE_URL filled by an earlier run.")
            fill_seconds, people, types = None, users(), record_types()
        else:
            if AuditEntry.objects.exists():
                raise SystemExit(
                    "This database already holds history: the benchmark only fills an empty "
                    "one. Create a fresh database for it (and drop it afterwards)."
                )
            say(f"filling {args.rows:,} history rows in batches of {args.batch:,}...")
            fill_seconds, people, types = fill(args.rows, args.batch, rng)
        analysis = analyse()
        total = AuditEntry.objects.count()
        admin = next(user for user in people if user.username == "admin")

        client = Client()
        client.force_login(admin)
        page_list = pages(people, types, total)
        results = time_pages(client, page_list, args.repeat, show_plans=args.explain)

        say()
        say(
            f"History centre, {total:,} rows, {len(people)} users, {len(types)} types of record, "
            f"{connection.vendor} ({analysis}); settings {settings.SETTINGS_MODULE}"
        )
        if fill_seconds is not None:
            say(f"fill: {fill_seconds:.1f} s ({total / fill_seconds:,.0f} rows/s)")
        say(f"each page: the median of {args.repeat} requests, after one untimed request")
        say()
        print_table(results)
    finally:
        if tempdir is not None:
            if args.keep:
                say(f"\nkept {tempdir}")
            else:
                shutil.rmtree(tempdir, ignore_errors=True)


if __name__ == "__main__":
    main()
