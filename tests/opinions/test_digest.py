"""Moderators hear that opinions wait: one digest per window, not one email per opinion."""

import smtplib
from io import StringIO

import pytest

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import ngettext

from core import roles
from opinions.factories import OpinionFactory
from opinions.models import Opinion, OpinionState
from opinions.notify import moderator_emails, send_digest

QUEUE_URL = f"{settings.WAGTAILADMIN_BASE_URL}/admin/snippets/opinions/opinion/?state=pending"


def post(client, page, n, **extra):
    data = {"author_name": f"居民{n}", "body": f"第{n}条意见：多装路灯。", "website": ""}
    response = client.post(page.url, data, **extra)
    assert response.status_code == 302
    return response


def subject(count):
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "%(count)d opinion awaits moderation", "%(count)d opinions await moderation", count
        ) % {"count": count}


@pytest.fixture
def moderators(make_user):
    return [
        make_user(roles.MODERATORS, username="mod-a", email="a@community.invalid"),
        make_user(roles.MODERATORS, username="mod-b", email="b@community.invalid"),
    ]


@pytest.fixture
def others(make_user):
    """People who are not to be emailed: other roles, a moderator without an address, and
    one whose account is closed."""
    return [
        make_user(roles.EDITORS, username="ed", email="ed@community.invalid"),
        make_user(roles.SUPERVISORS, username="sup", email="sup@community.invalid"),
        make_user(username="admin2", email="root@community.invalid", is_superuser=True),
        make_user(roles.MODERATORS, username="mod-no-mail", email=""),
        make_user(
            roles.MODERATORS, username="mod-gone", email="gone@community.invalid", is_active=False
        ),
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("clock", "others")
class TestDigestOnPosting:
    def test_three_opinions_in_a_row_send_one_email_to_the_moderators(
        self, client, topic, moderators
    ):
        for n in range(3):
            post(client, topic, n)

        assert Opinion.objects.pending().count() == 3
        assert len(mail.outbox) == 1
        (email,) = mail.outbox
        assert sorted(email.to) == ["a@community.invalid", "b@community.invalid"]
        assert email.from_email == settings.DEFAULT_FROM_EMAIL
        assert email.subject == subject(1)
        assert "居民0: 第0条意见：多装路灯。" in email.body
        assert topic.title in email.body
        assert QUEUE_URL in email.body

    def test_the_digest_lists_everything_that_waits(self, client, topic, moderators, make_opinion):
        earlier = [make_opinion(page=topic, body=f"早先的意见{n}") for n in range(2)]
        handled = make_opinion(OpinionState.APPROVED, page=topic, body="已经批准的意见")

        post(client, topic, 0)

        (email,) = mail.outbox
        assert email.subject == subject(3)
        for opinion in earlier:
            assert opinion.body in email.body
        assert "第0条意见" in email.body
        assert handled.body not in email.body
        # Oldest first.
        assert email.body.index("早先的意见0") < email.body.index("第0条意见")

    def test_no_second_email_within_the_window_and_one_after_it(
        self, client, topic, moderators, clock
    ):
        post(client, topic, 0)
        clock.advance(minutes=settings.OPINION_DIGEST_MINUTES - 1)
        post(client, topic, 1)
        assert len(mail.outbox) == 1

        clock.advance(minutes=2)
        post(client, topic, 2)

        assert len(mail.outbox) == 2
        assert mail.outbox[1].subject == subject(3)
        for n in range(3):
            assert f"第{n}条意见" in mail.outbox[1].body

    def test_the_window_is_shared_by_every_page(self, client, topic, moderators):
        from blog.factories import BlogPageFactory

        other = BlogPageFactory(slug="garden")
        post(client, topic, 0)
        post(client, other, 1, REMOTE_ADDR="203.0.113.9")
        assert len(mail.outbox) == 1

    def test_invalid_and_trapped_posts_send_nothing(self, client, topic, moderators):
        client.post(topic.url, {"author_name": "", "body": "x", "website": ""})
        client.post(topic.url, {"author_name": "bot", "body": "x", "website": "http://x"})
        assert mail.outbox == []
        post(client, topic, 0)
        assert len(mail.outbox) == 1

    def test_no_email_when_no_moderator_has_an_address(self, client, topic):
        post(client, topic, 0)
        assert mail.outbox == []
        assert Opinion.objects.pending().count() == 1

    def test_a_failing_mail_server_does_not_lose_the_opinion_or_the_next_digest(
        self, client, topic, moderators, monkeypatch
    ):
        def broken(*args, **kwargs):
            raise smtplib.SMTPException("mail server down")

        monkeypatch.setattr("opinions.notify.send_mail", broken)
        response = client.post(
            topic.url, {"author_name": "甲", "body": "意见", "website": ""}, REMOTE_ADDR="1.1.1.1"
        )
        assert response.status_code == 302
        assert Opinion.objects.pending().count() == 1

        monkeypatch.undo()
        post(client, topic, 1)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject == subject(2)


@pytest.mark.django_db
def test_moderator_emails_are_the_active_moderators_with_an_address(moderators, others):
    assert sorted(moderator_emails()) == ["a@community.invalid", "b@community.invalid"]


@pytest.mark.django_db
def test_a_long_queue_is_cut_short_and_counted_whole(moderators, topic):
    for n in range(52):
        OpinionFactory(page=topic, body=f"排队的意见{n:02d}")
    assert send_digest() == 52
    (email,) = mail.outbox
    assert email.subject == subject(52)
    listed = [line for line in email.body.splitlines() if line.startswith("- ")]
    assert len(listed) == 50
    assert "\n…\n" in email.body


@pytest.mark.django_db
def test_markup_in_an_opinion_stays_as_typed_in_the_plain_text_email(moderators, topic):
    OpinionFactory(page=topic, author_name="<b>甲</b>", body="a & b <i>c</i>")
    send_digest()
    assert "<b>甲</b>: a & b <i>c</i>" in mail.outbox[0].body
    assert "&lt;" not in mail.outbox[0].body
    assert mail.outbox[0].alternatives == []


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
class TestCommand:
    def run(self):
        out = StringIO()
        call_command("send_opinion_digest", stdout=out)
        return out.getvalue()

    def test_sends_what_is_pending(self, client, topic, moderators, make_opinion):
        for n in range(3):
            post(client, topic, n)  # the first one sent a digest; two arrived in its window
        make_opinion(OpinionState.REJECTED, page=topic, body="被拒绝的意见")

        output = self.run()

        assert "3 pending opinion(s) sent to the moderators." in output
        assert len(mail.outbox) == 2
        email = mail.outbox[1]
        assert email.subject == subject(3)
        assert sorted(email.to) == ["a@community.invalid", "b@community.invalid"]
        for n in range(3):
            assert f"第{n}条意见" in email.body
        assert "被拒绝的意见" not in email.body

    def test_opens_a_window_so_posting_right_after_sends_nothing(
        self, client, topic, moderators, make_opinion
    ):
        make_opinion(page=topic)
        self.run()
        post(client, topic, 0)
        assert len(mail.outbox) == 1

    def test_sends_nothing_when_nothing_waits(self, moderators, make_opinion, topic):
        make_opinion(OpinionState.APPROVED, page=topic)
        assert "0 pending opinion(s)" in self.run()
        assert mail.outbox == []

    def test_sends_nothing_when_no_moderator_has_an_address(self, make_opinion, topic, others):
        make_opinion(page=topic)
        assert "0 pending opinion(s)" in self.run()
        assert mail.outbox == []
