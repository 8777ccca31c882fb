"""The meeting clerks' side: the states and who may move a vote through them, the default
options, the roll call in the hall, and the results with their exports."""

import csv
import io

import pytest
from bs4 import BeautifulSoup

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from core import roles
from core.transitions import TransitionRefused, allowed_transitions, perform
from people.factories import PersonFactory
from tests.support import logged_in, ui
from votes.factories import MotionFactory
from votes.models import (
    Ballot,
    BallotChannel,
    BallotReceipt,
    Motion,
    MotionKind,
    MotionOption,
    MotionState,
)
from votes.services import ALREADY_VOTED, BAD_OPTION
from votes.wagtail_hooks import motion_viewset

from .conftest import ENGLISH, STEPS, options, step, vote

LISTING = reverse(motion_viewset.get_url_name("list"))

# transition → (the state it starts from, the state it leads to)
MACHINE = {
    "open": (MotionState.DRAFT, MotionState.OPEN),
    "close": (MotionState.OPEN, MotionState.CLOSED),
    "publish_results": (MotionState.CLOSED, MotionState.PUBLISHED),
}
SUPERUSER = "superuser"
MAY_RUN = {roles.MEETING_CLERKS, SUPERUSER}
EVERYONE = [role.name for role in roles.ROLES] + [SUPERUSER]


def transition_url(motion, name):
    return reverse(motion_viewset.get_url_name("transition"), args=[motion.pk, name])


def roll_call_url(motion):
    return reverse("votes_roll_call", args=[motion.pk])


def results_url(motion, export=""):
    url = reverse("votes_results", args=[motion.pk])
    return f"{url}?export={export}" if export else url


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def assert_denied(response):
    """Wagtail's answer to PermissionDenied in the admin: back to the dashboard, told why."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def user_in(make_user, superuser):
    def make(who):
        if who == SUPERUSER:
            return superuser
        return make_user(who, username=f"u-{who.lower().replace(' ', '-')}")

    return make


# --- Transitions ------------------------------------------------------------------------


class TestTransitions:
    def test_a_draft_offers_only_opening(self, make_motion, clerk):
        motion = make_motion(MotionState.DRAFT)
        assert allowed_transitions(motion, clerk) == ["open"]

    @pytest.mark.parametrize(("name", "source", "target"), [(n, *st) for n, st in MACHINE.items()])
    @pytest.mark.parametrize("state", list(MotionState))
    def test_each_step_only_from_its_state(self, name, source, target, state, make_motion, clerk):
        motion = make_motion(state)
        if state == source:
            perform(motion, name, clerk)
            motion.refresh_from_db()
            assert motion.state == target
        else:
            history = motion.history.count()
            with pytest.raises(TransitionRefused):
                perform(motion, name, clerk)
            motion.refresh_from_db()
            assert motion.state == state
            assert motion.history.count() == history

    def test_each_step_is_stamped_and_recorded_with_the_user_and_reason(
        self, make_rep, make_motion, clerk
    ):
        make_rep()
        motion = make_motion(MotionState.DRAFT)
        for name in ("open", "close", "publish_results"):
            perform(motion, name, clerk, reason=f"理由：{name}")
        motion.refresh_from_db()
        assert motion.opened_at <= motion.closed_at <= motion.published_at
        entries = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Motion), object_id=str(motion.pk)
        ).order_by("id")
        transitions = [
            (entry.detail, entry.username, entry.reason)
            for entry in entries
            if entry.action == Action.TRANSITION
        ]
        assert transitions == [
            ("open", "clerk", "理由：open"),
            ("close", "clerk", "理由：close"),
            ("publish_results", "clerk", "理由：publish_results"),
        ]

    @pytest.mark.parametrize("who", EVERYONE)
    def test_who_may_run_a_vote(self, who, user_in, make_motion, clerk):
        user = user_in(who)
        for name, (source, target) in MACHINE.items():
            motion = make_motion(source)
            if who in MAY_RUN:
                perform(motion, name, user)
                motion.refresh_from_db()
                assert motion.state == target
            else:
                with pytest.raises(PermissionDenied):
                    perform(motion, name, user)
                motion.refresh_from_db()
                assert motion.state == source

    @pytest.mark.parametrize("who", EVERYONE)
    def test_who_may_use_the_step_pages(self, who, user_in, make_motion):
        user = user_in(who)
        client = logged_in(user)
        for name, (source, target) in MACHINE.items():
            motion = make_motion(source)
            confirm = client.get(transition_url(motion, name))
            response = client.post(transition_url(motion, name), {"reason": "会议决定"})
            motion.refresh_from_db()
            if who in MAY_RUN:
                assert confirm.status_code == 200
                assert response.status_code == 302
                assert response["Location"] == LISTING
                assert motion.state == target
            else:
                if roles.ROLES_BY_NAME[who].uses_admin:
                    assert_denied(confirm)
                    assert_denied(response)
                else:  # no admin at all: sent to the admin's login
                    assert (confirm.status_code, response.status_code) == (302, 302)
                    assert "/admin/login/" in response["Location"]
                assert motion.state == source

    def test_an_unknown_step_is_refused(self, make_motion, clerk):
        motion = make_motion(MotionState.OPEN)
        assert_denied(logged_in(clerk).post(transition_url(motion, "delete")))
        motion.refresh_from_db()
        assert motion.state == MotionState.OPEN

    def test_a_step_from_the_wrong_state_is_refused_with_a_message(self, make_motion, clerk):
        motion = make_motion(MotionState.OPEN, title="路灯改造")
        response = logged_in(clerk).post(
            transition_url(motion, "publish_results"), follow=True, **ENGLISH
        )
        assert ui(
            "en",
            "“%(object)s” is %(state)s now: that step is not possible.",
            object="路灯改造",
            state=ui("en", "open for voting"),
        ) in messages_of(response)
        motion.refresh_from_db()
        assert motion.state == MotionState.OPEN

    def test_the_listing_offers_the_next_step(self, make_motion, clerk, supervisor):
        draft, open_, closed = (
            make_motion(state) for state in STEPS if state != MotionState.PUBLISHED
        )
        html = logged_in(clerk).get(LISTING).content.decode()
        assert transition_url(draft, "open") in html
        assert transition_url(open_, "close") in html
        assert roll_call_url(open_) in html
        assert transition_url(closed, "publish_results") in html
        assert results_url(closed) in html
        assert transition_url(draft, "close") not in html
        # Supervisors see the votes, and no step.
        response = logged_in(supervisor).get(LISTING)
        assert response.status_code == 200
        html = response.content.decode()
        assert draft.title in html
        assert "/transition/" not in html
        assert roll_call_url(open_) not in html


class TestOpening:
    def test_an_election_without_candidates_cannot_open(self, make_motion, clerk):
        election = make_motion(MotionState.DRAFT, kind=MotionKind.ELECTION)
        assert not election.options.exists()
        with pytest.raises(TransitionRefused):
            perform(election, "open", clerk)
        response = logged_in(clerk).post(transition_url(election, "open"), follow=True, **ENGLISH)
        assert ui("en", "A vote needs at least two options before it opens.") in messages_of(
            response
        )
        election.refresh_from_db()
        assert election.state == MotionState.DRAFT
        assert not election.roll.exists()

    def test_one_candidate_is_not_enough(self, make_rep, make_motion, clerk):
        election = make_motion(MotionState.DRAFT, candidates=[make_rep(account=False)])
        with pytest.raises(TransitionRefused):
            perform(election, "open", clerk)
        election.refresh_from_db()
        assert election.state == MotionState.DRAFT

    def test_two_candidates_are(self, make_rep, make_motion):
        election = make_motion(MotionState.OPEN, candidates=[make_rep(account=False) for _ in "ab"])
        assert election.state == MotionState.OPEN

    def test_the_default_options_are_in_chinese_whatever_the_language(self, make_rep):
        cadre = make_rep(account=False, is_representative=False, is_cadre=True)
        with translation.override("en"):
            motion = MotionFactory()
            evaluation = MotionFactory(kind=MotionKind.EVALUATION, subject=cadre)
            election = MotionFactory(kind=MotionKind.ELECTION)
        assert [option.label for option in options(motion)] == ["赞成", "反对", "弃权"]
        assert [option.label for option in options(evaluation)] == ["满意", "基本满意", "不满意"]
        assert not election.options.exists()
        # Saving again adds nothing.
        motion.save()
        assert motion.options.count() == 3

    def test_a_clerk_adds_a_vote_in_the_admin_in_english(self, clerk):
        response = logged_in(clerk).post(
            reverse(motion_viewset.get_url_name("add")),
            {
                "kind": MotionKind.MOTION,
                "title": "关于楼道照明改造的表决",
                "description": "",
                "rule": "two_thirds",
                "quorum_percent": "60",
                "options-TOTAL_FORMS": "0",
                "options-INITIAL_FORMS": "0",
                "options-MIN_NUM_FORMS": "0",
                "options-MAX_NUM_FORMS": "1000",
                "change_reason": "",
            },
            **ENGLISH,
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        motion = Motion.objects.get(title="关于楼道照明改造的表决")
        assert motion.state == MotionState.DRAFT
        assert (motion.rule, motion.quorum_percent) == ("two_thirds", 60)
        assert [option.label for option in options(motion)] == ["赞成", "反对", "弃权"]
        assert [option.meaning for option in options(motion)] == ["for", "against", "abstain"]

    def test_a_clerk_sets_what_each_option_means(self, make_motion, clerk):
        """The meaning is the clerk's to set, beside each option's label, while a draft."""
        motion = make_motion(MotionState.DRAFT)
        edit = reverse(motion_viewset.get_url_name("edit"), args=[motion.pk])
        page = BeautifulSoup(logged_in(clerk).get(edit).content.decode(), "html.parser")
        meanings = [
            page.select_one(f"select[name=options-{n}-meaning] option[selected]")["value"]
            for n in range(3)
        ]
        assert meanings == ["for", "against", "abstain"]
        data = {
            "kind": motion.kind,
            "title": motion.title,
            "description": "",
            "rule": "simple",
            "quorum_percent": "50",
            "options-TOTAL_FORMS": "3",
            "options-INITIAL_FORMS": "3",
            "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000",
            "change_reason": "",
        }
        # The clerk lists "against" first, and swaps the first two meanings.
        for number, (option, meaning, order) in enumerate(
            zip(options(motion), ["against", "for", "abstain"], [2, 1, 3], strict=True)
        ):
            data |= {
                f"options-{number}-id": option.pk,
                f"options-{number}-label": option.label,
                f"options-{number}-meaning": meaning,
                f"options-{number}-ORDER": order,
                f"options-{number}-DELETE": "",
            }
        response = logged_in(clerk).post(edit, data, **ENGLISH)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert [(o.label, o.meaning) for o in options(motion)] == [
            ("反对", "for"),
            ("赞成", "against"),
            ("弃权", "abstain"),
        ]


# --- The roll call ----------------------------------------------------------------------


class TestRollCall:
    @pytest.fixture
    def hall(self, make_rep, make_motion):
        people = [make_rep(name=name) for name in ("甲", "乙", "丙", "丁")]
        return people, make_motion(MotionState.OPEN)

    def test_the_form_lists_who_has_not_voted(self, hall, clerk):
        people, motion = hall
        vote(motion, people[0], 0)  # online
        response = logged_in(clerk).get(roll_call_url(motion), **ENGLISH)
        assert response.status_code == 200
        page = BeautifulSoup(response.content.decode(), "html.parser")
        rows = {row.select_one("input")["name"] for row in page.select("tbody tr:has(input)")}
        assert rows == {f"person-{person.pk}" for person in people[1:]}
        # Whoever voted online stays on the page, with a note and nothing to choose.
        (voted,) = page.select("tbody tr.roll-call__voted")
        assert voted.th.get_text().startswith(people[0].name)
        assert voted.td.get_text(strip=True) == ui("en", "voted online")
        assert not voted.select("input")
        # One choice per option, and "absent" checked by default.
        row = page.select_one(f"tbody tr:has(input[name=person-{people[1].pk}])")
        values = [radio["value"] for radio in row.select("input[type=radio]")]
        assert values == [str(option.pk) for option in options(motion)] + [""]
        assert row.select_one("input[checked]")["value"] == ""

    def test_ballots_are_recorded_in_the_hall_and_absent_rows_skipped(self, hall, clerk):
        people, motion = hall
        for_, against = options(motion)[:2]
        response = logged_in(clerk).post(
            roll_call_url(motion),
            {
                f"person-{people[0].pk}": for_.pk,
                f"present-{people[0].pk}": "1",
                f"person-{people[1].pk}": against.pk,
                f"present-{people[1].pk}": "1",
                f"person-{people[2].pk}": "",  # absent
                # people[3]: not sent at all
            },
            follow=True,
            **ENGLISH,
        )
        assert ui("en", "%(count)d ballots recorded.", count=2) in messages_of(response)
        receipts = BallotReceipt.objects.order_by("person_id")
        assert [(r.person, r.channel, r.recorded_by) for r in receipts] == [
            (people[0], BallotChannel.HALL, clerk),
            (people[1], BallotChannel.HALL, clerk),
        ]
        assert sorted(Ballot.objects.values_list("voter", "option")) == sorted(
            [(people[0].pk, for_.pk), (people[1].pk, against.pk)]
        )
        # Those recorded leave the form; the absent ones stay on it.
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert {row.select_one("input")["name"] for row in page.select("tbody tr:has(input)")} == {
            f"person-{people[2].pk}",
            f"person-{people[3].pk}",
        }

    def test_someone_who_voted_online_is_refused(self, hall, clerk):
        people, motion = hall
        client = logged_in(clerk)
        client.get(roll_call_url(motion))  # the clerk opens the form...
        vote(motion, people[0], 0)  # ...meanwhile people[0] votes online
        against = options(motion)[1]
        response = client.post(
            roll_call_url(motion),
            {
                f"person-{people[0].pk}": against.pk,
                f"present-{people[0].pk}": "1",
                f"person-{people[1].pk}": against.pk,
                f"present-{people[1].pk}": "1",
            },
            follow=True,
            **ENGLISH,
        )
        shown = messages_of(response)
        assert f"甲: {ui('en', str(ALREADY_VOTED))}" in shown
        assert ui("en", "%(count)d ballots recorded.", count=1) in shown
        assert BallotReceipt.objects.get(person=people[0]).channel == BallotChannel.ONLINE
        assert Ballot.objects.get(voter=people[0]).option == options(motion)[0]
        assert Ballot.objects.get(voter=people[1]).option == against

    def test_a_bad_choice_is_refused_with_a_message(self, hall, clerk):
        people, motion = hall
        response = logged_in(clerk).post(
            roll_call_url(motion),
            {f"person-{people[0].pk}": "junk", f"present-{people[0].pk}": "1"},
            follow=True,
            **ENGLISH,
        )
        assert f"甲: {ui('en', str(BAD_OPTION))}" in messages_of(response)
        assert not BallotReceipt.objects.exists()

    def test_someone_not_on_the_roll_is_not_recorded(self, hall, clerk):
        people, motion = hall
        outsider = PersonFactory(is_representative=True)
        logged_in(clerk).post(
            roll_call_url(motion),
            {f"person-{outsider.pk}": options(motion)[0].pk, f"present-{outsider.pk}": "1"},
        )
        assert not BallotReceipt.objects.exists()

    @pytest.mark.parametrize(
        "state", [MotionState.DRAFT, MotionState.CLOSED, MotionState.PUBLISHED]
    )
    def test_only_for_an_open_vote(self, state, make_rep, make_motion, clerk):
        person = make_rep()
        motion = make_motion(state)
        client = logged_in(clerk)
        response = client.post(
            roll_call_url(motion), {f"person-{person.pk}": options(motion)[0].pk}, **ENGLISH
        )
        assert response.status_code == 302
        assert response["Location"] == LISTING
        assert not BallotReceipt.objects.exists()
        response = client.get(roll_call_url(motion), follow=True, **ENGLISH)
        assert ui("en", "The roll call is only for an open vote.") in messages_of(response)

    @pytest.mark.parametrize("who", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS])
    def test_only_for_those_who_run_votes(self, who, hall, make_user):
        people, motion = hall
        client = logged_in(make_user(who))
        assert_denied(client.get(roll_call_url(motion)))
        assert_denied(
            client.post(roll_call_url(motion), {f"person-{people[0].pk}": options(motion)[0].pk})
        )
        assert not BallotReceipt.objects.exists()


# --- Results ----------------------------------------------------------------------------


class TestResults:
    @pytest.fixture
    def counted(self, make_rep, make_motion, clerk):
        def make(secret):
            people = [make_rep(name=name) for name in ("甲代表", "乙代表", "丙代表", "丁代表")]
            motion = make_motion(MotionState.OPEN, secret=secret)
            for person, index in zip(people, [0, 0, 1, 2], strict=True):
                vote(motion, person, index)
            step(motion, "close", by=clerk)
            return motion

        return make

    def test_not_before_the_vote_closes(self, make_motion, clerk):
        motion = make_motion(MotionState.OPEN)
        client = logged_in(clerk)
        for export in ("", "csv", "ballots"):
            response = client.get(results_url(motion, export))
            assert (response.status_code, response["Location"]) == (302, LISTING)
        response = client.get(results_url(motion), follow=True, **ENGLISH)
        assert ui("en", "Results are counted once the vote has closed.") in messages_of(response)

    @pytest.mark.parametrize("secret", [False, True])
    def test_the_results_page_and_csv(self, secret, counted, clerk):
        motion = counted(secret)
        client = logged_in(clerk)
        page = client.get(results_url(motion), **ENGLISH)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'class="chart"' in html
        assert ("?export=ballots" in html) is not secret

        response = client.get(results_url(motion, "csv"), **ENGLISH)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="vote-{motion.pk}-results.csv"' in response["Content-Disposition"]
        assert csv_rows(response) == [
            ["Option", "Votes", "Share of votes cast"],
            ["赞成", "2", "50.0%"],
            ["反对", "1", "25.0%"],
            ["弃权", "1", "25.0%"],
            ["Votes cast", "4", ""],
            ["Eligible roll", "4", ""],
            ["Quorum reached", "yes", ""],
            ["Outcome", "Not carried.", ""],
        ]
        assert "代表" not in response.content.decode()

    def test_the_results_page_links_the_charts_stylesheet(self, counted, clerk):
        """The admin does not load site.css: the chart's rules are in their own stylesheet,
        linked by the admin's results page and the public vote page alike."""
        from django.contrib.staticfiles import finders

        motion = counted(secret=False)
        client = logged_in(clerk)
        stylesheet = 'link[rel=stylesheet][href="/static/votes/css/chart.css"]'
        admin = BeautifulSoup(client.get(results_url(motion), **ENGLISH).content, "html.parser")
        assert admin.select_one("figure.chart") is not None
        assert admin.select_one(stylesheet) is not None
        public = BeautifulSoup(client.get(f"/votes/{motion.pk}/", **ENGLISH).content, "html.parser")
        assert public.select_one(stylesheet) is not None

        with open(finders.find("votes/css/chart.css"), encoding="utf-8") as rules:
            assert ".chart__row {" in rules.read()
        with open(finders.find("css/site.css"), encoding="utf-8") as site:
            assert ".chart__row" not in site.read(), "one copy of the chart's rules"

    def test_the_named_ballot_list(self, counted, clerk):
        motion = counted(secret=False)
        response = logged_in(clerk).get(results_url(motion, "ballots"), **ENGLISH)
        assert response.status_code == 200
        rows = csv_rows(response)
        assert rows[0] == ["Voter", "Option", "Cast at"]
        assert [row[:2] for row in rows[1:]] == [
            ["丁代表", "弃权"],
            ["丙代表", "反对"],
            ["乙代表", "赞成"],
            ["甲代表", "赞成"],
        ]
        assert all(row[2] for row in rows[1:])

    def test_no_ballot_list_for_a_secret_vote(self, counted, clerk):
        motion = counted(secret=True)
        response = logged_in(clerk).get(results_url(motion, "ballots"), follow=True)
        assert response.redirect_chain == [(reverse("wagtailadmin_home"), 302)]
        assert "text/csv" not in response["Content-Type"]
        assert "代表" not in response.content.decode()

    @pytest.mark.parametrize("who", [roles.SUPERVISORS, roles.EDITORS])
    def test_only_for_those_who_run_votes(self, who, counted, make_user):
        motion = counted(secret=False)
        client = logged_in(make_user(who))
        for export in ("", "csv", "ballots"):
            assert_denied(client.get(results_url(motion, export)))


def test_a_motion_option_is_kept_with_its_ballots(make_rep, make_motion):
    """An option that has ballots cannot be removed (the ballots would lose their choice)."""
    person = make_rep()
    motion = make_motion(MotionState.OPEN)
    vote(motion, person, 0)
    with pytest.raises(ProtectedError):
        MotionOption.objects.filter(pk=options(motion)[0].pk).delete()
    assert Ballot.objects.count() == 1
