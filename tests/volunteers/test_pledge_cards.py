"""The "five ones" pledge card (五个一承诺卡): what was done for each of the five is recorded
through the named step "Record what was done" (its form: which, what, when); the card is
fulfilled once all five are done (refused with its message otherwise), and reopened with a
reason. Each step by the party-affairs office, refused for every other role; each in the
history with its user."""

import datetime
import html

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import roles
from core.transitions import ReasonRequired, TransitionRefused, perform
from tests.support import logged_in, ui
from volunteers.factories import DONE, PledgeCardFactory
from volunteers.models import PledgeCard, PledgeItem, PledgeState

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 15)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 15, 4, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party")


@pytest.fixture
def card():
    return PledgeCardFactory(year=2026)


def record_all(card, user):
    for item in PledgeItem.values:
        perform(card, "record_item", user, item=item, done=DONE[item], done_on=TODAY)


def test_the_card_is_created_open_with_its_history_and_user(office):
    card = PledgeCardFactory.build(year=2026)
    card.person.save()
    card._history_user = office
    card.save()

    (created,) = card.history.all()
    assert created.history_type == "+"
    assert created.history_user == office
    assert card.state == PledgeState.OPEN
    assert card.done_count == 0


def test_recording_an_item_is_a_named_step_in_the_history(office, card):
    perform(
        card,
        "record_item",
        office,
        reason="党员自述",
        item=PledgeItem.CARE,
        done="看望独居老人",
        done_on=datetime.date(2026, 9, 1),
    )

    card.refresh_from_db()
    assert (card.care_done, card.care_done_on) == ("看望独居老人", datetime.date(2026, 9, 1))
    assert card.state == PledgeState.OPEN
    assert card.done_count == 1
    latest = card.history.first()
    assert latest.history_user == office
    assert latest.history_change_reason == "党员自述"


def test_all_five_done_the_card_is_fulfilled_and_can_be_reopened_with_a_reason(office, card):
    record_all(card, office)
    perform(card, "fulfil", office)
    card.refresh_from_db()
    assert card.state == PledgeState.FULFILLED and card.fulfilled_at is not None

    with pytest.raises(ReasonRequired):
        perform(card, "reopen", office)
    card.refresh_from_db()
    assert card.state == PledgeState.FULFILLED

    perform(card, "reopen", office, reason="承诺内容需补充")
    card.refresh_from_db()
    assert card.state == PledgeState.OPEN and card.fulfilled_at is None
    assert card.history.first().history_change_reason == "承诺内容需补充"


def test_a_card_with_an_item_not_done_is_not_fulfilled_and_says_why(office, card):
    for item in PledgeItem.values[:4]:
        perform(card, "record_item", office, item=item, done=DONE[item], done_on=TODAY)
    rows = card.history.count()

    with pytest.raises(TransitionRefused):
        perform(card, "fulfil", office)

    card.refresh_from_db()
    assert card.state == PledgeState.OPEN
    assert card.history.count() == rows

    # Through the admin: the message, and nothing changed.
    client = logged_in(office)
    url = reverse("wagtailsnippets_volunteers_pledgecard:transition", args=[card.pk, "fulfil"])
    response = client.post(url, {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert ui("zh-hans", "Record what was done for all five first.") in response.content.decode()
    card.refresh_from_db()
    assert card.state == PledgeState.OPEN
    assert card.history.count() == rows


def test_a_fulfilled_card_takes_no_more_records(office, card):
    record_all(card, office)
    perform(card, "fulfil", office)
    with pytest.raises(TransitionRefused):
        perform(card, "record_item", office, item="idea", done="新建议", done_on=TODAY)
    card.refresh_from_db()
    assert card.idea_done == DONE[PledgeItem.IDEA]


@pytest.mark.parametrize("role", ["supervisor", "editor", "moderator", "clerk", "cadre"])
def test_other_roles_may_not_record_fulfil_or_reopen(request, role, office, card):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        perform(card, "record_item", user, item="care", done="x", done_on=TODAY)
    card.refresh_from_db()
    assert card.care_done == ""

    record_all(card, office)
    with pytest.raises(PermissionDenied):
        perform(card, "fulfil", user)
    perform(card, "fulfil", office)
    with pytest.raises(PermissionDenied):
        perform(card, "reopen", user, reason="x")
    card.refresh_from_db()
    assert card.state == PledgeState.FULFILLED

    # The admin's step page too: refused, nothing changed.
    url = reverse("wagtailsnippets_volunteers_pledgecard:transition", args=[card.pk, "reopen"])
    response = logged_in(user).post(url, {"reason": "想改"})
    assert response.status_code in (302, 403)
    card.refresh_from_db()
    assert card.state == PledgeState.FULFILLED


class TestTheStepInTheAdmin:
    def url(self, card):
        return reverse(
            "wagtailsnippets_volunteers_pledgecard:transition", args=[card.pk, "record_item"]
        )

    def test_the_office_records_an_item_through_its_form(self, office, card):
        response = logged_in(office).post(
            self.url(card),
            {"item": "pair", "done": "与小李结对辅导", "done_on": "2026-09-10", "reason": ""},
        )
        assert response.status_code == 302
        card.refresh_from_db()
        assert (card.pair_done, card.pair_done_on) == ("与小李结对辅导", datetime.date(2026, 9, 10))
        assert card.history.first().history_user == office

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"item": "pair", "done": "   ", "done_on": "2026-09-10"}, "This field is required."),
            (
                {"item": "pair", "done": "辅导", "done_on": "2026-12-01"},
                "A date in the future cannot be done yet.",
            ),
            (
                {"item": "pair", "done": "辅导", "done_on": "2025-12-01"},
                "Give a date in the card's year, %(year)s.",
            ),
            ({"item": "other", "done": "辅导", "done_on": "2026-09-01"}, None),
            ({"item": "pair", "done": "辅导", "done_on": "昨天"}, "Enter a valid date."),
        ],
    )
    def test_bad_input_gets_a_message_and_changes_nothing(self, office, card, data, message):
        rows = card.history.count()
        response = logged_in(office).post(self.url(card), {**data, "reason": ""})
        assert response.status_code == 200
        if message:
            params = {"year": 2026} if "%(year)s" in message else {}
            assert ui("zh-hans", message, **params) in html.unescape(response.content.decode())
        assert response.context["form"].errors
        card.refresh_from_db()
        assert card.pair_done == "" and card.pair_done_on is None
        assert card.history.count() == rows


class TestOnePerPartyMemberAndYear:
    def add(self, office, person, year="2026"):
        return logged_in(office).post(
            reverse("wagtailsnippets_volunteers_pledgecard:add"),
            {"person": person.pk, "year": year, "care_pledged": "每月看望一次"},
        )

    def test_the_office_adds_a_card_with_its_history(self, office):
        person = PledgeCardFactory.build().person
        person.save()
        response = self.add(office, person)
        assert response.status_code == 302
        (card,) = PledgeCard.objects.all()
        (created,) = card.history.all()
        assert created.history_user == office

    def test_a_second_card_for_the_same_year_is_refused_with_a_message(self, office, card):
        response = self.add(office, card.person)
        assert response.status_code == 200
        assert ui("zh-hans", "This party member already has a card for that year.") in (
            response.content.decode()
        )
        assert PledgeCard.objects.count() == 1

    def test_a_card_for_someone_not_a_party_member_is_refused(self, office):
        from people.factories import PersonFactory

        response = self.add(office, PersonFactory(name="非党员"))
        assert response.status_code == 200
        assert ui("zh-hans", "Pledge cards are kept for party members only.") in (
            response.content.decode()
        )
        assert not PledgeCard.objects.exists()

    def test_the_model_refuses_someone_not_a_party_member(self):
        from django.core.exceptions import ValidationError

        from people.factories import PersonFactory

        card = PledgeCard(person=PersonFactory(), year=2026)
        with pytest.raises(ValidationError) as error:
            card.clean()
        assert "person" in error.value.message_dict
