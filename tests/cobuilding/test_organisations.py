"""The register of new economic and social organisations (两新组织): the flag for three
party members or more and no party organisation yet, in the QuerySet, the listing's column
and filter and its export; the guidance visits paid to each."""

import csv
import datetime
import io

import pytest

from django.core.exceptions import ValidationError

from cobuilding.factories import GuidanceVisitFactory, NewOrganisationFactory
from cobuilding.models import PARTY_ORGANISATION_MINIMUM, NewOrganisation
from tests.support import logged_in

from .support import ORGANISATIONS, VISITS

pytestmark = pytest.mark.django_db


def flagged_names():
    return set(NewOrganisation.objects.needs_party_organisation().values_list("name", flat=True))


class TestTheFlag:
    def test_the_minimum_is_three(self):
        assert PARTY_ORGANISATION_MINIMUM == 3

    @pytest.mark.parametrize(
        ("members", "has_organisation", "flagged"),
        [(0, False, False), (2, False, False), (3, False, True), (4, False, True)],
        ids=["none", "two: no", "three: yes", "four: yes"],
    )
    def test_by_the_number_of_party_members(self, members, has_organisation, flagged):
        organisation = NewOrganisationFactory(
            name="测试公司", party_members=members, has_party_organisation=has_organisation
        )
        assert organisation.needs_party_organisation is flagged
        assert flagged_names() == ({"测试公司"} if flagged else set())
        annotated = NewOrganisation.objects.with_flag().get()
        assert annotated.flagged is flagged

    @pytest.mark.parametrize("members", [3, 7])
    def test_not_once_it_has_a_party_organisation(self, members):
        organisation = NewOrganisationFactory(
            party_members=members,
            has_party_organisation=True,
            party_organisation="联合党支部",
        )
        assert organisation.needs_party_organisation is False
        assert flagged_names() == set()
        assert NewOrganisation.objects.with_flag().get().flagged is False

    def test_more_party_members_than_employees_is_refused(self):
        organisation = NewOrganisationFactory.build(employees=2, party_members=3)
        with pytest.raises(ValidationError) as error:
            organisation.full_clean()
        assert "party_members" in error.value.message_dict


@pytest.fixture
def register():
    """Two flagged (three and five members, no organisation) and three not."""
    NewOrganisationFactory(name="甲公司", party_members=2)
    NewOrganisationFactory(name="乙公司", party_members=3)
    NewOrganisationFactory(name="丙社", party_members=3, has_party_organisation=True)
    NewOrganisationFactory(name="丁社", party_members=5)
    NewOrganisationFactory(name="戊社", party_members=0)


def listed(response):
    html = response.content.decode()
    return {name for name in ("甲公司", "乙公司", "丙社", "丁社", "戊社") if name in html}


class TestTheListing:
    def test_the_filter_lists_those_that_need_one(self, office, register):
        client = logged_in(office)
        assert listed(client.get(ORGANISATIONS)) == {"甲公司", "乙公司", "丙社", "丁社", "戊社"}
        flagged = client.get(ORGANISATIONS, {"needs_party_organisation": "true"})
        assert listed(flagged) == {"乙公司", "丁社"}
        others = client.get(ORGANISATIONS, {"needs_party_organisation": "false"})
        assert listed(others) == {"甲公司", "丙社", "戊社"}

    def test_the_column_is_sortable_and_puts_the_flagged_first(self, office, register):
        html = logged_in(office).get(ORGANISATIONS, {"ordering": "-flagged"}).content.decode()
        positions = sorted((html.index(name), name) for name in ("甲公司", "乙公司", "丁社"))
        assert {positions[0][1], positions[1][1]} == {"乙公司", "丁社"}

    def test_the_export_says_which_need_one(self, office, register):
        response = logged_in(office).get(
            ORGANISATIONS, {"export": "csv", "needs_party_organisation": "true"}
        )
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8")
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert len(rows) == 3
        assert {row[0] for row in rows[1:]} == {"乙公司", "丁社"}
        yes = rows[1][7]
        assert yes and all(row[7] == yes for row in rows[1:])
        everything = logged_in(office).get(ORGANISATIONS, {"export": "csv"})
        body = b"".join(everything.streaming_content).decode("utf-8")
        all_rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert {row[0] for row in all_rows[1:] if row[7] == yes} == {"乙公司", "丁社"}

    def test_the_last_guidance_visit_is_shown(self, office):
        organisation = NewOrganisationFactory(name="己公司", party_members=4)
        GuidanceVisitFactory(organisation=organisation, date=datetime.date(2026, 2, 3))
        GuidanceVisitFactory(organisation=organisation, date=datetime.date(2026, 5, 6))
        assert NewOrganisation.objects.with_flag().get().last_visit == datetime.date(2026, 5, 6)
        html = logged_in(office).get(ORGANISATIONS).content.decode()
        assert f"{VISITS}?organisation={organisation.pk}" in html


class TestGuidanceVisits:
    def test_the_listing_of_one_organisation(self, office):
        visit = GuidanceVisitFactory(advice="建议成立联合党支部")
        GuidanceVisitFactory(advice="建议开展党员亮身份活动")
        html = logged_in(office).get(VISITS, {"organisation": visit.organisation_id})
        text = html.content.decode()
        assert str(visit.organisation) in text
        (created,) = visit.history.all()
        assert created.history_type == "+"

    def test_the_office_records_a_visit(self, office):
        organisation = NewOrganisationFactory(party_members=3)
        response = logged_in(office).post(
            f"{VISITS}add/",
            {
                "organisation": organisation.pk,
                "date": "2026-06-01",
                "visitors": "社区党委书记",
                "advice": "指导成立党支部筹备组",
                "change_reason": "走访指导",
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
        (visit,) = organisation.guidance_visits.all()
        (created,) = visit.history.all()
        assert (created.history_user_id, created.history_change_reason) == (office.pk, "走访指导")
