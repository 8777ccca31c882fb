"""Background work in production: a task is a row of the database until `manage.py
db_worker` runs it, outside the request that queued it.

The worker runs in this process, on the suite's database (SQLite or PostgreSQL), with the
TASKS setting production has.
"""

import pytest
from django_tasks_db.models import DBTaskResult

from django.core import mail
from django.core.management import call_command

from wagtail.models import Page

from blog.factories import BlogPageFactory
from duty.factories import DutyRecordFactory
from duty.notify import notify_new_request

# The worker commits as it claims and finishes each task, as it does in production; the data
# the migrations wrote (the site, its root page, the roles) is put back for later tests.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OFFICE = "office@community.example.org"


@pytest.fixture(autouse=True)
def production_tasks(settings, production_defaults):
    settings.TASKS = production_defaults["TASKS"]
    settings.DUTY_OFFICE_EMAIL = OFFICE


def run_worker():
    """`manage.py db_worker --batch`: run every task waiting, then stop."""
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def test_production_queues_tasks_in_the_database(production_defaults):
    assert production_defaults["TASKS"] == {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    assert "django_tasks_db" in production_defaults["INSTALLED_APPS"]


@committed
def test_a_duty_notification_waits_in_the_database_until_the_worker_sends_it():
    record = DutyRecordFactory()

    result = notify_new_request.enqueue(record.pk)

    (queued,) = DBTaskResult.objects.filter(task_path="duty.notify.notify_new_request")
    assert str(queued.pk) == result.id
    assert queued.status == "READY"
    assert queued.args_kwargs == {"args": [record.pk], "kwargs": {}}
    assert mail.outbox == []

    run_worker()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == 1
    (email,) = mail.outbox
    assert email.to == [OFFICE]
    assert record.reference in email.subject


@committed
@pytest.mark.search_index
def test_a_published_page_is_found_by_search_once_the_worker_has_indexed_it():
    page = BlogPageFactory(title="Zephyrine meadow", introduction="A walk by the river.")

    indexing = DBTaskResult.objects.filter(
        task_path="modelsearch.tasks.insert_or_update_object_task",
        args_kwargs__args__2=str(page.pk),
    )
    assert indexing.exists()
    assert list(Page.objects.live().search("Zephyrine")) == []

    run_worker()

    assert set(indexing.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert [found.pk for found in Page.objects.live().search("Zephyrine")] == [page.pk]
    assert not DBTaskResult.objects.ready().exists()
