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
import random
import time
from datetime import timedelta

import harness
from harness import say

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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records (100,000)")
    parser.add_argument("--batch", type=int, default=5_000, help="records per bulk_create")
    harness.add_arguments(parser, repeat=5)
    return parser.parse_args()


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

    from duty.models import DutyRecord, DutyRecordState, RequestCategory, RequestChannel

    handlers = cadres()
    categories = list(RequestCategory.values)
    channels = list(RequestChannel.values)
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
                state = rng.choice([DutyRecordState.RECEIVED, DutyRecordState.IN_PROGRESS])
            else:
                state = rng.choices(
                    [DutyRecordState.RESOLVED, DutyRecordState.REFERRED], weights=[85, 15]
                )[0]
            closed = state in (DutyRecordState.RESOLVED, DutyRecordState.REFERRED)
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
                    handled_by=None if state == DutyRecordState.RECEIVED else rng.choice(handlers),
                    undertaken="上门查看，联系物业处理。" if closed else "",
                    answer="已安排处理，请留意电话回访。" if closed else "",
                    result="问题已解决。" if state == DutyRecordState.RESOLVED else "",
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
    from duty.models import DutyRecord

    return harness.analyse(DutyRecord._meta.db_table)


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


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with harness.database("duty", keep=args.keep):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from duty.models import DutyRecord

        harness.refuse_if_filled(DutyRecord.objects.exists(), "duty records")
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
        page_list = [
            (label, f"{RECORD_BOOK}{query.format(reference=reference)}")
            for label, query in pages(total)
        ]
        results = harness.time_pages(client, page_list, args.repeat, explain=args.explain)
        for row in results:
            row["matched"] = matched(row["url"].removeprefix(RECORD_BOOK))

        say()
        say(
            f"Duty record book, {total:,} records, {connection.vendor} ({analysis}); "
            f"settings {settings.SETTINGS_MODULE}"
        )
        say(f"fill: {fill_seconds:.1f} s ({total / fill_seconds:,.0f} records/s)")
        say(f"each page: the median of {args.repeat} requests, after one untimed request")
        say()
        harness.print_table(
            results,
            [harness.Column("matched", "matched", 9, ",d"), *harness.TIMES, harness.SLOWEST],
        )


if __name__ == "__main__":
    main()
