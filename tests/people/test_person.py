"""The register of persons: history, admin forms and their validation, roles, privacy."""

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from wagtail.models import ModelLogEntry

from party.factories import PartyMemberFactory
from people.factories import PersonFactory
from people.models import Person
from people.validators import normalise_phone, validate_phone
from tests.home.factories import StandardPageFactory

ADD_URL = "/admin/snippets/people/person/add/"
LIST_URL = "/admin/snippets/people/person/"

# The messages in the site's default language, Simplified Chinese, which the admin speaks.
NO_ROLE = "请为此人至少选择一种身份。"
BAD_PHONE = "请输入11位手机号码，或带区号的固定电话，例如 021-12345678。"


def edit_url(person):
    return f"/admin/snippets/people/person/edit/{person.pk}/"


def inspect_url(person):
    return f"/admin/snippets/people/person/inspect/{person.pk}/"


def delete_url(person):
    return f"/admin/snippets/people/person/delete/{person.pk}/"


def form_data(**changes):
    """What the admin form posts for a representative; ``changes`` override fields."""
    data = {
        "name": "张秀英",
        "is_cadre": False,
        "is_representative": True,
        "is_volunteer": False,
        "building": "3号楼",
        "unit": "2单元",
        "phone": "13912345678",
        "user": "",
        "is_active": True,
        "notes": "",
    }
    data.update(changes)
    # An unticked checkbox is simply not posted.
    return {
        key: ("on" if value is True else value) for key, value in data.items() if value is not False
    }


def person_form_data(person, **changes):
    fields = {name: getattr(person, name) for name in form_data()}
    fields["user"] = person.user_id or ""
    return form_data(**{**fields, **changes})


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.mark.django_db
class TestHistory:
    def test_creating_writes_a_history_row(self):
        person = PersonFactory(name="王建国")
        (created,) = person.history.all()
        assert created.history_type == "+"
        assert created.name == "王建国"

    def test_changing_writes_a_history_row_with_the_old_and_new_values(self):
        person = PersonFactory(name="王建国", building="1号楼")
        person.building = "5号楼"
        person.save()
        changed, created = person.history.all()
        assert changed.history_type == "~"
        assert (created.building, changed.building) == ("1号楼", "5号楼")
        diff = changed.diff_against(created, excluded_fields=["updated_at"])
        assert [change.field for change in diff.changes] == ["building"]

    def test_deleting_writes_a_history_row_and_the_record_stays_in_history(self):
        person = PersonFactory(name="王建国")
        pk = person.pk
        person.delete()
        assert not Person.objects.filter(pk=pk).exists()
        deleted, created = Person.history.filter(id=pk)
        assert (created.history_type, deleted.history_type) == ("+", "-")
        assert deleted.name == "王建国"

    def test_a_deleted_person_can_be_restored_from_history(self):
        person = PersonFactory(name="王建国", phone="13900000001")
        pk = person.pk
        person.delete()
        Person.history.filter(id=pk).first().instance.save()
        restored = Person.objects.get(pk=pk)
        assert (restored.name, restored.phone) == ("王建国", "13900000001")


@pytest.mark.django_db
class TestAdminRecordsTheUser:
    def test_create_through_the_snippet_view(self, clerk_client, clerk):
        response = clerk_client.post(ADD_URL, form_data(phone="+86 139 1234 5678"))
        assert response.status_code == 302
        person = Person.objects.get()
        (created,) = person.history.all()
        assert created.history_type == "+"
        assert created.history_user == clerk
        assert person.phone == "13912345678"
        assert ModelLogEntry.objects.for_instance(person).get().user == clerk

    def test_edit_through_the_snippet_view(self, clerk_client, clerk):
        person = PersonFactory(name="张秀英", is_representative=True)
        response = clerk_client.post(edit_url(person), person_form_data(person, unit="4单元"))
        assert response.status_code == 302
        changed, created = person.history.all()
        assert changed.history_type == "~"
        assert changed.history_user == clerk
        assert created.history_user is None
        assert changed.unit == "4单元"

    def test_delete_through_the_snippet_view_by_an_administrator(self, client, superuser):
        person = PersonFactory()
        client.force_login(superuser)
        response = client.post(delete_url(person))
        assert response.status_code == 302
        deleted, _created = Person.history.filter(id=person.pk)
        assert deleted.history_type == "-"
        assert deleted.history_user == superuser

    def test_a_clerk_may_not_delete(self, clerk_client):
        person = PersonFactory()
        response = clerk_client.post(delete_url(person))
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        assert Person.objects.filter(pk=person.pk).exists()
        assert person.history.count() == 1


@pytest.mark.django_db
class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"is_representative": False}, NO_ROLE),
            # Party membership is not the person form's to give: it comes from a member record.
            ({"is_representative": False, "is_party_member": True}, NO_ROLE),
            ({"phone": "12345"}, BAD_PHONE),
            ({"phone": "12912345678"}, BAD_PHONE),
            ({"phone": "139123456789"}, BAD_PHONE),
            ({"phone": "call me"}, BAD_PHONE),
        ],
    )
    def test_a_bad_new_person_is_refused_with_a_message(self, clerk_client, changes, message):
        response = clerk_client.post(ADD_URL, form_data(**changes))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Person.objects.exists()
        assert not Person.history.exists()

    def test_a_bad_change_is_refused_and_changes_nothing(self, clerk_client):
        person = PersonFactory(name="张秀英", phone="13900000001")
        response = clerk_client.post(
            edit_url(person), person_form_data(person, name="改名", phone="abc")
        )
        assert response.status_code == 200
        assert BAD_PHONE in response.content.decode()
        person.refresh_from_db()
        assert (person.name, person.phone) == ("张秀英", "13900000001")
        assert person.history.count() == 1

    def test_the_form_does_not_set_party_membership(self, clerk_client):
        data = form_data(is_party_member=True, party_status="in_service")
        assert clerk_client.post(ADD_URL, data).status_code == 302
        person = Person.objects.get()
        assert (person.is_party_member, person.party_membership) == (False, "")

    def test_the_model_refuses_a_person_without_a_role(self):
        person = Person(name="无身份")
        with pytest.raises(ValidationError) as error:
            person.full_clean()
        assert error.value.message_dict == {"__all__": [NO_ROLE]}

    def test_a_party_member_needs_no_other_role(self):
        person = PartyMemberFactory(person__is_representative=False).person
        person.full_clean()

    def test_the_model_refuses_a_bad_phone(self):
        person = Person(name="张三", is_volunteer=True, phone="0000")
        with pytest.raises(ValidationError) as error:
            person.full_clean()
        assert error.value.message_dict == {"phone": [BAD_PHONE]}


class TestPhone:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("+86 139 1234 5678", "13912345678"),
            ("+8613912345678", "13912345678"),
            ("139 1234 5678", "13912345678"),
            (" 13912345678 ", "13912345678"),
            ("(021) 64550100", "02164550100"),
            ("021-64550100", "021-64550100"),
            ("", ""),
            (None, ""),
        ],
    )
    def test_normalise(self, typed, stored):
        assert normalise_phone(typed) == stored

    @pytest.mark.parametrize(
        "value",
        ["13912345678", "19912345678", "+86 139 1234 5678", "021-64550100", "0755 1234567"],
    )
    def test_valid_numbers(self, value):
        validate_phone(value)

    @pytest.mark.parametrize(
        "value", ["12345", "12912345678", "1391234567", "139123456789", "21-64550100", "phone"]
    )
    def test_invalid_numbers(self, value):
        with pytest.raises(ValidationError) as error:
            validate_phone(value)
        assert error.value.code == "invalid_phone"

    @pytest.mark.django_db
    def test_full_clean_stores_the_normalised_number(self):
        person = Person(name="张三", is_volunteer=True, phone="+86 139 1234 5678")
        person.full_clean()
        person.save()
        person.refresh_from_db()
        assert person.phone == "13912345678"


@pytest.mark.django_db
class TestQuerySet:
    @pytest.fixture(autouse=True)
    def _register(self):
        self.rep = PersonFactory(is_representative=True)
        self.cadre = PersonFactory(is_representative=False, is_cadre=True)
        self.member = PartyMemberFactory(person__is_representative=False).person
        self.volunteer = PersonFactory(is_representative=False, is_volunteer=True)
        self.cadre_rep = PersonFactory(is_representative=True, is_cadre=True)
        self.former_rep = PersonFactory(is_representative=True, is_active=False)
        self.former_cadre = PersonFactory(is_representative=False, is_cadre=True, is_active=False)

    def test_active(self):
        assert set(Person.objects.active()) == {
            self.rep,
            self.cadre,
            self.member,
            self.volunteer,
            self.cadre_rep,
        }

    def test_representatives(self):
        assert set(Person.objects.representatives()) == {self.rep, self.cadre_rep}

    def test_cadres(self):
        assert set(Person.objects.cadres()) == {self.cadre, self.cadre_rep}

    def test_party_members_and_volunteers(self):
        assert list(Person.objects.party_members()) == [self.member]
        assert list(Person.objects.volunteers()) == [self.volunteer]

    def test_methods_chain(self):
        assert list(Person.objects.representatives().cadres()) == [self.cadre_rep]


@pytest.mark.django_db
class TestSupervisor:
    @pytest.fixture(autouse=True)
    def _login(self, client, supervisor):
        self.person = PersonFactory(name="王建国")
        client.force_login(supervisor)

    def test_can_open_the_listing(self, client):
        response = client.get(LIST_URL)
        assert response.status_code == 200
        assert "王建国" in response.content.decode()

    def test_can_inspect_a_person(self, client):
        response = client.get(inspect_url(self.person))
        assert response.status_code == 200
        assert "王建国" in response.content.decode()

    @pytest.mark.parametrize("view", ["add", "edit", "delete"])
    def test_may_not_open_a_changing_view(self, client, view):
        url = {"add": ADD_URL, "edit": edit_url(self.person), "delete": delete_url(self.person)}
        response = client.get(url[view])
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")

    def test_a_posted_form_changes_nothing(self, client):
        client.post(ADD_URL, form_data(name="新人"))
        client.post(edit_url(self.person), person_form_data(self.person, name="改名"))
        client.post(delete_url(self.person))
        assert list(Person.objects.values_list("name", flat=True)) == ["王建国"]
        assert self.person.history.count() == 1


@pytest.mark.django_db
class TestPhoneNeverPublic:
    @pytest.fixture(autouse=True)
    def _content(self, home_page):
        PersonFactory(name="韩梅梅", phone="13912345678", is_cadre=True)
        StandardPageFactory(
            slug="volunteers",
            show_in_menus=True,
            title="志愿者韩梅梅",
            introduction="社区志愿者韩梅梅负责垃圾分类咨询。",
        )

    @pytest.mark.parametrize("path", ["/", "/volunteers/", "/sitemap.xml"])
    def test_not_on_public_pages(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert "13912345678" not in response.content.decode()

    @pytest.mark.search_index
    def test_not_in_search_results(self, client):
        response = client.get("/search/", {"q": "韩梅梅"})
        content = response.content.decode()
        assert "/volunteers/" in content
        assert "13912345678" not in content
