"""Titles (先锋楼, 示范楼, 特色楼 of a category): awarded only from a confirmed assessment,
one of a kind (and category) per building and year, withdrawn with a reason; the honour roll
lists those awarded and not withdrawn, with no personal data."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from buildings.factories import TitleFactory
from buildings.models import Title, TitleKind, TitleState
from core.transitions import ReasonRequired, perform
from people.factories import PersonFactory
from tests.support import logged_in, ui

from .conftest import refused_in_admin

pytestmark = pytest.mark.django_db

ADD = reverse("wagtailsnippets_buildings_title:add")


def award(assessment, kind=TitleKind.PIONEER, category=None):
    title = Title(assessment=assessment, kind=kind, category=category)
    title.full_clean(exclude=["state"])
    title.save()
    return title


class TestOnlyFromAConfirmedAssessment:
    @pytest.mark.parametrize("state", ["draft", "submitted"])
    def test_an_unconfirmed_assessment_gives_no_title(self, make_assessment, state):
        assessment = make_assessment(state)

        with pytest.raises(ValidationError) as refused:
            award(assessment)
        with pytest.raises(ValidationError):
            Title(assessment=assessment, kind=TitleKind.PIONEER).save()

        assert refused.value.message_dict["assessment"] == [
            ui("zh-hans", "A title is awarded only from a confirmed assessment.")
        ]
        assert not Title.objects.exists()

    def test_a_confirmed_one_does_and_gives_its_building_and_year(self, make_assessment):
        assessment = make_assessment("confirmed", year=2025)

        title = award(assessment)

        assert (title.building, title.year, title.state) == (
            assessment.building,
            2025,
            TitleState.AWARDED,
        )

    def test_the_admin_form_offers_only_confirmed_assessments(self, make_assessment, office):
        confirmed = make_assessment("confirmed")
        draft = make_assessment()
        client = logged_in(office)

        response = client.post(ADD, {"assessment": draft.pk, "kind": TitleKind.PIONEER})
        choices = response.context["form"].fields["assessment"].queryset

        assert list(choices) == [confirmed]
        assert not Title.objects.exists()
        client.post(ADD, {"assessment": confirmed.pk, "kind": TitleKind.PIONEER})
        assert Title.objects.get().assessment == confirmed


class TestOneOfAKind:
    def test_a_second_title_of_the_kind_is_refused(self, make_assessment):
        assessment = make_assessment("confirmed")
        award(assessment, TitleKind.PIONEER)

        with pytest.raises(ValidationError) as refused:
            award(assessment, TitleKind.PIONEER)

        assert ui("zh-hans", "The building holds this title for that year already.") in str(
            refused.value
        )
        assert Title.objects.count() == 1

    def test_another_kind_or_category_is_awarded(self, make_assessment, standards):
        assessment = make_assessment("confirmed")
        learning, safety = standards[0].category, standards[2].category

        award(assessment, TitleKind.PIONEER)
        award(assessment, TitleKind.DEMONSTRATION)
        award(assessment, TitleKind.CHARACTERISTIC, learning)
        award(assessment, TitleKind.CHARACTERISTIC, safety)
        with pytest.raises(ValidationError):
            award(assessment, TitleKind.CHARACTERISTIC, learning)

        assert Title.objects.count() == 4

    def test_a_characteristic_building_needs_its_category(self, make_assessment, standards):
        assessment = make_assessment("confirmed")

        with pytest.raises(ValidationError) as without:
            award(assessment, TitleKind.CHARACTERISTIC)
        with pytest.raises(ValidationError) as with_one:
            award(assessment, TitleKind.PIONEER, standards[0].category)

        assert "category" in without.value.message_dict
        assert "category" in with_one.value.message_dict


class TestWithdrawal:
    def test_needs_a_reason_and_keeps_it(self, office):
        title = TitleFactory()

        with pytest.raises(ReasonRequired):
            perform(title, "withdraw", office)
        perform(title, "withdraw", office, reason="复查未通过")

        title.refresh_from_db()
        assert (title.state, title.withdrawn_reason) == (TitleState.WITHDRAWN, "复查未通过")
        withdrawn, created = title.history.all()
        assert withdrawn.history_user_id == office.pk
        assert withdrawn.history_change_reason == "复查未通过"

    @pytest.mark.parametrize("role", ["supervisor", "editor", "moderator", "clerk", "cadre_user"])
    def test_is_refused_to_other_roles(self, request, role):
        user = request.getfixturevalue(role)
        title = TitleFactory()
        url = reverse("wagtailsnippets_buildings_title:transition", args=[title.pk, "withdraw"])

        with pytest.raises(PermissionDenied):
            perform(title, "withdraw", user, reason="试一下")
        response = logged_in(user).post(url, {"reason": "试一下"})

        assert refused_in_admin(response)
        title.refresh_from_db()
        assert title.state == TitleState.AWARDED
        assert title.history.count() == 1

    def test_a_withdrawn_title_can_be_awarded_again(self, office):
        title = TitleFactory()
        perform(title, "withdraw", office, reason="复查未通过")

        award(title.assessment, TitleKind.PIONEER)

        assert Title.objects.awarded().count() == 1


class TestHonourRoll:
    def test_lists_titles_awarded_by_year_without_personal_data(
        self, make_assessment, office, standards
    ):
        leader = PersonFactory(name="楼长王大妈")
        old = make_assessment("confirmed", year=2025)
        old.building.leader = leader
        old.building.save()
        new = make_assessment("confirmed", year=2026)
        award(old, TitleKind.PIONEER)
        award(new, TitleKind.CHARACTERISTIC, standards[0].category)
        withdrawn = award(new, TitleKind.DEMONSTRATION)
        perform(withdrawn, "withdraw", office, reason="复查未通过")

        roll = list(Title.objects.honour_roll())

        assert roll == [
            {
                "year": 2026,
                "kind": "characteristic",
                "category__kind": "learning",
                "building__name": new.building.name,
            },
            {
                "year": 2025,
                "kind": "pioneer",
                "category__kind": None,
                "building__name": old.building.name,
            },
        ]
        assert "楼长王大妈" not in str(roll)
        assert list(Title.objects.honour_roll(2025).values_list("year", flat=True)) == [2025]
