"""How fast the duty record book answers in the admin with 100,000 records.

Fills ``duty.models.DutyRecord`` with fake but realistic records (three years of requests in
every category, channel and state, handled by a dozen cadres, the open ones partly overdue;
``bulk_create``, so without history: this measures the listing, not the recording), then
times pages of the cadres' record book through Django's test client, logged in as a
superuser, and prints the figures. It prints figures only: it never fails because something
is slow.

    make bench-duty                         # a throwaway SQLite database in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench make bench-duty
    .venv/bin/python benchmarks/duty_records.py --records 20000 --repeat 3

With DATABASE_URL the database must exist and hold no duty records yet; drop it afterwards.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RECORD_BOOK = "/admin/snippets/duty/dutyrecord/"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = ["秀英", "桂兰", "建国", "卫东", "晓梅", "国强", "丽华", "志刚", "海燕", "玉兰"]
REQUESTS = [
    "{n}号楼{u}单元楼道灯不亮，晚上上下楼很危险。",
    "{n}号楼前垃圾桶满溢，无人清运。",
    "{n}号楼电梯异响，请派人检查。",
    "楼上装修噪音影响休息，{n}号楼{u}单元。",
    "想办理老年人优待证，需要什么材料？",
    "小区东门有陌生人挨家敲门推销，{n}号楼。",
    "{n}号楼下水道堵塞，污水外溢。",
    "小区外道路坑洼，能否修补？",
]
CADRES = 12


def say(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records (100,000)")
    parser.add_argument("--batch", type=int, default=5_000, help="records per bulk_create")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (5)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument(
        "--explain", action="store_true", help="print each page's slowest query and its plan"
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


def cadres():
    from people.models import Person

    people = list(Person.objects.filter(is_cadre=True).order_by("pk")[:CADRES])
    for n in range(len(people), CADRES):
        people.append(
            Person.objects.create(
                name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
                is_cadre=True,
                phone=f"1370000{n:04d}",
            )
        )
    return people


def fill(total, batch_size, rng):
    """Bulk-insert ``total`` records, oldest first; return the seconds it took."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from duty.models import Category, Channel, DutyRecord, RecordState

    handlers = cadres()
    categories = list(Category.values)
    channels = list(Channel.values)
    end = timezone.now()
    start = end - timedelta(days=3 * 365)
    step = (end - start) / total
    # Old requests are closed; the last few hundred are still open, some of them overdue.
    still_open = min(total, 600)

    started = time.perf_counter()
    made = 0
    while made < total:
        count = min(batch_size, total - made)
        rows = []
        for i in range(count):
            n = made + i
            received = start + step * n + timedelta(seconds=rng.random())
            category = rng.choice(categories)
            due = received + timedelta(hours=settings.DUTY_RESPONSE_HOURS[category])
            if n >= total - still_open:
                state = rng.choice([RecordState.RECEIVED, RecordState.IN_PROGRESS])
            else:
                state = rng.choices([RecordState.RESOLVED, RecordState.REFERRED], weights=[85, 15])[
                    0
                ]
            closed = state in (RecordState.RESOLVED, RecordState.REFERRED)
            answered = received + timedelta(hours=rng.uniform(0.2, 80)) if closed else None
            text = rng.choice(REQUESTS).format(n=rng.randint(1, 24), u=rng.randint(1, 4))
            rows.append(
                DutyRecord(
                    received_at=received,
                    channel=rng.choice(channels),
                    category=category,
                    resident_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    resident_contact=f"13{rng.randint(0, 999_999_999):09d}",
                    request=text,
                    handled_by=None if state == RecordState.RECEIVED else rng.choice(handlers),
                    undertaken="上门查看，联系物业处理。" if closed else "",
                    answer="已安排处理，请留意电话回访。" if closed else "",
                    result="问题已解决。" if state == RecordState.RESOLVED else "",
                    state=state,
                    due_at=due,
                    answered_at=answered,
                    closed_at=answered,
                    inspected=closed and rng.random() < 0.05,
                )
            )
        with transaction.atomic():
            DutyRecord.objects.bulk_create(rows)
        made += count
        if made % (batch_size * 5) == 0 or made == total:
            say(f"  {made:>9,} records  {time.perf_counter() - started:6.1f} s")
    return time.perf_counter() - started


def analyse():
    from django.db import connection

    from duty.models import DutyRecord

    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(DutyRecord._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        return "VACUUM ANALYZE, as autovacuum does after a big insert"
    return "no ANALYZE: Django never runs it on SQLite"


def pages(total):
    from duty.wagtail_hooks import DutyRecordViewSet

    per_page = DutyRecordViewSet.list_per_page
    middle = max(1, total // per_page // 2)
    return [
        ("first page", ""),
        (f"middle page ({middle:,})", f"?p={middle}"),
        ("last page", f"?p={max(1, -(-total // per_page))}"),
        ("filtered: state=received", "?state=received"),
        ("filtered: state=resolved, page 100", "?state=resolved&p=100"),
        ("filtered: category=security", "?category=security"),
        ("search: a reference", "?q={reference}"),
    ]


def matched(query):
    from django.http import QueryDict

    from duty.models import DutyRecord

    params = QueryDict(query.lstrip("?"))
    filters = {key: params[key] for key in ("state", "category") if key in params}
    if "q" in params:
        filters["reference"] = params["q"]
    return DutyRecord.objects.filter(**filters).count()


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
        url = f"{RECORD_BOOK}{query}"
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
            }
        )
        if show_plans:
            say(
                f"\n{label}: slowest query {float(slowest['time']) * 1000:.1f} ms\n  {slowest['sql']}"
            )
            say(explain(connection, slowest["sql"]))
    return results


def print_table(results):
    header = (
        f"{'page':<36} {'matched':>9} {'median ms':>10} {'min':>7} {'max':>7} "
        f"{'queries':>7} {'SQL ms':>7} {'slowest':>7}"
    )
    say(header)
    say("-" * len(header))
    for row in results:
        say(
            f"{row['label']:<36} {row['matched']:>9,} {row['median']:>10.1f} {row['min']:>7.1f} "
            f"{row['max']:>7.1f} {row['queries']:>7} {row['sql_ms']:>7.1f} {row['slowest_ms']:>7.1f}"
        )
    say()
    say("SQL ms and slowest: the queries of one untimed request (all of them, the slowest one).")
    for row in results:
        say(f"  {row['label']:<36} {row['url']}")


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    given_url = os.environ.get("DATABASE_URL")
    tempdir = None
    if given_url:
        database_url = given_url
    else:
        tempdir = Path(tempfile.mkdtemp(prefix="cms-bench-duty-"))
        database_url = f"sqlite:///{tempdir / 'bench.sqlite3'}"
    try:
        set_up_django(database_url)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from duty.models import DutyRecord

        say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"migrate: {time.perf_counter() - started:.1f} s")
        if DutyRecord.objects.exists():
            raise SystemExit(
                "This database already holds duty records: the benchmark only fills an empty "
                "one. Create a fresh database for it (and drop it afterwards)."
            )
        say(f"filling {args.records:,} duty records in batches of {args.batch:,}...")
        fill_seconds = fill(args.records, args.batch, rng)
        analysis = analyse()
        total = DutyRecord.objects.count()
        admin, _created = get_user_model().objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )

        client = Client()
        client.force_login(admin)
        reference = DutyRecord.objects.order_by("pk").values_list("reference", flat=True)[
            total // 3
        ]
        page_list = [(label, query.format(reference=reference)) for label, query in pages(total)]
        results = time_pages(client, page_list, args.repeat, show_plans=args.explain)

        say()
        say(
            f"Duty record book, {total:,} records, {connection.vendor} ({analysis}); "
            f"settings {settings.SETTINGS_MODULE}"
        )
        say(f"fill: {fill_seconds:.1f} s ({total / fill_seconds:,.0f} records/s)")
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
