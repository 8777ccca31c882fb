"""Who may do what with the co-building registers: the party-affairs office keeps all of
them, supervisors read them (and their exports) but change nothing, editors, moderators,
meeting clerks and duty cadres see nothing of them. A partner's contact person and phone are
masked in the History centre for users who may not see partners."""

import pytest

from django.contrib.auth.models import Group, Permission

from audit.diff import HIDDEN
from cobuilding.factories import (
    AgreementFactory,
    GuidanceVisitFactory,
    JointActivityFactory,
    NewOrganisationFactory,
    PartnerFactory,
)
from cobuilding.models import Partner
from core import roles
from tests.audit.support import entries_for
from tests.support import logged_in

from .support import ACTIVITIES, LISTINGS, PARTNERS, refused

pytestmark = pytest.mark.django_db

MENU = "/admin/snippets/cobuilding/"


@pytest.fixture
def records():
    partner = PartnerFactory(name="区人民医院", contact_person="罗志刚")
    AgreementFactory(partner=partner)
    JointActivityFactory(partners=[partner])
    GuidanceVisitFactory(organisation=NewOrganisationFactory(party_members=3))
    return partner


@pytest.fixture
def nobody(editor, moderator, clerk, make_user):
    """The roles that see nothing of co-building."""
    return [editor, moderator, clerk, make_user(roles.DUTY_CADRES, username="duty")]


def partner_form(partner, **changes):
    data = {
        "name": partner.name,
        "kind": partner.kind,
        "address": partner.address,
        "contact_person": partner.contact_person,
        "contact_phone": partner.contact_phone,
        "active": "on",
        "notes": "",
        "change_reason": "",
    }
    data.update(changes)
    return data


class TestTheOffice:
    def test_opens_every_listing_and_form(self, office, records):
        client = logged_in(office)
        for listing in LISTINGS:
            assert client.get(listing).status_code == 200, listing
            assert client.get(f"{listing}add/").status_code == 200, listing
        assert client.get(f"{PARTNERS}edit/{records.pk}/").status_code == 200

    def test_changes_a_partner_with_a_reason(self, office, records):
        response = logged_in(office).post(
            f"{PARTNERS}edit/{records.pk}/",
            partner_form(records, contact_phone="13800001111", change_reason="联系人换号"),
        )
        assert response.status_code == 302
        records.refresh_from_db()
        assert records.contact_phone == "13800001111"
        latest = records.history.latest()
        assert (latest.history_user_id, latest.history_change_reason) == (office.pk, "联系人换号")


class TestSupervisors:
    def test_read_every_listing_and_its_export(self, supervisor, records):
        client = logged_in(supervisor)
        for listing in LISTINGS:
            assert client.get(listing).status_code == 200, listing
            assert client.get(listing, {"export": "csv"}).status_code == 200, listing

    def test_change_nothing(self, supervisor, records):
        client = logged_in(supervisor)
        for listing in LISTINGS:
            assert refused(client.get(f"{listing}add/")), listing
        response = client.post(
            f"{PARTNERS}edit/{records.pk}/", partner_form(records, contact_phone="13800002222")
        )
        assert refused(response)
        response = client.post(f"{PARTNERS}add/", partner_form(records, name="新单位"))
        assert refused(response)
        records.refresh_from_db()
        assert records.contact_phone != "13800002222"
        assert not Partner.objects.filter(name="新单位").exists()
        assert records.history.count() == 1


class TestEveryoneElse:
    def test_sees_no_listing_no_export_no_form(self, nobody, records):
        for user in nobody:
            client = logged_in(user)
            for listing in LISTINGS:
                assert refused(client.get(listing)), (user.username, listing)
                assert refused(client.get(listing, {"export": "csv"})), (user.username, listing)
                assert refused(client.get(f"{listing}add/")), (user.username, listing)

    def test_changes_nothing(self, nobody, records):
        for user in nobody:
            client = logged_in(user)
            response = client.post(
                f"{PARTNERS}edit/{records.pk}/", partner_form(records, contact_phone="13800003333")
            )
            assert refused(response), user.username
            assert refused(client.post(f"{PARTNERS}add/", partner_form(records, name="新单位")))
        records.refresh_from_db()
        assert records.contact_phone != "13800003333"
        assert not Partner.objects.filter(name="新单位").exists()
        assert records.history.count() == 1

    def test_the_menu_is_not_shown(self, nobody):
        for user in nobody:
            html = logged_in(user).get("/admin/").content.decode()
            assert MENU not in html, user.username


def test_the_menu_leads_the_office_and_supervisors_to_the_registers(office, supervisor):
    for user in (office, supervisor):
        html = logged_in(user).get("/admin/").content.decode()
        assert PARTNERS in html, user.username


def test_history_masks_the_contact_for_those_who_may_not_see_partners(
    office, supervisor, make_user
):
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_auditentry"],
            content_type__app_label__in=["wagtailadmin", "audit"],
        )
    )
    auditor = make_user("Auditors", username="auditor")
    partner = PartnerFactory(contact_person="罗志刚", contact_phone="13911112222")
    partner.contact_person = "韩立军"
    partner.contact_phone = "13933334444"
    partner._change_reason = "联系人调整"
    partner._history_user = office
    partner.save()
    url = f"/admin/history/entry/{entries_for(partner).last().pk}/"

    masked = logged_in(auditor).get(url).content.decode()
    assert "韩立军" not in masked and "13933334444" not in masked
    assert "13911112222" not in masked
    assert HIDDEN in masked
    shown = logged_in(supervisor).get(url).content.decode()
    assert "13933334444" in shown
    assert HIDDEN not in shown


def test_an_activity_without_a_photo_reads_a_dash_not_none(office):
    activity = JointActivityFactory(partners=[PartnerFactory()], photo=None)
    html = logged_in(office).get(f"{ACTIVITIES}inspect/{activity.pk}/").content.decode()
    assert ">None<" not in html.replace(" ", "").replace("\n", "")
