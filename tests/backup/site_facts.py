"""Run in a process of the site (``python -m tests.backup.site_facts seed|read``, with the
database and media folder in its environment): ``seed`` loads the demo and uploads a document,
``read`` only reads. Both print, as JSON on the last line, what the round trip compares: the
rows of every model (counted through the ORM, not as the backup command counts them), sample
rows in full, and the head of the audit chain.
"""

import io
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
django.setup()

from django.apps import apps  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402

from wagtail.documents import get_document_model  # noqa: E402

from audit.heads import current_head  # noqa: E402

DOCUMENT_TITLE = "2026年第四季度居民代表会议纪要（扫描件）"


def seed():
    call_command("seed_demo", force=True, stdout=io.StringIO())
    with open(os.environ["UPLOAD_FILE"], "rb") as upload:
        content = upload.read()
    get_document_model().objects.create(
        title=DOCUMENT_TITLE, file=ContentFile(content, name="minutes-2026-q4.pdf")
    )


def facts():
    counts = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    blog_page = apps.get_model("blog", "BlogPage")
    person = apps.get_model("people", "Person")
    motion = apps.get_model("votes", "Motion")
    pages = [
        [page.pk, page.title, page.url_path, json.dumps(list(page.body.raw_data), sort_keys=True)]
        for page in blog_page.objects.order_by("pk")
    ]
    people = list(person.objects.order_by("pk").values_list("pk", "name", "phone", "building"))
    ballots = dict(
        motion.objects.annotate(n=Count("ballots")).order_by("pk").values_list("pk", "n")
    )
    person_history = [
        [row.history_id, row.history_type, row.phone, str(row.history_date)]
        for row in person.history.model.objects.order_by("history_id")
    ]
    document = get_document_model().objects.get(title=DOCUMENT_TITLE)
    head = current_head()
    return {
        "counts": counts,
        "pages": pages,
        "people": people,
        "ballots": {str(pk): n for pk, n in ballots.items()},
        "person_history": person_history,
        "document": document.file.name,
        "head": [head.pk, head.hash] if head else None,
    }


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed()
    print(json.dumps(facts(), ensure_ascii=False, default=str))  # noqa: T201
