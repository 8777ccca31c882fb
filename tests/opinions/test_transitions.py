"""The opinion's state machine: every transition, from which states, and who may make it.

pending → approved / rejected / spam; approved → rejected / spam (taken down later);
approved ⇄ promoted. Only ``core.transitions.perform`` moves an opinion, and each move is a
history row and an audit entry with the user and the reason.
"""

import pytest

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from audit.models import Action, AuditEntry
from core import roles
from core.transitions import (
    TransitionRefused,
    allowed_transitions,
    labelled_transitions,
    perform,
)
from opinions.models import Opinion, OpinionState

from .conftest import STEPS

S = OpinionState

# transition → (the states it may start from, the state it leads to)
MACHINE = {
    "approve": ({S.PENDING}, S.APPROVED),
    "reject": ({S.PENDING, S.APPROVED}, S.REJECTED),
    "mark_spam": ({S.PENDING, S.APPROVED}, S.SPAM),
    "promote": ({S.APPROVED}, S.PROMOTED),
    "demote": ({S.PROMOTED}, S.APPROVED),
}

# Who may make which transition: the Moderators all of them, administrators (superusers)
# too, every other role none.
MAY = {role.name: set() for role in roles.ROLES}
MAY[roles.MODERATORS] = set(MACHINE)
SUPERUSER = "superuser"
MAY[SUPERUSER] = set(MACHINE)

CASES = [
    (transition, state)
    for transition in MACHINE
    for state in (S.PENDING, S.APPROVED, S.PROMOTED, S.REJECTED, S.SPAM)
]


def test_the_machine_here_is_the_whole_machine():
    assert set(MACHINE) == set(labelled_transitions(Opinion))
    assert set(MAY) == {role.name for role in roles.ROLES} | {SUPERUSER}


@pytest.fixture
def person(request, make_user, superuser):
    def make(who):
        if who == SUPERUSER:
            return superuser
        return make_user(who, username=f"u-{who.lower().replace(' ', '-')}")

    return make


MAY_NOTHING = sorted(who for who, allowed in MAY.items() if not allowed)
MAY_ALL = sorted(who for who, allowed in MAY.items() if allowed)
GOES = [(name, state) for name, state in CASES if state in MACHINE[name][0]]
STAYS = [(name, state) for name, state in CASES if state not in MACHINE[name][0]]


@pytest.mark.django_db
@pytest.mark.parametrize("who", MAY_NOTHING)
@pytest.mark.parametrize("transition", list(MACHINE))
def test_other_roles_are_denied_every_transition_in_every_state(
    who, transition, person, make_opinion, topic
):
    user = person(who)
    for state in STEPS:
        opinion = make_opinion(state, page=topic)
        with pytest.raises(PermissionDenied):
            perform(opinion, transition, user)
        assert Opinion.objects.get(pk=opinion.pk).state == state


@pytest.mark.django_db
@pytest.mark.parametrize("who", MAY_ALL)
@pytest.mark.parametrize(("transition", "state"), GOES)
def test_moderators_and_administrators_make_each_transition_from_its_sources(
    who, transition, state, person, make_opinion, topic
):
    opinion = make_opinion(state, page=topic)
    perform(opinion, transition, person(who))
    assert opinion.state == MACHINE[transition][1]
    assert Opinion.objects.get(pk=opinion.pk).state == MACHINE[transition][1]


@pytest.mark.django_db
@pytest.mark.parametrize(("transition", "state"), STAYS)
def test_a_moderator_is_refused_a_transition_the_state_does_not_allow(
    transition, state, moderator, make_opinion, topic
):
    """TransitionRefused, not PermissionDenied: the moderator may make it, not from here."""
    opinion = make_opinion(state, page=topic)
    history_before = opinion.history.count()
    entries_before = AuditEntry.objects.count()

    with pytest.raises(TransitionRefused):
        perform(opinion, transition, moderator)

    assert Opinion.objects.get(pk=opinion.pk).state == state
    assert opinion.history.count() == history_before
    assert AuditEntry.objects.count() == entries_before


@pytest.mark.django_db
def test_an_administrator_is_refused_a_transition_the_state_does_not_allow(
    superuser, make_opinion, topic
):
    raised = {}
    for transition, state in STAYS:
        opinion = make_opinion(state, page=topic)
        try:
            perform(opinion, transition, superuser)
        except Exception as error:  # noqa: BLE001 - which one is what is tested
            raised[(transition, str(state))] = type(error).__name__
        else:
            raised[(transition, str(state))] = "nothing"
        assert Opinion.objects.get(pk=opinion.pk).state == state
    assert raised == {(t, str(s)): "TransitionRefused" for t, s in STAYS}


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(MAY))
@pytest.mark.parametrize("state", list(STEPS))
def test_allowed_transitions_name_what_perform_accepts(who, state, person, make_opinion, topic):
    user = person(who)
    opinion = make_opinion(state, page=topic)
    expected = {name for name, (sources, _) in MACHINE.items() if state in sources} & MAY[who]
    assert set(allowed_transitions(opinion, user)) == expected


@pytest.mark.django_db
def test_a_refused_person_leaves_no_trace(make_user, make_opinion, topic):
    editor = make_user(roles.EDITORS, username="ed")
    opinion = make_opinion(page=topic)
    history_before = opinion.history.count()

    with pytest.raises(PermissionDenied):
        perform(opinion, "approve", editor)

    opinion.refresh_from_db()
    assert opinion.state == S.PENDING
    assert opinion.moderated_by is None
    assert opinion.history.count() == history_before


@pytest.mark.django_db
def test_an_unknown_transition_is_an_error(moderator, make_opinion, topic):
    opinion = make_opinion(page=topic)
    for name in ("delete", "save", "publish"):
        with pytest.raises(ValueError, match="no transition"):
            perform(opinion, name, moderator)


@pytest.mark.django_db
class TestStateIsProtected:
    def test_assigning_the_state_of_a_new_opinion_raises(self, topic):
        opinion = Opinion(page=topic, author_name="甲", body="意见", language="zh-hans")
        with pytest.raises(AttributeError):
            opinion.state = S.APPROVED
        assert opinion.state == S.PENDING

    def test_assigning_the_state_of_a_saved_opinion_raises(self, make_opinion, topic):
        opinion = make_opinion(page=topic)
        for state in (S.APPROVED, S.PROMOTED, S.REJECTED):
            with pytest.raises(AttributeError):
                opinion.state = state
        opinion.save()
        assert Opinion.objects.get(pk=opinion.pk).state == S.PENDING

    def test_reloading_from_the_database_still_works(self, moderator, make_opinion, topic):
        opinion = make_opinion(page=topic)
        stale = Opinion.objects.get(pk=opinion.pk)
        perform(opinion, "approve", moderator)
        stale.refresh_from_db()
        assert stale.state == S.APPROVED


def audit_entries(opinion):
    content_type = ContentType.objects.get_for_model(Opinion)
    return AuditEntry.objects.for_object(content_type, opinion.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("transition", list(MACHINE))
def test_each_transition_writes_a_history_row_and_an_audit_entry(
    transition, moderator, make_opinion, topic
):
    sources, target = MACHINE[transition]
    start = S.PROMOTED if transition == "demote" else S.APPROVED
    if transition == "approve":
        start = S.PENDING
    assert start in sources
    opinion = make_opinion(start, page=topic)
    rows_before = opinion.history.count()
    reason = f"理由：{transition}"

    perform(opinion, transition, moderator, reason=reason)

    assert opinion.history.count() == rows_before + 1
    row = opinion.history.first()
    assert row.history_type == "~"
    assert row.state == target
    assert row.history_user_id == moderator.pk
    assert row.history_change_reason == reason

    entry = audit_entries(opinion).first()
    assert entry.action == Action.TRANSITION
    assert entry.detail == transition
    assert entry.user_id == moderator.pk
    assert entry.username == moderator.get_username()
    assert entry.reason == reason
    assert entry.object_id == str(opinion.pk)
    assert entry.source == row


@pytest.mark.django_db
def test_the_reason_belongs_to_one_transition_only(moderator, make_opinion, topic):
    opinion = make_opinion(page=topic)
    perform(opinion, "approve", moderator, reason="内容具体")
    perform(opinion, "promote", moderator)
    approve, promote = audit_entries(opinion)[1], audit_entries(opinion)[0]
    assert (approve.detail, approve.reason) == ("approve", "内容具体")
    assert (promote.detail, promote.reason) == ("promote", "")
    # A later plain save is a change, not a transition, and carries no reason.
    opinion.save()
    latest = audit_entries(opinion).first()
    assert (latest.action, latest.detail, latest.reason) == (Action.CHANGED, "", "")


@pytest.mark.django_db
def test_the_whole_life_of_an_opinion_is_in_its_history(moderator, make_opinion, topic):
    opinion = make_opinion(page=topic)
    for name in ("approve", "promote", "demote", "reject"):
        perform(opinion, name, moderator, reason=name.upper())
    entries = list(audit_entries(opinion).order_by("id"))
    assert [(e.action, e.detail, e.reason) for e in entries] == [
        (Action.CREATED, "", ""),
        (Action.TRANSITION, "approve", "APPROVE"),
        (Action.TRANSITION, "promote", "PROMOTE"),
        (Action.TRANSITION, "demote", "DEMOTE"),
        (Action.TRANSITION, "reject", "REJECT"),
    ]
    assert [row.state for row in opinion.history.order_by("history_id")] == [
        S.PENDING,
        S.APPROVED,
        S.PROMOTED,
        S.APPROVED,
        S.REJECTED,
    ]


@pytest.mark.django_db
class TestWhoAndWhen:
    @pytest.mark.parametrize("transition", ["approve", "reject", "mark_spam"])
    def test_moderation_records_the_moderator_and_the_time(
        self, transition, moderator, make_opinion, topic
    ):
        opinion = make_opinion(page=topic)
        before = timezone.now()
        perform(opinion, transition, moderator)
        opinion = Opinion.objects.get(pk=opinion.pk)
        assert opinion.moderated_by == moderator
        assert before <= opinion.moderated_at <= timezone.now()

    def test_promote_records_who_and_when_and_demote_clears_them(
        self, moderator, make_opinion, topic
    ):
        opinion = make_opinion(S.APPROVED, page=topic)
        assert (opinion.promoted_by, opinion.promoted_at) == (None, None)

        before = timezone.now()
        perform(opinion, "promote", moderator)
        stored = Opinion.objects.get(pk=opinion.pk)
        assert stored.promoted_by == moderator
        assert before <= stored.promoted_at <= timezone.now()
        assert stored.promoted_by_name == moderator.get_username()
        assert Opinion.objects.notice_board()[0] == stored

        perform(opinion, "demote", moderator)
        stored = Opinion.objects.get(pk=opinion.pk)
        assert (stored.state, stored.promoted_by, stored.promoted_at) == (S.APPROVED, None, None)
        assert stored.promoted_by_name == ""
        assert list(Opinion.objects.notice_board()) == []

    def test_the_promoter_is_shown_by_full_name_when_there_is_one(
        self, make_user, make_opinion, topic
    ):
        moderator = make_user(roles.MODERATORS, username="m2", first_name="赵", last_name="审核")
        opinion = make_opinion(S.APPROVED, page=topic)
        perform(opinion, "promote", moderator)
        assert Opinion.objects.get(pk=opinion.pk).promoted_by_name == "赵 审核"

    def test_the_notice_board_is_newest_promotion_first_and_limited(
        self, moderator, make_opinion, topic
    ):
        opinions = [make_opinion(S.APPROVED, page=topic) for _ in range(7)]
        for opinion in opinions:
            perform(opinion, "promote", moderator)
        board = list(Opinion.objects.notice_board())
        assert board == list(reversed(opinions))[:5]
        assert list(Opinion.objects.notice_board(limit=2)) == list(reversed(opinions))[:2]


@pytest.mark.django_db
class TestListed:
    """``listed``, the column a page's list of opinions is read by, is the database's own
    reading of the state: shown (approved, promoted) or not, whatever moved the state."""

    def test_it_follows_every_transition(self, moderator, make_opinion, topic):
        opinion = make_opinion(page=topic)
        listed = []
        for transition in ("approve", "promote", "demote", "reject"):
            perform(opinion, transition, moderator)
            listed.append(Opinion.objects.get(pk=opinion.pk).listed)
        assert listed == [True, True, True, False]
        assert list(Opinion.objects.shown()) == []

    @pytest.mark.parametrize("state", list(S))
    def test_it_is_true_for_the_states_a_page_shows_only(self, state, make_opinion, topic):
        opinion = make_opinion(state, page=topic)
        shown = state in (S.APPROVED, S.PROMOTED)
        assert Opinion.objects.get(pk=opinion.pk).listed is shown
        assert Opinion.objects.shown().filter(pk=opinion.pk).exists() is shown

    def test_a_state_written_behind_the_site_moves_it_too(self, make_opinion, topic):
        opinion = make_opinion(S.APPROVED, page=topic)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Opinion._meta.db_table} SET state = %s WHERE id = %s",
                [S.SPAM, opinion.pk],
            )
        assert not Opinion.objects.get(pk=opinion.pk).listed

    def test_the_history_keeps_the_state_not_the_column(self, make_opinion, topic):
        opinion = make_opinion(S.APPROVED, page=topic)
        history = {field.name for field in opinion.history.model._meta.fields}
        assert "state" in history
        assert "listed" not in history
