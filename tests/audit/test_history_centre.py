"""The supervisors' history centre at /admin/history/: who may open it, its filters, the
per-record timeline, the field-by-field difference, personal data, CSV export, append-only,
restoring a deleted record, page edits, the links to it, and its query budget."""

import csv
import datetime
import io

import pytest

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.html import escape

from audit.diff import HIDDEN, display_value
from audit.models import Action, AuditEntry
from audit.views import timeline_url
from people.factories import PersonFactory
from people.models import Person
from tests.home.factories import StandardPageFactory

from .support import entries_for, history_rows

INDEX = "/admin/history/"


def entry_url(entry):
    return f"/admin/history/entry/{entry.pk}/"


def restore_url(entry):
    return f"/admin/history/entry/{entry.pk}/restore/"


def listed(response):
    """The ids of the entries the listing shows, newest first."""
    assert response.status_code == 200
    return [entry.pk for entry in response.context["page_obj"].object_list]


def ids(entries):
    return sorted((entry.pk for entry in entries), reverse=True)


def local(year, month, day, hour=12, minute=0):
    """An aware time in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def make_person(when, **fields):
    """A person whose creation is recorded at ``when``."""
    person = PersonFactory.build(**fields)
    person._history_date = when
    person.save()
    return person


def save_person(person, *, user=None, reason="", when=None):
    """Save ``person`` as ``user`` for ``reason`` (none unless given, as in a fresh form)."""
    if user is not None:
        person._history_user = user
    person._change_reason = reason
    if when is not None:
        person._history_date = when
    person.save()
    return entries_for(person).last()


def zh(message):
    """A message as the admin shows it, in the site's language."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def messages_of(response):
    return [str(message).strip() for message in response.context["messages"]]


@pytest.fixture
def auditor(make_user):
    """Holds the history centre's permission but may not see people's records."""
    group = Group.objects.create(name="Auditors")
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
            Permission.objects.get(content_type__app_label="audit", codename="view_auditentry"),
        ]
    )
    return make_user("Auditors", username="auditor")


@pytest.mark.django_db
class TestWhoMayOpenIt:
    @pytest.mark.parametrize("who", ["supervisor", "superuser"])
    def test_supervisors_and_administrators(self, client, request, who):
        PersonFactory(name="王建国")
        client.force_login(request.getfixturevalue(who))
        response = client.get(INDEX)
        assert response.status_code == 200
        assert "王建国" in response.content.decode()
        # The "History" menu item.
        assert INDEX in client.get("/admin/").content.decode()

    @pytest.mark.parametrize("who", ["editor", "clerk"])
    def test_other_admin_roles_are_sent_back_and_see_no_menu_item(self, client, request, who):
        PersonFactory(name="王建国")
        entry = AuditEntry.objects.get()
        client.force_login(request.getfixturevalue(who))
        for url in (INDEX, entry_url(entry), f"{INDEX}?export=csv"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"] == reverse("wagtailadmin_home")
        dashboard = client.get("/admin/")
        assert dashboard.status_code == 200
        assert INDEX not in dashboard.content.decode()

    def test_representatives_have_no_admin(self, client, representative):
        client.force_login(representative)
        response = client.get(INDEX)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))

    def test_anonymous_visitors_are_sent_to_log_in(self, client, db):
        response = client.get(INDEX)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.django_db
class TestFilters:
    @pytest.fixture(autouse=True)
    def _timeline(self, editor, clerk, moderator, home_page):
        self.editor, self.clerk = editor, clerk
        self.wang = make_person(local(2025, 1, 5), name="王建国")
        self.li = make_person(local(2025, 1, 6), name="李秀英")
        self.by_clerk = [
            save_person(self.wang, user=clerk, reason="核对门牌", when=local(2025, 1, 10)),
            save_person(self.li, user=clerk, when=local(2025, 1, 10, 23, 30)),
        ]
        self.by_editor = [save_person(self.wang, user=editor, when=local(2025, 1, 11, 0, 30))]
        pk = self.li.pk
        self.li._history_user = clerk
        self.li._history_date = local(2025, 1, 15)
        self.li.delete()
        self.li.pk = pk
        self.by_clerk.append(entries_for(self.li).last())
        self.page = StandardPageFactory(title="办事指南", user=moderator)
        self.person_entries = list(
            AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Person))
        )

    def get(self, client, as_user, **params):
        client.force_login(as_user)
        return client.get(INDEX, params)

    def test_unfiltered(self, client, supervisor):
        assert listed(self.get(client, supervisor)) == ids(AuditEntry.objects.all())

    def test_by_user(self, client, supervisor):
        assert listed(self.get(client, supervisor, user=self.clerk.pk)) == ids(self.by_clerk)
        assert listed(self.get(client, supervisor, user=self.editor.pk)) == ids(self.by_editor)

    def test_by_type_of_record(self, client, supervisor):
        person_type = ContentType.objects.get_for_model(Person)
        response = self.get(client, supervisor, content_type=person_type.pk)
        assert listed(response) == ids(self.person_entries)
        page_type = ContentType.objects.get_for_model(self.page.specific_class)
        response = self.get(client, supervisor, content_type=page_type.pk)
        assert listed(response) == ids(entries_for(self.page))
        assert len(listed(response)) == 2  # created and published

    @pytest.mark.parametrize(
        ("action", "expected"),
        [
            (Action.CREATED, ["王建国", "李秀英"]),
            (Action.CHANGED, ["王建国", "李秀英", "王建国"]),
            (Action.DELETED, ["李秀英"]),
        ],
    )
    def test_by_action(self, client, supervisor, action, expected):
        person_type = ContentType.objects.get_for_model(Person)
        response = self.get(client, supervisor, action=action, content_type=person_type.pk)
        shown = AuditEntry.objects.filter(pk__in=listed(response)).order_by("id")
        assert [entry.object_repr for entry in shown] == expected
        assert {entry.action for entry in shown} == {action}

    def test_by_state_transition(self, client, supervisor):
        response = self.get(client, supervisor, action=Action.TRANSITION)
        assert listed(response) == ids(AuditEntry.objects.filter(detail="wagtail.publish"))

    def test_by_date_range_in_the_site_time_zone(self, client, supervisor):
        # The date range picker posts timestamp_from and timestamp_to, dates in local time.
        response = self.get(
            client, supervisor, timestamp_from="2025-01-06", timestamp_to="2025-01-10"
        )
        shown = AuditEntry.objects.filter(pk__in=listed(response)).order_by("id")
        assert [(entry.object_repr, entry.action) for entry in shown] == [
            ("李秀英", Action.CREATED),
            ("王建国", Action.CHANGED),
            # 23:30 on the 10th in Shanghai is still the 10th; 00:30 on the 11th is not.
            ("李秀英", Action.CHANGED),
        ]

    def test_by_date_from_only_and_to_only(self, client, supervisor):
        after = listed(self.get(client, supervisor, timestamp_from="2025-01-15"))
        before = listed(self.get(client, supervisor, timestamp_to="2025-01-05"))
        assert after == ids(AuditEntry.objects.filter(timestamp__gte=local(2025, 1, 15, 0, 0)))
        assert AuditEntry.objects.get(pk=after[-1]).action == Action.DELETED
        assert before == ids(entries_for(self.wang)[:1])

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("王建", ["王建国", "王建国", "王建国"]),  # the record's name
            ("门牌", ["王建国"]),  # the reason
            ("clerk", ["王建国", "李秀英", "李秀英"]),  # the user's name
            ("wagtail.publish", ["办事指南"]),  # the page action
        ],
    )
    def test_by_free_text(self, client, supervisor, text, expected):
        response = self.get(client, supervisor, q=text)
        shown = AuditEntry.objects.filter(pk__in=listed(response)).order_by("id")
        assert [entry.object_repr for entry in shown] == expected

    def test_filters_combine(self, client, supervisor):
        response = self.get(
            client,
            supervisor,
            user=self.clerk.pk,
            action=Action.CHANGED,
            timestamp_from="2025-01-10",
            timestamp_to="2025-01-10",
            q="李",
        )
        assert listed(response) == ids(self.by_clerk[1:2])

    def test_the_timeline_of_one_record(self, client, supervisor):
        person_type = ContentType.objects.get_for_model(Person)
        response = self.get(client, supervisor, content_type=person_type.pk, object_id=self.li.pk)
        assert listed(response) == ids(entries_for(self.li))
        assert len(listed(response)) == 3
        assert (
            timeline_url(self.wang)
            == f"{INDEX}?content_type={person_type.pk}&object_id={self.wang.pk}"
        )
        wang = client.get(timeline_url(self.wang))
        assert listed(wang) == ids(entries_for(self.wang))
        assert "李秀英" not in wang.content.decode()


@pytest.mark.django_db
class TestEntryPage:
    def test_a_change_shows_old_and_new_values_field_by_field(self, client, supervisor, clerk):
        person = PersonFactory(name="王建国", building="3号楼", unit="2单元")
        person.building = "5号楼"
        entry = save_person(person, user=clerk, reason="搬家")
        client.force_login(supervisor)
        response = client.get(entry_url(entry))
        assert response.status_code == 200
        changes = {change.label: change for change in response.context["changes"]}
        building = changes[str(Person._meta.get_field("building").verbose_name).capitalize()]
        assert (building.old, building.new, building.changed) == ("3号楼", "5号楼", True)
        changed = {change.label for change in response.context["changes"] if change.changed}
        assert building.label in changed
        # Of the fields a person edits, only the building changed (times move on their own).
        for name in ("name", "unit", "phone", "notes", "is_representative"):
            label = str(Person._meta.get_field(name).verbose_name).capitalize()
            assert label not in changed
        html = response.content.decode()
        assert "<del>3号楼</del>" in html
        assert "<ins>5号楼</ins>" in html
        assert "搬家" in html
        assert "clerk" in html

    def test_a_deletion_shows_the_last_values(self, client, supervisor):
        person = PersonFactory(name="王建国", unit="2单元")
        person.delete()
        client.force_login(supervisor)
        response = client.get(entry_url(AuditEntry.objects.order_by("-id").first()))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<td>2单元</td>" in html
        assert "王建国" in html

    def test_times_are_shown_in_the_site_time_zone(self):
        person = PersonFactory()
        row = history_rows(person).get()
        shown = display_value(row, Person._meta.get_field("created_at"))
        assert shown == localize(timezone.localtime(person.created_at))
        assert timezone.localtime(person.created_at).utcoffset() == datetime.timedelta(hours=8)

    def test_an_entry_that_does_not_exist(self, client, supervisor):
        client.force_login(supervisor)
        assert client.get("/admin/history/entry/999999/").status_code == 404


@pytest.mark.django_db
class TestPersonalData:
    @pytest.fixture
    def phone_change(self):
        person = PersonFactory(name="王建国", phone="13900000001", notes="独居老人")
        person.phone = "13900000002"
        person.notes = "独居老人，腿脚不便"
        return save_person(person)

    def test_masked_for_a_user_who_may_not_see_the_record(self, client, auditor, phone_change):
        assert not auditor.has_perm("people.view_person")
        client.force_login(auditor)
        response = client.get(entry_url(phone_change))
        assert response.status_code == 200
        html = response.content.decode()
        for value in ("13900000001", "13900000002", "独居老人"):
            assert value not in html
        assert HIDDEN in html
        changes = {change.label: change for change in response.context["changes"]}
        phone = changes[str(Person._meta.get_field("phone").verbose_name).capitalize()]
        assert (phone.old, phone.new, phone.personal) == (HIDDEN, HIDDEN, True)
        # What is not personal is shown.
        assert "王建国" in html

    def test_shown_to_a_supervisor(self, client, supervisor, phone_change):
        client.force_login(supervisor)
        html = client.get(entry_url(phone_change)).content.decode()
        assert "<del>13900000001</del>" in html
        assert "<ins>13900000002</ins>" in html
        assert "独居老人，腿脚不便" in html
        assert HIDDEN not in html

    def test_the_listing_shows_no_personal_data(self, client, auditor, phone_change):
        client.force_login(auditor)
        html = client.get(INDEX).content.decode()
        assert "王建国" in html
        assert "13900000002" not in html


def export(client, **params):
    response = client.get(INDEX, {"export": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="history.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.django_db
class TestExport:
    def test_a_filtered_timeline_exports_only_its_rows(self, client, supervisor, clerk):
        wang = PersonFactory(name="王建国")
        other = PersonFactory(name="李秀英")
        save_person(wang, user=clerk, reason="核对")
        save_person(other, user=clerk)
        client.force_login(supervisor)
        person_type = ContentType.objects.get_for_model(Person)
        header, *rows = export(client, content_type=person_type.pk, object_id=wang.pk)
        assert len(header) == 11
        entries = list(entries_for(wang).order_by("-id"))
        assert [int(row[0]) for row in rows] == [entry.pk for entry in entries]
        assert {row[8] for row in rows} == {"王建国"}
        # The user by name (none given: the login name), then the login name.
        assert rows[0][2:4] == ["clerk", "clerk"]
        assert rows[0][9] == "核对"
        assert rows[0][10] == entries[0].hash

    def test_names_are_never_exported_as_formulas(self, client, supervisor):
        person = PersonFactory(name='=HYPERLINK("http://evil.example","x")')
        person._change_reason = "+1 -1"
        person.save()
        client.force_login(supervisor)
        person_type = ContentType.objects.get_for_model(Person)
        _header, *rows = export(client, content_type=person_type.pk, object_id=person.pk)
        assert {row[8] for row in rows} == {'\'=HYPERLINK("http://evil.example","x")'}
        assert rows[0][9] == "'+1 -1"

    def test_export_follows_the_other_filters(self, client, supervisor, clerk):
        PersonFactory.create_batch(3)
        person = PersonFactory()
        save_person(person, user=clerk)
        client.force_login(supervisor)
        _header, *rows = export(client, user=clerk.pk)
        assert [int(row[0]) for row in rows] == [entries_for(person).last().pk]


@pytest.mark.django_db
class TestAppendOnly:
    @pytest.mark.parametrize(
        "url",
        [
            "/admin/history/new/",
            "/admin/history/add/",
            "/admin/history/edit/1/",
            "/admin/history/delete/1/",
            "/admin/history/entry/1/edit/",
            "/admin/history/entry/1/delete/",
        ],
    )
    def test_there_is_no_view_to_write_history(self, client, superuser, url):
        PersonFactory()
        client.force_login(superuser)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        assert AuditEntry.objects.count() == 1

    def test_the_listing_offers_no_add_or_edit(self, client, superuser):
        PersonFactory()
        client.force_login(superuser)
        response = client.get(INDEX)
        assert not response.context.get("add_url")
        assert not response.context.get("header_action_url")
        html = response.content.decode()
        assert "/admin/history/new/" not in html
        assert "/admin/history/edit/" not in html

    def test_a_supervisor_may_not_restore(self, client, supervisor):
        person = PersonFactory(name="王建国")
        pk = person.pk
        person.delete()
        deleted = AuditEntry.objects.order_by("-id").first()
        client.force_login(supervisor)
        response = client.get(entry_url(deleted))
        assert not response.context["can_restore"]
        assert restore_url(deleted) not in response.content.decode()
        response = client.post(restore_url(deleted), follow=True)
        # Wagtail answers a refused admin action by sending the user back to the dashboard
        # with a message.
        assert response.redirect_chain == [(reverse("wagtailadmin_home"), 302)]
        assert messages_of(response) == [
            zh("Sorry, you do not have permission to access this area.")
        ]
        assert not Person.objects.filter(pk=pk).exists()
        assert AuditEntry.objects.count() == 2

    def test_restore_answers_only_posts(self, client, superuser):
        person = PersonFactory()
        person.delete()
        client.force_login(superuser)
        deleted = AuditEntry.objects.order_by("-id").first()
        assert client.get(restore_url(deleted)).status_code == 405
        assert not Person.objects.exists()

    def test_only_a_deletion_can_be_restored(self, client, superuser):
        person = PersonFactory()
        client.force_login(superuser)
        created = AuditEntry.objects.get()
        assert client.post(restore_url(created)).status_code == 404
        assert entries_for(person).count() == 1


@pytest.mark.django_db
class TestRestore:
    def test_an_administrator_restores_a_deleted_record(self, client, superuser, clerk):
        person = PersonFactory(name="王建国", phone="13900000001", notes="楼长")
        person.unit = "3单元"
        save_person(person)
        person.refresh_from_db()
        before = {
            field.attname: getattr(person, field.attname)
            for field in Person._meta.concrete_fields
            if field.name != "updated_at"
        }
        pk = person.pk
        person._history_user = clerk
        person.delete()
        deleted = AuditEntry.objects.order_by("-id").first()
        assert deleted.action == Action.DELETED

        client.force_login(superuser)
        page = client.get(entry_url(deleted))
        assert page.context["can_restore"]
        assert restore_url(deleted) in page.content.decode()

        response = client.post(restore_url(deleted), follow=True)
        assert response.status_code == 200
        restored = Person.objects.get(pk=pk)
        assert {name: getattr(restored, name) for name in before} == before
        entry = AuditEntry.objects.order_by("-id").first()
        assert response.redirect_chain[-1][0] == entry_url(entry)
        assert (entry.action, entry.user_id, entry.username) == (
            Action.RESTORED,
            superuser.pk,
            "admin",
        )
        assert entry.object_id == str(pk)
        assert f"#{deleted.pk}" in entry.reason
        assert messages_of(response) == [
            zh("“%(record)s” has been restored.") % {"record": "王建国"}
        ]
        # The deletion stays in the history, followed by the restore.
        assert [e.action for e in entries_for(restored)] == [
            Action.CREATED,
            Action.CHANGED,
            Action.DELETED,
            Action.RESTORED,
        ]

    def test_restoring_a_record_that_exists_changes_nothing(self, client, superuser):
        person = PersonFactory(name="王建国")
        person.delete()
        deleted = AuditEntry.objects.order_by("-id").first()
        client.force_login(superuser)
        assert client.post(restore_url(deleted), follow=True).status_code == 200
        count = AuditEntry.objects.count()
        restored = Person.objects.get()

        response = client.post(restore_url(deleted), follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == entry_url(deleted)
        assert messages_of(response) == [
            zh("This record exists already; there is nothing to restore.")
        ]
        assert AuditEntry.objects.count() == count
        assert Person.objects.get() == restored
        assert not response.context["can_restore"]


@pytest.mark.django_db
class TestPages:
    def test_a_page_edit_shows_in_the_timeline_with_its_difference(
        self, client, supervisor, editor, moderator
    ):
        page = StandardPageFactory(title="办事指南", introduction="旧的介绍", user=moderator)
        page.introduction = "新的办事时间"
        page.save_revision(user=editor, log_action=True)
        client.force_login(supervisor)
        response = client.get(timeline_url(page))
        shown = AuditEntry.objects.filter(pk__in=listed(response)).order_by("-id")
        assert list(shown) == list(entries_for(page).order_by("-id"))
        edit = shown[0]
        assert (edit.detail, edit.action, edit.username) == (
            "wagtail.edit",
            Action.CHANGED,
            "editor",
        )
        response = client.get(entry_url(edit))
        assert response.status_code == 200
        comparisons = response.context["revision_changes"]
        assert [comparison.field_label() for comparison in comparisons] == [
            str(type(page)._meta.get_field("introduction").verbose_name).capitalize()
        ]
        html = response.content.decode()
        assert "新的办事时间" in html
        assert "旧的介绍" in html
        # Wagtail's page history is for those who may edit the page, not for supervisors.
        assert reverse("wagtailadmin_pages:history", args=[page.pk]) not in html

    def test_a_page_header_links_to_its_timeline(self, client, superuser, home_page):
        page = StandardPageFactory(title="办事指南")
        client.force_login(superuser)
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200
        assert escape(timeline_url(page)) in response.content.decode()

    def test_the_link_is_only_for_those_who_may_follow_it(self, client, editor, home_page):
        page = StandardPageFactory(title="办事指南")
        client.force_login(editor)
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200
        assert escape(timeline_url(page)) not in response.content.decode()


@pytest.mark.django_db
class TestSnippetLinks:
    def test_the_people_listing_links_each_record_to_its_timeline(self, client, supervisor):
        person = PersonFactory(name="王建国")
        client.force_login(supervisor)
        response = client.get("/admin/snippets/people/person/")
        assert response.status_code == 200
        html = response.content.decode()
        assert escape(timeline_url(person)) in html
        assert zh("Audit history") in html

    def test_not_for_a_role_without_the_history_centre(self, client, clerk):
        person = PersonFactory(name="王建国")
        client.force_login(clerk)
        response = client.get("/admin/snippets/people/person/")
        assert response.status_code == 200
        assert escape(timeline_url(person)) not in response.content.decode()

    def test_the_edit_page_links_to_the_timeline(self, client, superuser):
        person = PersonFactory(name="王建国")
        client.force_login(superuser)
        response = client.get(f"/admin/snippets/people/person/edit/{person.pk}/")
        assert response.status_code == 200
        assert escape(timeline_url(person)) in response.content.decode()


@pytest.mark.django_db
class TestQueryBudget:
    def count_queries(self, client, **params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INDEX, params)
        assert response.status_code == 200
        return len(queries), len(listed(response))

    def fill(self, total, users, page):
        """Add people's changes by several users, and now and then a page edit, until the
        timeline holds ``total`` entries."""
        while (count := AuditEntry.objects.count()) < total:
            user = users[count % len(users)]
            if count % 10 == 0:
                page.save_revision(user=user, log_action=True)
            else:
                save_person(PersonFactory.build(), user=user)

    def test_the_index_answers_in_the_same_number_of_queries_for_30_or_300_entries(
        self, client, supervisor, editor, clerk, moderator, home_page
    ):
        users = [editor, clerk, moderator]
        page = StandardPageFactory(user=moderator)
        client.force_login(supervisor)
        self.fill(30, users, page)
        client.get(INDEX)  # warm the per-process caches (content types, sessions)
        few = self.count_queries(client)
        filtered_few = self.count_queries(client, user=clerk.pk, q="a")

        self.fill(300, users, page)
        many = self.count_queries(client)
        filtered_many = self.count_queries(client, user=clerk.pk, q="a")

        assert few[1] == 30
        assert many[1] == 50  # one page of the listing
        assert few[0] == many[0]
        assert filtered_few[0] == filtered_many[0]

    def test_the_entry_page_answers_in_a_bounded_number_of_queries(self, client, supervisor):
        person = PersonFactory()
        client.force_login(supervisor)
        save_person(person)
        client.get(entry_url(entries_for(person).last()))
        with CaptureQueriesContext(connection) as few:
            client.get(entry_url(entries_for(person).last()))
        for _ in range(20):
            save_person(person)
        with CaptureQueriesContext(connection) as many:
            client.get(entry_url(entries_for(person).last()))
        assert len(few) == len(many)
