"""The clerk's roll call in the hall: a named vote records the choices of the people marked
present, and only theirs; a secret vote records who took a paper ballot, then the counted
totals, and nothing posted or shown ties a person to a choice."""

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from core import roles
from core.transitions import TransitionRefused, perform
from tests.support import logged_in, ui
from votes.admin_views import NOT_PRESENT
from votes.models import Ballot, BallotChannel, BallotReceipt, HallCount, MotionState
from votes.services import (
    ALREADY_VOTED,
    COUNT_ENTERED,
    HALL_COUNTED,
    NOT_SECRET,
    VoteRefused,
    cast,
    record_attendance,
    record_hall_count,
)
from votes.tally import tally

from .conftest import ENGLISH, options, step, vote
from .test_postgresql import all_at_once


def roll_call_url(motion):
    return reverse("votes_roll_call", args=[motion.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def page_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def attendance(client, motion, *people, **extra):
    return client.post(
        roll_call_url(motion),
        {"step": "attendance", "present": [person.pk for person in people]},
        **extra,
    )


def count(client, motion, numbers, **extra):
    """Post the counted totals: ``numbers[i]`` paper ballots for option ``i``."""
    totals = {f"option-{option.pk}": n for option, n in zip(options(motion), numbers, strict=True)}
    return client.post(roll_call_url(motion), {"step": "count", **totals}, **extra)


def posted_fields(form):
    """The names a browser would post from ``form``."""
    return {field["name"] for field in form.select("input[name], select[name], textarea[name]")}


@pytest.fixture
def hall(make_rep, make_motion):
    def make(secret):
        people = [make_rep(name=name) for name in ("甲", "乙", "丙", "丁")]
        return people, make_motion(MotionState.OPEN, secret=secret)

    return make


class TestNamedVote:
    def test_each_row_has_a_labelled_present_mark(self, hall, clerk):
        people, motion = hall(secret=False)
        page = page_of(logged_in(clerk).get(roll_call_url(motion), **ENGLISH))
        for person in people:
            mark = page.select_one(f"input[type=checkbox][name=present-{person.pk}]")
            assert mark is not None and not mark.has_attr("checked")
            assert mark["aria-label"] == f"{person.name}: {ui('en', 'Present')}"
        assert all(radio.get("aria-label") for radio in page.select("input[type=radio]"))

    def test_only_people_marked_present_get_a_ballot(self, hall, clerk):
        people, motion = hall(secret=False)
        for_, against = options(motion)[:2]
        response = logged_in(clerk).post(
            roll_call_url(motion),
            {
                f"person-{people[0].pk}": for_.pk,
                f"present-{people[0].pk}": "1",
                # A choice typed for someone not marked present: refused, nothing recorded.
                f"person-{people[1].pk}": against.pk,
                # Present, no choice: nothing recorded either.
                f"present-{people[2].pk}": "1",
            },
            follow=True,
            **ENGLISH,
        )
        shown = messages_of(response)
        assert ui("en", "%(count)d ballots recorded.", count=1) in shown
        assert f"乙: {ui('en', str(NOT_PRESENT))}" in shown
        assert list(BallotReceipt.objects.values_list("person", "channel")) == [
            (people[0].pk, BallotChannel.HALL)
        ]
        assert list(Ballot.objects.values_list("voter", "option")) == [(people[0].pk, for_.pk)]
        # The one not in the hall can still vote online.
        assert vote(motion, people[1], 2).label == "弃权"


class TestSecretVote:
    def test_the_attendance_form_names_people_and_no_option(self, hall, clerk):
        people, motion = hall(secret=True)
        page = page_of(logged_in(clerk).get(roll_call_url(motion), **ENGLISH))
        (form,) = page.select("main form")
        assert posted_fields(form) == {"csrfmiddlewaretoken", "step", "present"}
        assert not page.select("input[type=radio]")
        marks = form.select("input[type=checkbox][name=present]")
        assert {mark["value"] for mark in marks} == {str(person.pk) for person in people}
        for mark in marks:  # each mark has its visible label
            assert (
                form.select_one(f"label[for={mark['id']}]")
                .get_text()
                .startswith(next(p.name for p in people if str(p.pk) == mark["value"]))
            )
        for option in options(motion):
            assert option.label not in form.get_text()
        assert ui("en", "No paper ballots have been handed out in the hall.") in page.get_text()

    def test_attendance_writes_a_hall_receipt_and_no_ballot(self, hall, clerk):
        people, motion = hall(secret=True)
        response = attendance(
            logged_in(clerk), motion, people[0], people[1], follow=True, **ENGLISH
        )
        assert ui("en", "Paper ballots handed out: %(count)d.", count=2) in messages_of(response)
        receipts = BallotReceipt.objects.order_by("person_id")
        assert [(r.person, r.channel, r.recorded_by) for r in receipts] == [
            (people[0], BallotChannel.HALL, clerk),
            (people[1], BallotChannel.HALL, clerk),
        ]
        assert not Ballot.objects.exists()
        # Those marked leave the attendance form.
        (form,) = page_of(response).select("main form:has(input[name=present])")
        assert {mark["value"] for mark in form.select("input[name=present]")} == {
            str(people[2].pk),
            str(people[3].pk),
        }

    def test_attendance_blocks_a_later_online_vote(self, hall, clerk):
        people, motion = hall(secret=True)
        attendance(logged_in(clerk), motion, people[0])
        response = logged_in(people[0].user).post(
            f"/votes/{motion.pk}/", {"option": options(motion)[0].pk, "confirm": "1"}, **ENGLISH
        )
        assert response.status_code == 409
        assert ui("en", str(ALREADY_VOTED)) in response.content.decode()
        assert not Ballot.objects.exists()
        assert BallotReceipt.objects.get().channel == BallotChannel.HALL

    def test_someone_who_voted_online_is_refused_a_paper_ballot(self, hall, clerk):
        people, motion = hall(secret=True)
        client = logged_in(clerk)
        client.get(roll_call_url(motion))  # the clerk opens the form...
        vote(motion, people[0], 1)  # ...meanwhile people[0] votes online
        response = attendance(client, motion, people[0], people[1], follow=True, **ENGLISH)
        shown = messages_of(response)
        assert f"甲: {ui('en', str(ALREADY_VOTED))}" in shown
        assert ui("en", "Paper ballots handed out: %(count)d.", count=1) in shown
        assert BallotReceipt.objects.get(person=people[0]).channel == BallotChannel.ONLINE
        assert motion.paper_ballots_outstanding() == 1

    def test_someone_not_marked_present_gets_nothing(self, hall, clerk):
        people, motion = hall(secret=True)
        for_ = options(motion)[0]
        client = logged_in(clerk)
        # A choice per person (the old form's fields) means nothing for a secret vote.
        client.post(
            roll_call_url(motion),
            {"step": "attendance", "present": [people[0].pk], f"person-{people[1].pk}": for_.pk},
        )
        client.post(roll_call_url(motion), {f"person-{people[2].pk}": for_.pk})
        assert list(BallotReceipt.objects.values_list("person", flat=True)) == [people[0].pk]
        assert not Ballot.objects.exists()
        assert vote(motion, people[1], 0).label == "赞成"  # still free to vote online

    def test_the_count_form_names_options_and_no_one(self, hall, clerk):
        people, motion = hall(secret=True)
        client = logged_in(clerk)
        attendance(client, motion, *people[:3])
        page = page_of(client.get(roll_call_url(motion), **ENGLISH))
        (form,) = page.select("main form:has(input[name=step][value=count])")
        assert posted_fields(form) == {"csrfmiddlewaretoken", "step"} | {
            f"option-{option.pk}" for option in options(motion)
        }
        for option in options(motion):  # each number has its visible label
            assert form.select_one(f"label[for=id_option-{option.pk}]").get_text(strip=True).rstrip(
                ":："
            ) == (option.label)
        text = form.get_text()
        for person in people:
            assert person.name not in text
            assert str(person.pk) not in {field.get("value") for field in form.select("input")}

    @pytest.mark.parametrize("numbers", [(1, 1, 0), (2, 1, 1), (4, -1, 0)])
    def test_the_totals_must_add_up(self, numbers, hall, clerk):
        people, motion = hall(secret=True)
        client = logged_in(clerk)
        attendance(client, motion, *people[:3])
        response = count(client, motion, numbers, **ENGLISH)
        assert response.status_code == 400
        errors = page_of(response).select_one("main form [role=alert], main .error-message")
        assert errors is not None
        if min(numbers) >= 0:
            assert errors.get_text(strip=True) == ui(
                "en",
                "The totals add up to %(total)d; they must add up to the paper ballots handed out: %(handed_out)d.",
                total=sum(numbers),
                handed_out=3,
            )
        assert not Ballot.objects.exists()
        assert not HallCount.objects.exists()

    def test_the_totals_become_ballots_with_no_voter_and_no_time(self, hall, clerk):
        people, motion = hall(secret=True)
        client = logged_in(clerk)
        vote(motion, people[3], 2)  # online
        attendance(client, motion, *people[:3])
        response = count(client, motion, (2, 1, 0), follow=True, **ENGLISH)
        assert ui(
            "en", "The hall's count is recorded (paper ballots: %(count)d).", count=3
        ) in messages_of(response)
        assert sorted(Ballot.objects.values_list("option__label", "voter", "cast_at")) == sorted(
            [("赞成", None, None), ("赞成", None, None), ("反对", None, None), ("弃权", None, None)]
        )
        hall_count = HallCount.objects.get()
        assert (hall_count.motion, hall_count.ballots, hall_count.counted_by) == (motion, 3, clerk)
        (recorded,) = hall_count.history.all()
        assert (recorded.history_type, recorded.history_user_id) == ("+", clerk.pk)
        step(motion, "close", "publish_results", by=clerk)
        result = tally(motion)
        assert [c.votes for c in result.counts] == [2, 1, 1]
        assert result.cast == 4

    def test_the_count_is_entered_once(self, hall, clerk):
        people, motion = hall(secret=True)
        client = logged_in(clerk)
        attendance(client, motion, *people[:2])
        count(client, motion, (1, 1, 0))
        response = count(client, motion, (2, 0, 0), follow=True, **ENGLISH)
        # The page no longer offers a count; a second post is refused all the same.
        assert not page_of(response).select("input[name=step][value=count]")
        assert ui("en", str(COUNT_ENTERED)) in messages_of(response)
        with pytest.raises(VoteRefused) as refusal:
            record_hall_count(motion.pk, {options(motion)[0].pk: 0}, counted_by=clerk)
        assert refusal.value.message == COUNT_ENTERED
        # And no more paper ballots after the count.
        response = attendance(client, motion, people[2], follow=True, **ENGLISH)
        assert f"丙: {ui('en', str(HALL_COUNTED))}" in messages_of(response)
        assert Ballot.objects.count() == 2
        assert BallotReceipt.objects.count() == 2

    def test_the_vote_cannot_close_before_the_count(self, hall, clerk):
        people, motion = hall(secret=True)
        client = logged_in(clerk)
        attendance(client, motion, people[0])
        with pytest.raises(TransitionRefused):
            perform(motion, "close", clerk)
        motion.refresh_from_db()
        assert motion.state == MotionState.OPEN
        count(client, motion, (0, 0, 1))
        perform(motion, "close", clerk)
        motion.refresh_from_db()
        assert motion.state == MotionState.CLOSED

    def test_attendance_alone_is_only_for_a_secret_vote(self, hall, clerk):
        people, motion = hall(secret=False)
        with pytest.raises(VoteRefused) as refusal:
            record_attendance(motion.pk, people[0], recorded_by=clerk)
        assert refusal.value.message == NOT_SECRET
        assert not BallotReceipt.objects.exists()

    @pytest.mark.parametrize("who", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS])
    def test_only_for_those_who_run_votes(self, who, hall, make_user):
        people, motion = hall(secret=True)
        client = logged_in(make_user(who))
        for response in (
            client.get(roll_call_url(motion)),
            attendance(client, motion, people[0]),
            count(client, motion, (0, 0, 0)),
        ):
            # Wagtail's answer to PermissionDenied in the admin: back to the dashboard.
            assert (response.status_code, response["Location"]) == (
                302,
                reverse("wagtailadmin_home"),
            )
        assert not BallotReceipt.objects.exists()


# serialized_rollback: the data migrations wrote (the site, the roles) is back for later
# tests once these flush the database.
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestHallAndOnlineAtOnce:
    def test_one_receipt_whoever_is_first(self, make_rep, make_motion, clerk):
        person = make_rep()
        motion = make_motion(MotionState.OPEN, secret=True)
        option = options(motion)[0].pk

        def attempt(number):
            if number % 2:
                return cast(motion.pk, person, option)
            return record_attendance(motion.pk, person, recorded_by=clerk)

        outcomes = all_at_once(attempt, list(range(8)))
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert all(isinstance(error, VoteRefused) for error in errors), errors
        assert len(errors) == 7
        receipt = BallotReceipt.objects.get(motion=motion, person=person)
        # An online ballot comes with its ballot; a paper ballot waits for the count.
        expected = 1 if receipt.channel == BallotChannel.ONLINE else 0
        assert Ballot.objects.filter(motion=motion).count() == expected

    def test_one_count_whoever_is_first(self, make_reps, make_motion, clerk):
        people = make_reps(3)
        motion = make_motion(MotionState.OPEN, secret=True)
        for person in people:
            record_attendance(motion.pk, person, recorded_by=clerk)
        first = options(motion)[0].pk

        outcomes = all_at_once(
            lambda _n: record_hall_count(motion.pk, {first: 3}, counted_by=clerk), list(range(4))
        )
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert all(isinstance(error, VoteRefused) for error in errors), errors
        assert len(errors) == 3
        assert HallCount.objects.filter(motion=motion).count() == 1
        assert Ballot.objects.filter(motion=motion).count() == 3
