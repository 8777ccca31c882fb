"""The audit chain: ``verify()`` and ``manage.py verify_audit`` find every entry that was
altered, inserted or removed behind the site's back, and a saved head finds a cut tail or a
recomputed chain."""

import io
from itertools import pairwise

import pytest

from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from wagtail.models import PageLogEntry

from audit.chain import GENESIS, entry_hash, source_digest, verify
from audit.chain import _entry_fields as entry_fields
from audit.models import Action, AuditEntry
from audit.registry import history_model, history_models
from people.factories import PersonFactory
from people.models import Person
from tests.home.factories import StandardPageFactory

from .support import append_only_lifted, entries_for, entry_for, history_rows, run_verify

HISTORY_TABLE = "people_historicalperson"
ENTRY_TABLE = "audit_auditentry"


def check():
    return verify(history_models=history_models())


def problems(report):
    return [(problem.entry_id, problem.kind) for problem in report.problems]


def assert_intact():
    report = check()
    assert report.ok, report.problems
    assert report.checked == AuditEntry.objects.count()
    code, out, err = run_verify()
    assert code == 0, err
    assert "Audit chain intact" in out
    assert f"{report.checked} entries" in out


def assert_broken(*expected, naming=()):
    """verify() reports exactly ``expected`` (entry id, kind) problems, and the command fails
    naming each entry, and ``naming`` besides."""
    report = check()
    assert sorted(problems(report), key=str) == sorted(expected, key=str)
    code, out, err = run_verify()
    assert code == 1
    assert "Audit chain intact" not in out
    assert "Audit chain BROKEN" in err
    for entry_id, kind in expected:
        if entry_id is not None:
            assert f"{kind}: entry {entry_id}" in err
    for text in naming:
        assert text in err
    return report


def quote(name):
    return connection.ops.quote_name(name)


def history_columns():
    model = history_model(Person)
    return [field.column for field in model._meta.concrete_fields if field.column != "history_id"]


@pytest.fixture
def history(db, editor, moderator, home_page):
    """A body of history: people created, changed many times and deleted, pages edited by
    an editor and published by a moderator."""
    people = PersonFactory.create_batch(5)
    for round_ in range(4):
        for person in people:
            person.notes = f"第{round_}次回访"
            person._history_user = editor
            person._change_reason = f"回访 {round_}"
            person.save()
    people[-1].delete()
    pages = [StandardPageFactory(user=moderator) for _ in range(3)]
    for page in pages:
        page.title = f"{page.title}（修订）"
        page.save_revision(user=editor, log_action=True).publish(user=moderator)
    return {"people": people[:-1], "pages": pages}


def middle_person_row(history):
    """A history row (and its entry) from the middle of the chain."""
    row = history_rows(history["people"][1]).all()[2]
    return row, entry_for(row)


@pytest.mark.django_db
class TestIntact:
    def test_an_empty_chain_is_intact(self):
        assert not AuditEntry.objects.exists()
        report = check()
        assert report.ok
        assert (report.checked, report.head) == (0, None)
        code, out, _err = run_verify()
        assert code == 0
        assert "Audit chain intact: 0 entries (empty)" in out

    def test_intact_after_many_saves_and_page_publishes(self, history):
        assert_intact()
        entries = list(AuditEntry.objects.order_by("id"))
        assert entries[0].prev_hash == GENESIS
        assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(entries))
        assert len({entry.hash for entry in entries}) == len(entries)
        # One entry per history row, and the page actions besides.
        person_type = ContentType.objects.get_for_model(history_model(Person))
        assert (
            AuditEntry.objects.filter(source_type=person_type).count()
            == history_model(Person).objects.count()
            == 5 + 5 * 4 + 1
        )
        page_entries = AuditEntry.objects.filter(
            source_type=ContentType.objects.get_for_model(PageLogEntry)
        )
        assert page_entries.count() == PageLogEntry.objects.count() > 0
        assert set(page_entries.values_list("detail", flat=True)) >= {
            "wagtail.publish",
            "wagtail.edit",
        }

    def test_page_log_entries_are_chained_with_their_action(self, history, editor, moderator):
        page = history["pages"][0]
        entries = list(entries_for(page))
        assert [
            (entry.detail, entry.action, entry.user_id, entry.username) for entry in entries
        ] == [
            ("wagtail.create", Action.CREATED, None, ""),
            ("wagtail.publish", Action.TRANSITION, moderator.pk, "moderator"),
            ("wagtail.edit", Action.CHANGED, editor.pk, "editor"),
            ("wagtail.rename", Action.CHANGED, moderator.pk, "moderator"),
            ("wagtail.publish", Action.TRANSITION, moderator.pk, "moderator"),
        ]
        assert entries[-1].object_repr == page.title

    def test_intact_after_pages_are_unpublished_and_deleted_in_the_admin(
        self, client, history, superuser, moderator
    ):
        first, second = history["pages"][:2]
        first.unpublish(user=moderator)
        client.force_login(superuser)
        for page in (first, second):
            response = client.post(f"/admin/pages/{page.pk}/delete/")
            assert response.status_code == 302
        assert_intact()
        for page in (first, second):
            assert entries_for(page).last().detail == "wagtail.delete"
            assert entries_for(page).last().action == Action.DELETED
            assert entries_for(page).last().username == "admin"
        assert entries_for(first).filter(detail="wagtail.unpublish").get().action == (
            Action.TRANSITION
        )

    def test_the_report_names_its_head(self, history):
        report = check()
        head = AuditEntry.objects.order_by("-id").first()
        assert report.head == head
        _code, out, _err = run_verify()
        assert f"head entry {head.pk} {head.hash}" in out

    def test_a_saved_head_that_still_holds_passes(self, history, tmp_path):
        head_file = tmp_path / "heads.txt"
        call_command("audit_head", append=head_file, stdout=io.StringIO())
        PersonFactory()
        call_command("audit_head", append=head_file, stdout=io.StringIO())
        assert len(head_file.read_text().splitlines()) == 2
        code, out, err = run_verify("--head", str(head_file))
        assert code == 0, err
        assert "Audit chain intact" in out


@pytest.mark.django_db
class TestTamperedHistoryRows:
    def test_a_history_row_updated_in_the_database(self, history):
        row, entry = middle_person_row(history)
        with append_only_lifted(HISTORY_TABLE) as cursor:
            cursor.execute(
                f"UPDATE {quote(HISTORY_TABLE)} SET phone = %s WHERE history_id = %s",
                ["13800000000", row.pk],
            )
        assert_broken(
            (entry.pk, "altered"), naming=[f"people.historicalperson #{row.pk} was altered"]
        )

    def test_a_history_row_deleted_in_the_database(self, history):
        row, entry = middle_person_row(history)
        with append_only_lifted(HISTORY_TABLE) as cursor:
            cursor.execute(f"DELETE FROM {quote(HISTORY_TABLE)} WHERE history_id = %s", [row.pk])
        assert_broken(
            (entry.pk, "removed"), naming=[f"people.historicalperson #{row.pk} was removed"]
        )

    def test_a_history_row_inserted_in_the_database(self, history):
        row, _entry = middle_person_row(history)
        columns = ", ".join(quote(column) for column in history_columns())
        with append_only_lifted(HISTORY_TABLE) as cursor:
            cursor.execute(
                f"INSERT INTO {quote(HISTORY_TABLE)} ({columns}) "
                f"SELECT {columns} FROM {quote(HISTORY_TABLE)} WHERE history_id = %s",
                [row.pk],
            )
        inserted = history_model(Person).objects.order_by("-history_id").first()
        assert inserted.pk != row.pk
        assert inserted.name == row.name
        assert_broken(
            (None, "inserted"),
            naming=[f"history row people.historicalperson #{inserted.pk} was inserted"],
        )

    def test_every_tampered_row_is_named(self, history):
        people = history["people"]
        first = history_rows(people[0]).first()
        second = history_rows(people[2]).last()
        with append_only_lifted(HISTORY_TABLE) as cursor:
            cursor.execute(
                f"UPDATE {quote(HISTORY_TABLE)} SET name = %s WHERE history_id IN (%s, %s)",
                ["冒名", first.pk, second.pk],
            )
        assert_broken((entry_for(first).pk, "altered"), (entry_for(second).pk, "altered"))


@pytest.mark.django_db
class TestTamperedEntries:
    @pytest.mark.parametrize(("column", "value"), [("reason", "无"), ("username", "admin")])
    def test_an_entry_updated_in_the_database(self, history, column, value):
        _row, entry = middle_person_row(history)
        with append_only_lifted(ENTRY_TABLE) as cursor:
            cursor.execute(
                f"UPDATE {quote(ENTRY_TABLE)} SET {quote(column)} = %s WHERE id = %s",
                [value, entry.pk],
            )
        assert_broken((entry.pk, "altered"))

    def test_an_entry_deleted_from_the_middle(self, history):
        row, entry = middle_person_row(history)
        following = AuditEntry.objects.filter(pk__gt=entry.pk).order_by("id").first()
        with append_only_lifted(ENTRY_TABLE) as cursor:
            cursor.execute(f"DELETE FROM {quote(ENTRY_TABLE)} WHERE id = %s", [entry.pk])
        # The next entry no longer follows the one before it, and the history row that the
        # removed entry stood for is now outside the chain.
        assert_broken(
            (following.pk, "broken link"),
            (None, "inserted"),
            naming=[
                f"entry {following.pk} does not follow the entry before it",
                f"people.historicalperson #{row.pk} was inserted",
            ],
        )

    def test_an_entry_inserted_in_the_middle(self, history):
        """A forged entry copied into the chain, standing for a forged history row."""
        row, entry = middle_person_row(history)
        columns = ", ".join(quote(column) for column in history_columns())
        with append_only_lifted(HISTORY_TABLE, ENTRY_TABLE) as cursor:
            cursor.execute(
                f"INSERT INTO {quote(HISTORY_TABLE)} ({columns}) "
                f"SELECT {columns} FROM {quote(HISTORY_TABLE)} WHERE history_id = %s",
                [row.pk],
            )
            forged_row = history_model(Person).objects.order_by("-history_id").first()
            entry_columns = [
                field.column
                for field in AuditEntry._meta.concrete_fields
                if field.column not in ("id", "source_id")
            ]
            names = ", ".join(quote(column) for column in entry_columns)
            cursor.execute(
                f"INSERT INTO {quote(ENTRY_TABLE)} ({names}, {quote('source_id')}) "
                f"SELECT {names}, %s FROM {quote(ENTRY_TABLE)} WHERE id = %s",
                [forged_row.pk, entry.pk],
            )
        forged = AuditEntry.objects.order_by("-id").first()
        # It claims the place after the copied entry, so it links to the wrong hash, and its
        # hash does not cover its history row.
        assert_broken((forged.pk, "broken link"), (forged.pk, "altered"))


@pytest.mark.django_db
class TestWagtailLogEntries:
    def test_an_edit_log_entry_altered(self, history, moderator):
        page = history["pages"][1]
        log_entry = PageLogEntry.objects.filter(page=page, action="wagtail.edit").get()
        # The edit is put on someone else's name.
        PageLogEntry.objects.filter(pk=log_entry.pk).update(user=moderator)
        entry = entry_for(log_entry)
        assert_broken(
            (entry.pk, "altered"), naming=[f"wagtailcore.pagelogentry #{log_entry.pk} was altered"]
        )

    def test_a_publish_log_entry_removed(self, history):
        page = history["pages"][2]
        log_entry = PageLogEntry.objects.filter(page=page, action="wagtail.publish").last()
        entry = entry_for(log_entry)
        PageLogEntry.objects.filter(pk=log_entry.pk).delete()
        assert_broken(
            (entry.pk, "removed"), naming=[f"wagtailcore.pagelogentry #{log_entry.pk} was removed"]
        )

    def test_a_page_entry_altered(self, history):
        entry = entries_for(history["pages"][0]).last()
        with append_only_lifted(ENTRY_TABLE) as cursor:
            cursor.execute(
                f"UPDATE {quote(ENTRY_TABLE)} SET {quote('username')} = %s WHERE id = %s",
                ["editor", entry.pk],
            )
        assert_broken((entry.pk, "altered"))


def save_head(path):
    out = io.StringIO()
    call_command("audit_head", append=path, stdout=out)
    head = AuditEntry.objects.order_by("-id").first()
    assert out.getvalue().split()[:2] == [str(head.pk), head.hash]
    return head


@pytest.mark.django_db
class TestSavedHead:
    def test_a_cut_tail_passes_alone_and_fails_against_the_saved_head(self, history, tmp_path):
        head_file = tmp_path / "heads.txt"
        head = save_head(head_file)
        # Someone removes the last changes: the chain entries and the rows they stand for.
        tail = list(AuditEntry.objects.order_by("-id")[:3].select_related("source_type"))
        with append_only_lifted() as cursor:
            for entry in tail:
                table = entry.source_type.model_class()._meta.db_table
                pk = entry.source_type.model_class()._meta.pk.column
                cursor.execute(
                    f"DELETE FROM {quote(table)} WHERE {quote(pk)} = %s", [entry.source_id]
                )
                cursor.execute(f"DELETE FROM {quote(ENTRY_TABLE)} WHERE id = %s", [entry.pk])
        # What is left is a chain that holds together...
        assert_intact()
        # ...but not the one whose head was kept outside the database.
        report = verify(saved_head=(head.pk, head.hash), history_models=history_models())
        assert problems(report) == [(head.pk, "removed")]
        code, _out, err = run_verify("--head", str(head_file))
        assert code == 1
        assert f"the saved head, entry {head.pk}, is no longer in the chain" in err

    def test_a_recomputed_chain_is_caught_by_the_saved_head(self, history, tmp_path):
        head_file = tmp_path / "heads.txt"
        head = save_head(head_file)
        _row, altered = middle_person_row(history)
        # Someone rewrites a reason and then recomputes every hash from there on, as anyone
        # who can read audit.chain could.
        with append_only_lifted(ENTRY_TABLE) as cursor:
            cursor.execute(
                f"UPDATE {quote(ENTRY_TABLE)} SET reason = %s WHERE id = %s",
                ["无异常", altered.pk],
            )
            prev_hash = AuditEntry.objects.get(pk=altered.pk).prev_hash
            entries = AuditEntry.objects.filter(pk__gte=altered.pk).order_by("id")
            for entry in entries.select_related("content_type", "source_type"):
                digest = source_digest(entry.source_type.model_class(), entry.source_id)
                new_hash = entry_hash(
                    prev_hash, entry_fields(entry), entry.content_type, entry.source_type, digest
                )
                cursor.execute(
                    f"UPDATE {quote(ENTRY_TABLE)} SET prev_hash = %s, hash = %s WHERE id = %s",
                    [prev_hash, new_hash, entry.pk],
                )
                prev_hash = new_hash
        assert AuditEntry.objects.get(pk=altered.pk).reason == "无异常"
        # The rewritten chain holds together on its own...
        assert_intact()
        # ...but the head kept outside the database no longer matches.
        code, _out, err = run_verify("--head", str(head_file))
        assert code == 1
        assert (
            f"entry {head.pk} no longer has the saved head's hash: the chain was rewritten" in err
        )

    def test_the_last_line_of_the_head_file_counts(self, history, tmp_path):
        head_file = tmp_path / "heads.txt"
        save_head(head_file)
        PersonFactory()
        latest = save_head(head_file)
        with append_only_lifted() as cursor:
            cursor.execute(f"DELETE FROM {quote(ENTRY_TABLE)} WHERE id = %s", [latest.pk])
            cursor.execute(
                f"DELETE FROM {quote(HISTORY_TABLE)} WHERE history_id = %s", [latest.source_id]
            )
        assert run_verify()[0] == 0
        code, _out, err = run_verify("--head", str(head_file))
        assert code == 1
        assert f"entry {latest.pk}" in err

    def test_audit_head_prints_the_head(self, history):
        out = io.StringIO()
        call_command("audit_head", stdout=out)
        head = AuditEntry.objects.order_by("-id").first()
        entry_id, entry_hash_, timestamp = out.getvalue().split()
        assert (int(entry_id), entry_hash_) == (head.pk, head.hash)
        assert timestamp == head.timestamp.isoformat()

    def test_audit_head_on_an_empty_chain(self, db, tmp_path):
        err = io.StringIO()
        call_command("audit_head", append=tmp_path / "heads.txt", stdout=io.StringIO(), stderr=err)
        assert "empty" in err.getvalue()
        assert not (tmp_path / "heads.txt").exists()

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "No such file"),
            ("", "the file holds no head"),
            ("\n\n", "the file holds no head"),
            ("12 not-a-hash 2025-01-01T00:00:00\n", "not a head written by audit_head"),
            ("tampered\n", "not a head written by audit_head"),
            (f"twelve {'a' * 64}\n", "not a head written by audit_head"),
            (f"12 {'z' * 64}\n", "not a head written by audit_head"),
        ],
    )
    def test_a_bad_head_file_is_refused_clearly(self, db, tmp_path, content, message):
        PersonFactory()
        head_file = tmp_path / "heads.txt"
        if content is not None:
            head_file.write_text(content)
        with pytest.raises(CommandError) as error:
            call_command("verify_audit", "--head", str(head_file), stdout=io.StringIO())
        assert str(error.value).startswith(f"Cannot read the saved head from {head_file}: ")
        assert message in str(error.value)


@pytest.mark.django_db
def test_a_page_log_entry_inserted_behind_the_sites_back_is_found(home_page):
    from django.utils import timezone

    page = StandardPageFactory(title="日志页")
    assert run_verify()[0] == 0
    # bulk_create sends no signal: as if a row were written straight into the table.
    (forged,) = PageLogEntry.objects.bulk_create(
        [
            PageLogEntry(
                page=page,
                content_type=ContentType.objects.get_for_model(page),
                label=page.title,
                action="wagtail.publish",
                timestamp=timezone.now(),
            )
        ]
    )
    code, out, err = run_verify()
    assert code == 1
    assert f"log entry wagtailcore.pagelogentry #{forged.pk} was inserted" in err
