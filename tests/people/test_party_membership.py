"""A person's party membership comes from the party member record, the one source of it and
of its category: the register follows the record (added, transferred out and back in,
deleted, moved to another person), shows it read-only with a link, lists and filters it
through the record without a query per row, and the person's form never sets it."""

import csv
import io

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.transitions import perform
from party.factories import PartyMemberFactory
from party.models import PartyMember
from people.factories import PersonFactory
from people.models import PartyStatus, Person
from tests.support import logged_in, ui

LIST_URL = "/admin/snippets/people/person/"
ADD_URL = f"{LIST_URL}add/"
MEMBER_ADD_URL = "/admin/snippets/party/partymember/add/"
NO_ROLE = "Choose at least one role for this person."

pytestmark = pytest.mark.django_db


def edit_url(person):
    return f"{LIST_URL}edit/{person.pk}/"


def form_data(**changes):
    data = {
        "name": "党新人",
        "is_representative": "",
        "building": "7号楼",
        "unit": "1单元",
        "phone": "13912340000",
        "user": "",
        "is_active": "on",
        "notes": "",
        "change_reason": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def person_form(person, **changes):
    data = {
        "name": person.name,
        "building": person.building,
        "unit": person.unit,
        "phone": person.phone,
        "user": "",
        "notes": person.notes,
        "change_reason": "",
        **{role: "on" for role in Person.ASSIGNED_ROLE_FIELDS if getattr(person, role)},
    }
    if person.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def membership_panel(html):
    start = html.index("data-party-membership")
    return html[start : html.index("</div>", start)]


@pytest.fixture
def office(party_office):
    return party_office


class TestTheRegisterFollowsTheRecord:
    def test_a_new_record_makes_the_person_a_party_member(self, office):
        person = PersonFactory(is_representative=False, is_volunteer=True)
        member = PartyMemberFactory(person=person, migrant=True)
        person.refresh_from_db()
        assert person.is_party_member
        assert person.party_membership == PartyStatus.MIGRANT.label
        assert person.party_member_record == member

    def test_transferred_out_and_back_in(self, office):
        member = PartyMemberFactory()
        person = member.person
        perform(member, "transfer_out", office, reason="转往外区", destination="外区某党支部")
        person.refresh_from_db()
        assert not person.is_party_member
        assert person.party_membership == member.get_state_display()
        # The person's own history says who and why, as the member's does.
        left = person.history.latest()
        assert (left.history_type, left.is_party_member) == ("~", False)
        assert (left.history_user_id, left.history_change_reason) == (office.pk, "转往外区")

        perform(member, "transfer_in", office, reason="转回本社区", origin="外区某党支部")
        person.refresh_from_db()
        assert person.is_party_member
        assert person.party_membership == PartyStatus.REGISTERED.label

    def test_a_deleted_record_leaves_no_party_member(self):
        member = PartyMemberFactory()
        person = member.person
        member.delete()
        person.refresh_from_db()
        assert not person.is_party_member
        assert person.party_member_record is None

    def test_a_record_moved_to_another_person_moves_the_membership(self, office):
        member = PartyMemberFactory()
        first, second = member.person, PersonFactory()
        member.person = second
        member.save()
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.is_party_member, second.is_party_member) == (False, True)

    def test_a_save_that_changes_nothing_writes_no_person_history(self):
        member = PartyMemberFactory()
        rows = member.person.history.count()
        member.branch = "第二党支部"
        member.save()
        assert member.person.history.count() == rows


class TestThePersonForm:
    def test_no_party_fields_are_offered(self, office):
        person = PartyMemberFactory(in_service=True).person
        html = logged_in(office).get(edit_url(person)).content.decode()
        assert 'name="is_party_member"' not in html
        assert 'name="party_status"' not in html

    def test_a_posted_membership_is_ignored(self, office):
        person = PersonFactory(is_representative=True)
        response = logged_in(office).post(
            edit_url(person), person_form(person, is_party_member="on", party_status="migrant")
        )
        assert response.status_code == 302
        person.refresh_from_db()
        assert not person.is_party_member

    def test_an_edit_keeps_the_membership(self, office):
        person = PartyMemberFactory(person__is_representative=False).person
        response = logged_in(office).post(edit_url(person), person_form(person, unit="9单元"))
        assert response.status_code == 302
        person.refresh_from_db()
        assert (person.unit, person.is_party_member) == ("9单元", True)

    def test_a_former_member_with_no_other_role_can_still_be_edited(self, office):
        member = PartyMemberFactory(person__is_representative=False)
        perform(member, "transfer_out", office, reason="转出", destination="外区某党支部")
        person = Person.objects.get(pk=member.person_id)
        response = logged_in(office).post(
            edit_url(person), person_form(person, is_active=None, change_reason="已搬离")
        )
        assert response.status_code == 302
        person.refresh_from_db()
        assert not person.is_active

    def test_the_membership_is_shown_read_only_with_a_link_to_the_record(self, office):
        member = PartyMemberFactory(in_service=True)
        html = logged_in(office).get(edit_url(member.person)).content.decode()
        panel = membership_panel(html)
        assert str(PartyStatus.IN_SERVICE.label) in panel or "在职" in panel
        assert reverse("wagtailsnippets_party_partymember:edit", args=[member.pk]) in panel

    def test_no_link_for_who_may_not_open_the_record(self, clerk):
        member = PartyMemberFactory()
        html = logged_in(clerk).get(edit_url(member.person)).content.decode()
        panel = membership_panel(html)
        assert "/admin/snippets/party/" not in panel

    def test_a_person_with_no_record_says_so(self, clerk):
        person = PersonFactory()
        html = logged_in(clerk).get(edit_url(person)).content.decode()
        assert ui("zh-hans", "Not a party member.") in membership_panel(html)


class TestANewPartyMember:
    def test_the_office_enters_the_person_then_the_record(self, office):
        client = logged_in(office)
        response = client.post(ADD_URL, form_data(joining_party="on"))
        person = Person.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{MEMBER_ADD_URL}?person={person.pk}"
        # Not a party member until the record is added.
        assert not person.is_party_member
        form = client.get(response["Location"]).context["form"]
        assert form.initial["person"] == person.pk

    def test_without_it_a_person_with_no_role_is_refused(self, office):
        response = logged_in(office).post(ADD_URL, form_data())
        assert response.status_code == 200
        assert ui("zh-hans", NO_ROLE) in response.content.decode()
        assert not Person.objects.exists()

    def test_only_who_adds_member_records_is_offered_it(self, clerk):
        client = logged_in(clerk)
        assert 'name="joining_party"' not in client.get(ADD_URL).content.decode()
        response = client.post(ADD_URL, form_data(joining_party="on"))
        assert response.status_code == 200
        assert ui("zh-hans", NO_ROLE) in response.content.decode()
        assert not Person.objects.exists()

    def test_not_offered_for_a_person_with_a_record(self, office):
        person = PartyMemberFactory().person
        assert (
            'name="joining_party"' not in logged_in(office).get(edit_url(person)).content.decode()
        )


class TestTheListing:
    @pytest.fixture
    def register(self):
        return {
            "registered": PartyMemberFactory(person__name="在册甲").person,
            "in_service": PartyMemberFactory(in_service=True, person__name="在职乙").person,
            "migrant": PartyMemberFactory(migrant=True, person__name="流动丙").person,
            "resident": PersonFactory(name="居民丁"),
        }

    def test_the_category_is_shown_from_the_record(self, office, register):
        html = logged_in(office).get(LIST_URL, headers={"accept-language": "en"}).content
        text = html.decode()
        for label in ("Registered here", "In service here", "Migrant"):
            assert label in text

    @pytest.mark.parametrize("category", PartyStatus.values)
    def test_the_filter_reads_the_record(self, office, register, category):
        response = logged_in(office).get(LIST_URL, {"party_category": category})
        assert response.status_code == 200
        listed = {person.pk for person in response.context["object_list"]}
        assert listed == {register[category].pk}

    def test_no_query_per_row(self, office):
        client = logged_in(office)
        PartyMemberFactory.create_batch(3)
        client.get(LIST_URL)
        with CaptureQueriesContext(connection) as few:
            client.get(LIST_URL)
        PartyMemberFactory.create_batch(12, migrant=True)
        with CaptureQueriesContext(connection) as many:
            client.get(LIST_URL)
        assert len(many) == len(few)

    def test_the_export_names_the_category(self, office, register):
        response = logged_in(office).get(
            LIST_URL, {"export": "csv"}, headers={"accept-language": "en"}
        )
        rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
        by_name = {row["Name"]: row for row in rows}
        assert by_name["流动丙"]["Party membership"] == "Migrant"
        assert by_name["居民丁"]["Party membership"] == ""
        assert PartyMember.objects.count() == 3
