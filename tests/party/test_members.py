"""Party members (党员): validation per category, contact card numbers, transfers by the
party-affairs office with their history, the contact card page, the rosters' export, who may
see what, and the demo."""

import csv
import datetime
import io

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import roles
from core.models import CommunitySettings
from core.transitions import perform
from home.management.commands.seed_demo import SEEDERS
from party import demo as party_demo
from party.factories import PartyMemberFactory
from party.models import PartyMember, PartyMemberState
from people import demo as people_demo
from people.factories import PersonFactory
from people.models import PartyStatus
from tests.support import logged_in, ui

LIST_URL = "/admin/snippets/party/partymember/"
ADD_URL = f"{LIST_URL}add/"


def edit_url(member):
    return f"{LIST_URL}edit/{member.pk}/"


def inspect_url(member):
    return f"{LIST_URL}inspect/{member.pk}/"


def transition_url(member, name):
    return f"{LIST_URL}{member.pk}/transition/{name}/"


def card_url(member):
    return reverse("party_contact_card", args=[member.pk])


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def cadre_user(make_user):
    return make_user(roles.DUTY_CADRES, username="duty-cadre")


@pytest.fixture
def wrong_users(editor, moderator, clerk, cadre_user):
    return [editor, moderator, clerk, cadre_user]


def refused(response):
    """Refused as Wagtail's admin refuses: 403, or back to the dashboard with its message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
    )


def form_data(person, **changes):
    data = {
        "person": person.pk,
        "category": PartyStatus.REGISTERED,
        "branch": "第一党支部",
        "joined_on": "2001-07-01",
        "workplace": "",
        "workplace_organisation": "",
        "contact_hours": "",
        "relation_held_at": "",
        "here_since": "",
        "transferred_in_from": "",
        "transferred_in_on": "",
        "notes": "",
        "change_reason": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestValidationPerCategory:
    def test_a_registered_member_needs_no_workplace(self):
        member = PartyMemberFactory.build(person=PersonFactory())
        member.full_clean(exclude=["card_number", "state"])

    @pytest.mark.parametrize(
        ("trait", "needed"),
        [
            ("in_service", {"workplace", "workplace_organisation", "contact_hours"}),
            ("migrant", {"relation_held_at", "here_since"}),
        ],
    )
    def test_the_fields_of_the_category_are_required(self, trait, needed):
        member = PartyMemberFactory.build(person=PersonFactory(), **{trait: True})
        member.full_clean(exclude=["card_number", "state"])
        for name in needed:
            setattr(member, name, None if name == "here_since" else "")
        with pytest.raises(ValidationError) as error:
            member.full_clean(exclude=["card_number", "state"])
        assert set(error.value.message_dict) == needed

    def test_the_admin_form_says_what_an_in_service_member_lacks(self, office):
        person = PersonFactory()
        response = logged_in(office).post(
            ADD_URL, form_data(person, category=PartyStatus.IN_SERVICE, workplace="区医院")
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"workplace_organisation", "contact_hours"}
        assert errors["contact_hours"] == [ui("zh-hans", "An in-service member needs this.")]
        assert ui("zh-hans", "An in-service member needs this.") in response.content.decode()
        assert not PartyMember.objects.exists()

    def test_the_admin_form_says_what_a_migrant_member_lacks(self, office):
        response = logged_in(office).post(
            ADD_URL, form_data(PersonFactory(), category=PartyStatus.MIGRANT)
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"relation_held_at", "here_since"}
        assert not PartyMember.objects.exists()

    def test_the_office_adds_a_member_and_the_register_follows(self, office):
        person = PersonFactory(is_party_member=False)
        response = logged_in(office).post(
            ADD_URL,
            form_data(
                person,
                category=PartyStatus.MIGRANT,
                relation_held_at="阜阳市某村党支部",
                here_since="2024-03-01",
                change_reason="新登记",
            ),
        )
        assert response.status_code == 302
        member = PartyMember.objects.get()
        assert member.state == PartyMemberState.ACTIVE
        person.refresh_from_db()
        assert person.is_party_member
        assert person.party_membership == PartyStatus.MIGRANT.label
        (created,) = member.history.all()
        assert (created.history_user_id, created.history_change_reason) == (office.pk, "新登记")

    def test_a_date_joined_in_the_future_is_refused(self):
        member = PartyMemberFactory.build(
            person=PersonFactory(), joined_on=datetime.date.today() + datetime.timedelta(days=2)
        )
        with pytest.raises(ValidationError) as error:
            member.full_clean(exclude=["card_number", "state"])
        assert "joined_on" in error.value.message_dict


@pytest.mark.django_db
class TestCardNumbers:
    def test_numbered_in_sequence_per_year_and_unique(self):
        with time_machine.travel(datetime.datetime(2025, 12, 31, 12, tzinfo=datetime.UTC)):
            first, second = PartyMemberFactory(), PartyMemberFactory()
        with time_machine.travel(datetime.datetime(2026, 1, 2, 12, tzinfo=datetime.UTC)):
            third = PartyMemberFactory()
        assert [first.card_number, second.card_number, third.card_number] == [
            "2025-0001",
            "2025-0002",
            "2026-0001",
        ]

    def test_a_number_is_kept_when_the_member_changes(self):
        member = PartyMemberFactory()
        number = member.card_number
        member.branch = "第二党支部"
        member.save()
        member.refresh_from_db()
        assert member.card_number == number

    def test_the_database_refuses_a_duplicate(self):
        from django.db import IntegrityError

        member = PartyMemberFactory()
        other = PartyMemberFactory()
        with pytest.raises(IntegrityError):
            PartyMember.objects.filter(pk=other.pk).update(card_number=member.card_number)

    def test_the_form_offers_no_card_number(self, office):
        response = logged_in(office).get(ADD_URL)
        assert response.status_code == 200
        assert "card_number" not in response.context["form"].fields


@pytest.mark.django_db
class TestTransfers:
    def test_the_office_transfers_a_member_out_with_a_reason(self, office):
        member = PartyMemberFactory(migrant=True)
        response = logged_in(office).post(
            transition_url(member, "transfer_out"),
            {"destination": "阜阳市某村党支部", "on": "2026-11-30", "reason": "回原籍"},
        )
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.state == PartyMemberState.TRANSFERRED_OUT
        assert (member.transferred_out_to, member.transferred_out_on) == (
            "阜阳市某村党支部",
            datetime.date(2026, 11, 30),
        )
        latest = member.history.latest()
        assert latest.state == PartyMemberState.TRANSFERRED_OUT
        assert (latest.history_user_id, latest.history_change_reason) == (office.pk, "回原籍")

    def test_a_transfer_out_needs_a_reason(self, office):
        member = PartyMemberFactory()
        response = logged_in(office).post(
            transition_url(member, "transfer_out"), {"destination": "外区", "on": "2026-11-30"}
        )
        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        member.refresh_from_db()
        assert member.state == PartyMemberState.ACTIVE

    def test_a_member_transferred_out_comes_back_in(self, office):
        member = PartyMemberFactory()
        perform(member, "transfer_out", office, reason="调动", destination="外区")
        perform(member, "transfer_in", office, reason="调回", origin="外区")
        member.refresh_from_db()
        assert member.state == PartyMemberState.ACTIVE
        assert (member.transferred_in_from, member.transferred_out_to) == ("外区", "")
        reasons = [row.history_change_reason for row in member.history.order_by("history_id")]
        assert reasons[-2:] == ["调动", "调回"]

    def test_the_office_sees_the_transfer_button(self, office):
        member = PartyMemberFactory()
        html = logged_in(office).get(LIST_URL).content.decode()
        assert transition_url(member, "transfer_out") in html

    def test_the_wrong_roles_may_not_transfer(self, wrong_users, supervisor):
        member = PartyMemberFactory()
        for user in [*wrong_users, supervisor]:
            response = logged_in(user).post(
                transition_url(member, "transfer_out"),
                {"destination": "外区", "on": "2026-11-30", "reason": "试"},
            )
            assert refused(response), user.username
            with pytest.raises(PermissionDenied):
                perform(member, "transfer_out", user, reason="试", destination="外区")
        member.refresh_from_db()
        assert member.state == PartyMemberState.ACTIVE
        assert member.history.count() == 1

    def test_the_state_is_never_set_by_hand(self):
        member = PartyMemberFactory()
        with pytest.raises(AttributeError):
            member.state = PartyMemberState.TRANSFERRED_OUT


@pytest.fixture
def community(site):
    settings = CommunitySettings.for_site(site)
    settings.community_name = "幸福里社区"
    settings.office_address = "幸福路1号"
    settings.duty_phone = "021-12345678"
    settings.save()
    return settings


@pytest.mark.django_db
class TestContactCard:
    def test_one_card_for_one_member(self, office, community):
        member = PartyMemberFactory(in_service=True, person__name="李建国")
        response = logged_in(office).get(card_url(member))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('class="card"') == 1
        for text in ("李建国", member.card_number, "第一党支部", "幸福路1号", "021-12345678"):
            assert text in html
        assert str(PartyStatus.IN_SERVICE.label) in html or "在职" in html
        # Personal data stays off the card.
        assert "区人民医院" not in html
        assert member.person.phone not in html

    def test_one_page_per_card(self, office, community):
        PartyMemberFactory()
        html = logged_in(office).get(reverse("party_contact_cards")).content.decode()
        assert "@page" in html
        assert "page-break-after: always" in html

    def test_a_card_for_every_active_member_of_a_category(self, office, community):
        in_service = [PartyMemberFactory(in_service=True) for _ in range(3)]
        PartyMemberFactory(migrant=True)
        gone = PartyMemberFactory(in_service=True)
        perform(gone, "transfer_out", office, reason="调动", destination="外区")
        response = logged_in(office).get(
            reverse("party_contact_cards"), {"category": PartyStatus.IN_SERVICE}
        )
        html = response.content.decode()
        assert html.count('class="card"') == 3
        for member in in_service:
            assert member.card_number in html
        assert gone.card_number not in html

    def test_a_card_for_a_selection(self, office, community):
        chosen = [PartyMemberFactory(), PartyMemberFactory(migrant=True)]
        other = PartyMemberFactory()
        response = logged_in(office).get(
            reverse("party_contact_cards"), {"id": [m.pk for m in chosen] + ["x"]}
        )
        html = response.content.decode()
        assert html.count('class="card"') == 2
        assert other.card_number not in html

    def test_an_unknown_category_or_member_answers_no_error(self, office):
        client = logged_in(office)
        assert client.get(reverse("party_contact_cards"), {"category": "<x>"}).status_code == 200
        assert client.get(reverse("party_contact_card", args=[999999])).status_code == 404

    def test_staff_only(self, wrong_users, client):
        member = PartyMemberFactory()
        for user in wrong_users:
            response = logged_in(user).get(card_url(member))
            assert refused(response), user.username
            assert member.card_number not in response.content.decode()
        response = client.get(card_url(member))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def roster_csv(user, category):
    response = logged_in(user).get(LIST_URL, {"category": category, "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode("utf-8")


@pytest.mark.django_db
class TestRosters:
    def test_the_roster_of_a_category_exports_as_csv(self, office):
        member = PartyMemberFactory(in_service=True, workplace="=HYPERLINK(1)")
        PartyMemberFactory(migrant=True)
        response, text = roster_csv(office, PartyStatus.IN_SERVICE)
        assert "party-members-in_service" in response["Content-Disposition"]
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text[1:])))
        assert len(rows) == 2
        cells = rows[1]
        assert member.card_number in cells
        assert member.person.phone in cells
        # Typed text comes out as text, never a live formula.
        assert "'=HYPERLINK(1)" in cells
        assert "=HYPERLINK(1)" not in cells

    def test_the_roster_exports_as_xlsx(self, office):
        from openpyxl import load_workbook

        PartyMemberFactory(migrant=True, relation_held_at="+SUM(A1)")
        response = logged_in(office).get(
            LIST_URL, {"category": PartyStatus.MIGRANT, "export": "xlsx"}
        )
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        cells = [c for row in load_workbook(io.BytesIO(body)).active.iter_rows() for c in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        assert any(c.value == "+SUM(A1)" and c.data_type == "s" for c in cells)

    def test_the_menu_offers_a_roster_per_category(self, office, editor):
        html = logged_in(office).get("/admin/").content.decode()
        for category in PartyStatus.values:
            assert f"{LIST_URL}?category={category}" in html
        assert f"{LIST_URL}?category=" not in logged_in(editor).get("/admin/").content.decode()


@pytest.mark.django_db
class TestWhoMaySee:
    def test_the_office_keeps_the_members(self, office):
        member = PartyMemberFactory(in_service=True)
        client = logged_in(office)
        assert client.get(LIST_URL).status_code == 200
        assert "区人民医院" in client.get(inspect_url(member)).content.decode()
        assert client.get(edit_url(member)).status_code == 200

    def test_supervisors_read_but_change_nothing(self, supervisor):
        member = PartyMemberFactory(in_service=True)
        client = logged_in(supervisor)
        assert client.get(LIST_URL).status_code == 200
        assert "区人民医院" in client.get(inspect_url(member)).content.decode()
        assert refused(client.get(edit_url(member)))
        assert refused(client.get(ADD_URL))
        assert refused(client.post(edit_url(member), form_data(member.person, branch="改")))
        assert refused(client.post(transition_url(member, "transfer_out"), {"reason": "试"}))
        member.refresh_from_db()
        assert member.branch == "第一党支部"

    def test_every_other_role_gets_403_on_every_party_view(self, wrong_users):
        member = PartyMemberFactory(in_service=True)
        urls = [
            LIST_URL,
            f"{LIST_URL}?category={PartyStatus.IN_SERVICE}&export=csv",
            ADD_URL,
            edit_url(member),
            inspect_url(member),
            transition_url(member, "transfer_out"),
            card_url(member),
            reverse("party_contact_cards"),
        ]
        for user in wrong_users:
            client = logged_in(user)
            for url in urls:
                response = client.get(url)
                assert refused(response), (user.username, url)
                assert member.card_number not in response.content.decode()
            assert refused(client.post(edit_url(member), form_data(member.person, branch="改")))
            assert refused(client.post(ADD_URL, form_data(PersonFactory())))
        member.refresh_from_db()
        assert member.branch == "第一党支部"
        assert member.history.count() == 1

    def test_history_masks_contact_data_for_those_who_may_not_see_members(
        self, office, supervisor, make_user
    ):
        from django.contrib.auth.models import Group, Permission

        from audit.diff import HIDDEN
        from tests.audit.support import entries_for

        auditors = Group.objects.create(name="Auditors")
        auditors.permissions.set(
            Permission.objects.filter(
                codename__in=["access_admin", "view_auditentry"],
                content_type__app_label__in=["wagtailadmin", "audit"],
            )
        )
        auditor = make_user("Auditors", username="auditor")
        member = PartyMemberFactory(in_service=True, person__name="王建国")
        member.workplace = "市第三中学"
        member._change_reason = "调换单位"
        member._history_user = office
        member.save()
        url = f"/admin/history/entry/{entries_for(member).last().pk}/"

        masked = logged_in(auditor).get(url).content.decode()
        assert "市第三中学" not in masked and "区人民医院" not in masked
        assert HIDDEN in masked
        shown = logged_in(supervisor).get(url).content.decode()
        assert "<ins>市第三中学</ins>" in shown
        assert HIDDEN not in shown

    def test_nothing_on_the_public_site(self, client):
        PartyMemberFactory(in_service=True, person__name="不公开的名字")
        assert "不公开的名字" not in client.get("/").content.decode()
        assert client.get("/party/").status_code == 404


def seed(scale, office):
    people_demo.seed(scale=scale, users={})
    return party_demo.seed(scale=scale, users={"party": office})


@pytest.mark.django_db
class TestDemo:
    def test_seed_demo_seeds_the_party_members(self):
        assert ("party members", party_demo.seed) in SEEDERS

    def test_members_of_every_category_and_one_transferred_out(self, office):
        assert seed(1, office) > 0
        members = PartyMember.objects.all()
        assert set(members.values_list("category", flat=True)) == set(PartyStatus.values)
        (gone,) = members.filter(state=PartyMemberState.TRANSFERRED_OUT)
        latest = gone.history.latest()
        assert latest.history_user_id == office.pk
        assert latest.history_change_reason
        assert gone.transferred_out_to
        count = members.count()

        assert seed(1, office) == 0
        assert PartyMember.objects.count() == count
        assert PartyMember.objects.filter(state=PartyMemberState.TRANSFERRED_OUT).count() == 1

        seed(2, office)
        assert PartyMember.objects.count() > count
        assert PartyMember.objects.filter(state=PartyMemberState.TRANSFERRED_OUT).count() == 1
        numbers = list(PartyMember.objects.values_list("card_number", flat=True))
        assert len(numbers) == len(set(numbers))


@pytest.mark.django_db
class TestCardsForTheSelection:
    def test_the_listing_action_prints_the_ticked_members(self, office, community):
        chosen = [PartyMemberFactory(), PartyMemberFactory(in_service=True)]
        other = PartyMemberFactory()
        query = "&".join(f"id={member.pk}" for member in chosen)
        client = logged_in(office)
        response = client.get(f"/admin/bulk/party/partymember/print_contact_cards/?{query}")
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
        assert html.count('class="card"') == 2
        assert other.card_number not in html

    def test_the_listing_action_is_refused_to_the_wrong_roles(self, wrong_users):
        member = PartyMemberFactory()
        for user in wrong_users:
            response = logged_in(user).get(
                f"/admin/bulk/party/partymember/print_contact_cards/?id={member.pk}"
            )
            assert refused(response), user.username


@pytest.mark.django_db
def test_a_member_who_changes_category_keeps_nothing_of_the_old_one(office):
    member = PartyMemberFactory(in_service=True)
    response = logged_in(office).post(
        edit_url(member),
        form_data(
            member.person,
            category=PartyStatus.MIGRANT,
            workplace=member.workplace,
            workplace_organisation=member.workplace_organisation,
            contact_hours=member.contact_hours,
            relation_held_at="信阳市某街道党工委",
            here_since="2025-05-01",
            change_reason="离职外出务工",
        ),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.category == PartyStatus.MIGRANT
    assert (member.workplace, member.workplace_organisation, member.contact_hours) == ("", "", "")
    assert member.person.party_membership == PartyStatus.MIGRANT.label
    latest = member.history.latest()
    assert (latest.history_user_id, latest.history_change_reason) == (office.pk, "离职外出务工")


@pytest.mark.django_db
def test_the_transfer_page_shows_the_member(office):
    member = PartyMemberFactory()
    html = logged_in(office).get(transition_url(member, "transfer_out")).content.decode()
    assert member.card_number in html
    assert 'name="destination"' in html
    assert 'name="reason"' in html
