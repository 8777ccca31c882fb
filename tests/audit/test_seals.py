"""More of the record inside the chain: page revisions (content and author) and many-to-many
history (an inspection's sampled records) are covered, so that a change, a deletion or an
insertion behind the site's back is named by ``verify_audit``; a deleted page's revisions
stay readable in the History centre; a restore brings a record back with its children.

Runs on SQLite and on PostgreSQL (where the tampering lifts the append-only triggers first,
as whoever owns the tables could)."""

import pytest

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from wagtail.models import PageLogEntry, Revision

from audit import seals
from audit.chain import verify
from audit.history import restore_from_history
from audit.models import Action, AuditEntry, Seal
from audit.registry import history_model, history_models, m2m_history_models
from audit.revisions import LABEL as REVISION
from duty.factories import DutyRecordFactory, InspectionFactory, InspectionRatingFactory
from duty.models import Inspection, InspectionRating
from tests.home.factories import StandardPageFactory
from votes.factories import MotionFactory
from votes.models import Motion, MotionOption

from .support import append_only_lifted, history_rows, run_verify

pytestmark = pytest.mark.django_db


def problems():
    return [
        (problem.kind, problem.message)
        for problem in verify(history_models=history_models()).problems
    ]


def assert_intact():
    found = problems()
    assert not found, found
    code, out, err = run_verify()
    assert code == 0, err
    assert "Audit chain intact" in out


def assert_named(kind, *texts):
    """verify_audit fails, with one problem of ``kind`` whose message holds every text."""
    found = problems()
    assert any(k == kind and all(text in message for text in texts) for k, message in found), found
    code, _out, err = run_verify()
    assert code == 1
    assert "Audit chain BROKEN" in err
    for text in texts:
        assert text in err


def quote(name):
    return connection.ops.quote_name(name)


def seal_entry(record):
    return AuditEntry.objects.get(
        source_type=ContentType.objects.get_for_model(Seal), source_id=record.pk
    )


# --- Page revisions -----------------------------------------------------------------------


@pytest.fixture
def edited_page(db, home_page, editor, moderator):
    """A page with three revisions: created, edited by the editor, published."""
    page = StandardPageFactory(title="办事指南", user=moderator)
    page.title = "办事指南（修订）"
    page.save_revision(user=editor, log_action=True)
    page.title = "办事指南（第二版）"
    page.save_revision(user=editor, log_action=True).publish(user=moderator)
    return page


def revisions_of(page):
    return Revision.page_revisions.filter(object_id=str(page.pk)).order_by("pk")


class TestRevisions:
    def test_every_revision_is_sealed_and_the_chain_holds(self, edited_page):
        revisions = list(revisions_of(edited_page))
        assert len(revisions) >= 2
        for revision in revisions:
            record = seals.latest(REVISION, revision)
            assert record is not None
            assert record.rows[0]["content"]["title"] == revision.content["title"]
            assert record.rows[0]["user_id"] == revision.user_id
            entry = seal_entry(record)
            assert (entry.action, entry.detail) == (Action.SEALED, REVISION)
        assert_intact()

    def test_content_altered_in_the_database(self, edited_page):
        revision = revisions_of(edited_page).last()
        content = {**revision.content, "title": "篡改的标题"}
        Revision.objects.filter(pk=revision.pk).update(content=content)
        assert_named("altered", f"wagtailcore.revision #{revision.pk}", "办事指南")

    def test_author_altered_in_the_database(self, edited_page, moderator):
        revision = revisions_of(edited_page).last()
        Revision.objects.filter(pk=revision.pk).update(user=moderator)
        assert_named("altered", f"wagtailcore.revision #{revision.pk}")

    def test_revision_deleted_in_the_database(self, edited_page):
        revision = revisions_of(edited_page).first()
        Revision.objects.filter(pk=revision.pk).delete()
        assert_named("removed", f"wagtailcore.revision #{revision.pk}")

    def test_revision_inserted_in_the_database(self, edited_page, moderator):
        latest = revisions_of(edited_page).last()
        # bulk_create sends no signal: as if the row were written straight into the table.
        (forged,) = Revision.objects.bulk_create(
            [
                Revision(
                    content_type_id=latest.content_type_id,
                    base_content_type_id=latest.base_content_type_id,
                    object_id=latest.object_id,
                    created_at=latest.created_at,
                    user=moderator,
                    object_str="伪造",
                    content={**latest.content, "title": "伪造"},
                )
            ]
        )
        assert_named("inserted", f"wagtailcore.revision #{forged.pk}", "has no seal")

    def test_a_page_deleted_in_the_admin_takes_its_revisions_and_the_chain_holds(
        self, client, edited_page, superuser
    ):
        ids = list(revisions_of(edited_page).values_list("pk", flat=True))
        client.force_login(superuser)
        assert client.post(f"/admin/pages/{edited_page.pk}/delete/").status_code == 302
        assert not Revision.objects.filter(pk__in=ids).exists()
        assert_intact()

    def test_an_author_whose_account_is_deleted_leaves_the_chain_intact(self, home_page, make_user):
        author = make_user(username="departed")
        page = StandardPageFactory(title="旧页面")
        page.save_revision(user=author, log_action=True)
        author.delete()
        assert_intact()

    def test_a_deleted_pages_revisions_stay_readable_in_the_history_centre(
        self, client, edited_page, superuser, supervisor
    ):
        # The second edit: "第二版" after "修订".
        edit = (
            PageLogEntry.objects.filter(page=edited_page, action="wagtail.edit")
            .order_by("pk")
            .last()
        )
        entry = AuditEntry.objects.get(
            source_type=ContentType.objects.get_for_model(PageLogEntry), source_id=edit.pk
        )
        client.force_login(superuser)
        assert client.post(f"/admin/pages/{edited_page.pk}/delete/").status_code == 302
        assert not Revision.objects.filter(pk=edit.revision_id).exists()
        client.force_login(supervisor)
        response = client.get(reverse("audit_history:inspect", args=[entry.pk]))
        assert response.status_code == 200
        comparisons = response.context["revision_changes"]
        title = next(c for c in comparisons if c.field.name == "title")
        assert (title.val_a, title.val_b) == ("办事指南（修订）", "办事指南（第二版）")
        assert "办事指南（第二版）" in response.content.decode()

    def test_a_seal_entry_opens_in_the_history_centre(self, client, edited_page, supervisor):
        record = seals.latest(REVISION, revisions_of(edited_page).last())
        client.force_login(supervisor)
        response = client.get(reverse("audit_history:inspect", args=[seal_entry(record).pk]))
        assert response.status_code == 200
        assert response.context["seal"] == record
        assert record.digest in response.content.decode()


# --- Seals themselves ----------------------------------------------------------------------


class TestSealsInTheChain:
    def test_a_seal_altered_in_the_database(self, edited_page):
        record = seals.latest(REVISION, revisions_of(edited_page).last())
        table = Seal._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('digest')} = %s WHERE id = %s",
                ["0" * 64, record.pk],
            )
        assert_named("altered", f"entry {seal_entry(record).pk}")

    def test_a_seal_inserted_in_the_database(self, edited_page):
        record = seals.latest(REVISION, revisions_of(edited_page).last())
        # Django's create() on the model writes no chain entry: as if the row were inserted.
        with append_only_lifted(Seal._meta.db_table):
            forged = Seal.objects.create(
                label=record.label,
                content_type=record.content_type,
                object_id=record.object_id,
                rows=record.rows,
                digest=record.digest,
            )
        assert_named("inserted", f"seal audit.seal #{forged.pk} was inserted")


# --- Many-to-many history ------------------------------------------------------------------

HistoricalInspection = history_model(Inspection)
(SampledHistory,) = m2m_history_models(HistoricalInspection)


@pytest.fixture
def inspection(db):
    inspection = InspectionFactory()
    records = DutyRecordFactory.create_batch(3)
    inspection.sampled.set(records[:2])
    inspection.sampled.add(records[2])
    return inspection


def sampled_rows(row):
    return SampledHistory._base_manager.filter(history=row).order_by("pk")


class TestManyToManyHistory:
    def test_the_sampled_records_are_in_history_and_the_chain_holds(self, inspection):
        last = history_rows(inspection).last()
        assert sampled_rows(last).count() == 3
        assert_intact()

    def test_a_sampled_row_altered(self, inspection):
        last = history_rows(inspection).last()
        m2m_row = sampled_rows(last).first()
        other = DutyRecordFactory()
        table = SampledHistory._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('dutyrecord_id')} = %s "
                f"WHERE {quote('m2m_history_id')} = %s",
                [other.pk, m2m_row.pk],
            )
        assert_named("altered", f"duty.historicalinspection #{last.pk} was altered")

    def test_a_sampled_row_deleted(self, inspection):
        last = history_rows(inspection).last()
        m2m_row = sampled_rows(last).first()
        table = SampledHistory._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"DELETE FROM {quote(table)} WHERE {quote('m2m_history_id')} = %s", [m2m_row.pk]
            )
        assert_named("altered", f"duty.historicalinspection #{last.pk} was altered")

    def test_a_sampled_row_inserted_into_a_chained_version(self, inspection):
        first = history_rows(inspection).first()
        other = DutyRecordFactory()
        with append_only_lifted(SampledHistory._meta.db_table):
            SampledHistory._base_manager.bulk_create(
                [SampledHistory(id=999, history=first, inspection=inspection, dutyrecord=other)]
            )
        assert_named("altered", f"duty.historicalinspection #{first.pk} was altered")

    def test_a_sampled_row_inserted_for_no_chained_version(self, inspection):
        last = history_rows(inspection).last()
        record = DutyRecordFactory()
        with append_only_lifted(SampledHistory._meta.db_table):
            (forged,) = SampledHistory._base_manager.bulk_create(
                [
                    SampledHistory(
                        id=998,
                        history_id=last.pk + 1000,
                        inspection=inspection,
                        dutyrecord=record,
                    )
                ]
            )
        assert_named("inserted", f"#{forged.pk} was inserted")


# --- Restores with children ----------------------------------------------------------------


class TestRestoreWithChildren:
    def test_a_motion_comes_back_with_its_options(self, superuser):
        motion = MotionFactory(title="加装电梯")
        first = motion.options.order_by("sort_order").first()
        first.label = "同意加装"
        first.save()
        MotionOption.objects.create(motion=motion, label="暂缓", sort_order=9)
        before = list(motion.options.order_by("pk").values())
        pk = motion.pk
        motion.delete()
        assert not MotionOption.objects.filter(motion_id=pk).exists()
        last = history_rows(Motion(pk=pk)).last()
        assert last.history_type == "-"
        restored = restore_from_history(last, "误删恢复")
        assert list(restored.options.order_by("pk").values()) == before
        assert_intact()

    def test_an_inspection_comes_back_with_its_sampled_records_and_ratings(
        self, inspection, superuser
    ):
        ratings = InspectionRatingFactory.create_batch(2, inspection=inspection)
        sampled = set(inspection.sampled.values_list("pk", flat=True))
        assert len(sampled) == 3
        pk = inspection.pk
        inspection.delete()
        assert not InspectionRating.objects.filter(inspection_id=pk).exists()
        last = history_rows(Inspection(pk=pk)).last()
        restored = restore_from_history(last, "误删恢复")
        assert set(restored.sampled.values_list("pk", flat=True)) == sampled
        assert set(restored.ratings.values_list("pk", "rating")) == {
            (rating.pk, rating.rating) for rating in ratings
        }
        # The restore's own history row holds the sampled records too.
        assert sampled_rows(history_rows(restored).last()).count() == 3
        assert_intact()

    def test_a_restore_in_the_history_centre_brings_the_children(self, client, superuser):
        motion = MotionFactory(title="修缮围墙")
        labels = list(motion.options.order_by("sort_order").values_list("label", flat=True))
        MotionOption.objects.filter(motion=motion).update(label="改过的选项")
        pk = motion.pk
        motion.delete()
        entry = AuditEntry.objects.filter(action=Action.DELETED, object_id=str(pk)).get(
            content_type=ContentType.objects.get_for_model(Motion)
        )
        client.force_login(superuser)
        response = client.post(reverse("audit_history:restore", args=[entry.pk]))
        assert response.status_code == 302
        restored = Motion.objects.get(pk=pk)
        assert list(restored.options.values_list("label", flat=True)) == ["改过的选项"] * len(
            labels
        )
