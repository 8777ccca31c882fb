"""The public opinion form on a blog post: validation, honeypot, rate limit, CSRF, closed
topics, and which opinions the page shows."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup

from django.conf import settings
from django.test import Client
from django.utils import timezone

from blog.factories import BlogPageFactory
from core.transitions import perform
from opinions.models import Opinion, OpinionState

from .conftest import ENGLISH

AWAITS = "Your opinion has been received and awaits moderation"
TOO_MANY = "You have sent several opinions in a short time."


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def opinion_data(**fields):
    return {
        "author_name": "3号楼老李",
        "contact": "13812345678",
        "body": "建议晚上把小区门口的临时车位开放给居民。",
        "website": "",
        **fields,
    }


def the_form(response):
    return soup(response).select_one("form.opinion-form")


def errors(response):
    return [p.get_text(strip=True) for p in soup(response).select("#opinions .error")]


@pytest.mark.django_db
class TestAValidOpinion:
    def test_is_kept_pending_with_the_browser_language_and_the_resident_sent_on(
        self, client, topic
    ):
        response = client.post(topic.url, opinion_data(), headers=ENGLISH)

        assert response.status_code == 302
        opinion = Opinion.objects.get()
        assert response["Location"] == f"/opinions/{opinion.reference}/?sent=1"
        assert opinion.page_id == topic.pk
        assert opinion.state == OpinionState.PENDING
        assert opinion.language == "en"
        assert opinion.author_name == "3号楼老李"
        assert opinion.contact == "13812345678"
        assert opinion.body == "建议晚上把小区门口的临时车位开放给居民。"
        assert (opinion.moderated_by, opinion.promoted_by) == (None, None)

    def test_in_chinese_by_default(self, client, topic):
        client.post(topic.url, opinion_data())
        assert Opinion.objects.get().language == "zh-hans"

    def test_the_resident_is_then_given_its_reference_and_told_it_awaits_moderation(
        self, client, topic
    ):
        response = client.post(topic.url, opinion_data(), headers=ENGLISH, follow=True)

        assert response.status_code == 200
        reference = Opinion.objects.get().reference
        page = soup(response)
        assert AWAITS in page.select_one('[role="status"]').get_text()
        assert page.select_one("code.reference").get_text() == reference
        assert page.find("a", href=f"/opinions/{reference}/") is not None
        assert page.select_one("#opinion-state").get_text() == "Awaiting moderation"
        assert "3号楼老李" not in response.content.decode()
        assert "13812345678" not in response.content.decode()

    def test_the_page_does_not_show_it_while_it_is_pending(self, client, topic):
        client.post(topic.url, opinion_data())
        html = client.get(topic.url, headers=ENGLISH).content.decode()
        assert "建议晚上把小区门口的临时车位开放给居民" not in html
        assert "No opinions have been published here yet." in html

    def test_without_the_confirmation_parameter_nothing_is_said(self, client, topic):
        client.post(topic.url, opinion_data())
        status_page = Opinion.objects.get().get_status_url()
        assert AWAITS not in client.get(status_page, headers=ENGLISH).content.decode()

    def test_surrounding_spaces_are_trimmed(self, client, topic):
        client.post(topic.url, opinion_data(author_name="  小陈 ", body="\n  多装路灯。 \n"))
        opinion = Opinion.objects.get()
        assert (opinion.author_name, opinion.body) == ("小陈", "多装路灯。")

    def test_the_contact_is_optional(self, client, topic):
        response = client.post(topic.url, opinion_data(contact=""))
        assert response.status_code == 302
        assert Opinion.objects.get().contact == ""

    def test_a_body_of_exactly_the_limit_is_kept(self, client, topic):
        body = "长" * settings.OPINION_MAX_LENGTH
        assert client.post(topic.url, opinion_data(body=body)).status_code == 302
        assert Opinion.objects.get().body == body

    def test_the_form_says_the_limit(self, client, topic):
        form = the_form(client.get(topic.url, headers=ENGLISH))
        body = form.select_one("textarea[name=body]")
        assert body["maxlength"] == str(settings.OPINION_MAX_LENGTH)
        assert f"Up to {settings.OPINION_MAX_LENGTH} characters." in form.get_text()
        assert form["method"] == "post"
        assert form["action"] == f"{topic.url}#opinions"


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"author_name": ""}, "Please tell us what name to show with your opinion."),
            ({"author_name": "   "}, "Please tell us what name to show with your opinion."),
            ({"body": ""}, "Please write your opinion before sending it."),
            ({"body": "  \n\t  \r\n "}, "Please write your opinion before sending it."),
            ({"author_name": "名" * 51}, "Please keep the name to 50 characters."),
            ({"contact": "1" * 101}, "Please keep the contact to 100 characters."),
            (
                {"body": "长" * (settings.OPINION_MAX_LENGTH + 1)},
                f"Your opinion is {settings.OPINION_MAX_LENGTH + 1} characters long; "
                f"the limit is {settings.OPINION_MAX_LENGTH}. Please shorten it.",
            ),
        ],
        ids=[
            "empty name",
            "blank name",
            "empty body",
            "whitespace body",
            "long name",
            "long contact",
            "long body",
        ],
    )
    def test_is_sent_back_with_a_clear_message_and_nothing_kept(
        self, client, topic, fields, message
    ):
        response = client.post(topic.url, opinion_data(**fields), headers=ENGLISH)

        assert response.status_code == 400
        assert message in errors(response)
        assert "Please correct the marked fields below." in errors(response)
        assert Opinion.objects.count() == 0

    def test_what_was_written_stays_in_the_form(self, client, topic):
        response = client.post(topic.url, opinion_data(author_name=""), headers=ENGLISH)
        form = the_form(response)
        assert form.select_one("textarea[name=body]").get_text().strip() == opinion_data()["body"]
        assert form.select_one("input[name=contact]")["value"] == "13812345678"

    def test_a_missing_field_is_not_an_error_page(self, client, topic):
        response = client.post(topic.url, {"author_name": "甲"}, headers=ENGLISH)
        assert response.status_code == 400
        assert "Please write your opinion before sending it." in errors(response)

    def test_a_post_to_an_unknown_language_still_works(self, client, topic):
        response = client.post(topic.url, opinion_data(), headers={"accept-language": "fr"})
        assert response.status_code == 302
        assert Opinion.objects.get().language == settings.LANGUAGE_CODE


@pytest.mark.django_db
class TestHoneypot:
    def test_a_filled_trap_gets_the_usual_answer_and_nothing_is_kept(self, client, topic):
        response = client.post(topic.url, opinion_data(website="http://spam.example/"))
        assert response.status_code == 302
        # Sent on as a resident is, to a reference that leads nowhere.
        assert re.fullmatch(
            r"/opinions/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/\?sent=1", response["Location"]
        )
        assert Opinion.objects.count() == 0
        assert client.get(response["Location"]).status_code == 404

    def test_even_when_the_rest_is_invalid(self, client, topic):
        response = client.post(topic.url, opinion_data(body="", website="x"))
        assert response.status_code == 302
        assert Opinion.objects.count() == 0

    def test_the_trap_is_hidden_from_people(self, client, topic):
        trap = the_form(client.get(topic.url)).select_one("input[name=website]")
        assert trap["tabindex"] == "-1"
        assert trap["autocomplete"] == "off"
        assert trap.find_parent(class_="trap")["aria-hidden"] == "true"


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
class TestRateLimit:
    LIMIT = 5

    def post(self, client, topic, n=0, **extra):
        return client.post(topic.url, opinion_data(body=f"第{n}条意见。"), headers=ENGLISH, **extra)

    def test_the_setting_is_five_in_ten_minutes(self):
        assert settings.PUBLIC_FORM_RATE_LIMITS["opinion"] == "5/10m"

    def test_the_sixth_opinion_from_one_address_is_refused(self, client, topic):
        for n in range(self.LIMIT):
            assert self.post(client, topic, n).status_code == 302
        response = self.post(client, topic, 6)

        assert response.status_code == 429
        (message,) = [e for e in errors(response) if e.startswith(TOO_MANY)]
        assert re.fullmatch(
            re.escape(TOO_MANY)
            + r" Please try again in \d+ minutes?; what you wrote is still in the form\.",
            message,
        )
        assert Opinion.objects.count() == self.LIMIT
        assert not Opinion.objects.filter(body="第6条意见。").exists()
        # What the resident wrote is still in the form.
        assert the_form(response).select_one("textarea[name=body]").get_text().strip() == (
            "第6条意见。"
        )

    def test_the_wait_said_is_the_rest_of_the_window(self, client, topic, clock):
        for n in range(self.LIMIT):
            self.post(client, topic, n)
        message = next(e for e in errors(self.post(client, topic)) if e.startswith(TOO_MANY))
        minutes = int(re.search(r"in (\d+) minute", message).group(1))
        assert 1 <= minutes <= 10

    def test_the_limit_lifts_when_the_window_is_over(self, client, topic, clock):
        for n in range(self.LIMIT):
            self.post(client, topic, n)
        assert self.post(client, topic).status_code == 429
        clock.advance(minutes=10)
        assert self.post(client, topic, 7).status_code == 302
        assert Opinion.objects.count() == self.LIMIT + 1

    def test_invalid_and_trapped_posts_do_not_count(self, client, topic):
        for _ in range(4):
            response = client.post(topic.url, opinion_data(body=""), headers=ENGLISH)
            assert response.status_code == 400
        for _ in range(3):
            client.post(topic.url, opinion_data(website="bot"))
        for n in range(self.LIMIT):
            assert self.post(client, topic, n).status_code == 302
        assert Opinion.objects.count() == self.LIMIT
        assert self.post(client, topic).status_code == 429

    def test_invalid_input_while_limited_is_still_refused_as_too_frequent(self, client, topic):
        for n in range(self.LIMIT):
            self.post(client, topic, n)
        response = client.post(topic.url, opinion_data(body=""), headers=ENGLISH)
        assert response.status_code == 429
        assert Opinion.objects.count() == self.LIMIT

    def test_the_limit_is_per_address_across_pages(self, client, topic):
        other = BlogPageFactory(slug="garden")
        for n in range(self.LIMIT):
            self.post(client, topic if n % 2 else other, n)
        assert self.post(client, other).status_code == 429
        assert self.post(client, topic).status_code == 429

    def test_another_address_is_not_limited(self, client, topic):
        for n in range(self.LIMIT):
            self.post(client, topic, n, REMOTE_ADDR="203.0.113.7")
        assert self.post(client, topic, REMOTE_ADDR="203.0.113.7").status_code == 429
        assert self.post(client, topic, 8, REMOTE_ADDR="203.0.113.8").status_code == 302
        assert Opinion.objects.count() == self.LIMIT + 1

    def test_a_forged_forwarded_for_header_does_not_get_round_it(self, client, topic, settings):
        assert settings.TRUSTED_PROXIES == []
        for n in range(self.LIMIT):
            forged = f"198.51.100.{n}"
            assert self.post(client, topic, n, HTTP_X_FORWARDED_FOR=forged).status_code == 302
        for forged in ("198.51.100.99", "10.0.0.1, 198.51.100.98", ""):
            response = self.post(client, topic, HTTP_X_FORWARDED_FOR=forged)
            assert response.status_code == 429
        assert Opinion.objects.count() == self.LIMIT

    def test_behind_one_trusted_proxy_the_proxy_given_address_counts(self, client, topic, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        proxy = {"REMOTE_ADDR": "10.0.0.2"}
        for n in range(self.LIMIT):
            self.post(client, topic, n, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
        # The same resident, whatever they write to the left of the proxy's entry...
        forged = "1.2.3.4, 203.0.113.5"
        assert self.post(client, topic, HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
        # ...and a neighbour behind the same proxy is not limited.
        other = self.post(client, topic, 9, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
        assert other.status_code == 302


@pytest.mark.django_db
class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, topic):
        client = Client(enforce_csrf_checks=True)
        client.get(topic.url)
        response = client.post(topic.url, opinion_data())
        assert response.status_code == 403
        assert Opinion.objects.count() == 0

    def test_a_post_from_the_page_itself_is_kept(self, topic):
        # The anonymous form carries no token (it may come from the page cache): the browser's
        # Origin says it comes from this site (core/csrf.py; tests/cache/test_forms.py).
        client = Client(enforce_csrf_checks=True)
        form = the_form(client.get(topic.url))
        assert form.select_one("input[name=csrfmiddlewaretoken]") is None
        response = client.post(topic.url, opinion_data(), headers={"origin": "http://testserver"})
        assert response.status_code == 302
        assert Opinion.objects.count() == 1


@pytest.fixture
def closed_topic(db):
    return BlogPageFactory(
        slug="waste-sorting",
        opinions_close_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def no_opinions_post(db):
    return BlogPageFactory(slug="heating-notice", takes_opinions=False)


@pytest.mark.django_db
class TestClosed:
    def test_a_topic_past_its_closing_date_shows_no_form(self, client, closed_topic):
        response = client.get(closed_topic.url, headers=ENGLISH)
        assert response.status_code == 200
        assert the_form(response) is None
        notice = soup(response).select_one("#opinions p.notice").get_text()
        assert notice.startswith("Opinions on this topic closed on ")
        local = timezone.localtime(closed_topic.opinions_close_at)
        assert local.strftime("%Y-%m-%d %H:%M") in notice

    def test_an_opinion_posted_to_it_is_refused(self, client, closed_topic):
        response = client.post(closed_topic.url, opinion_data(), headers=ENGLISH)
        assert response.status_code == 409
        message = soup(response).select_one("#opinion-error").get_text()
        assert message.startswith("Opinions on this topic closed on ")
        assert the_form(response) is None
        assert Opinion.objects.count() == 0

    def test_a_post_that_takes_no_opinions(self, client, no_opinions_post):
        response = client.get(no_opinions_post.url, headers=ENGLISH)
        assert the_form(response) is None
        assert "This post does not take opinions." in response.content.decode()

        response = client.post(no_opinions_post.url, opinion_data(), headers=ENGLISH)
        assert response.status_code == 409
        assert soup(response).select_one("#opinion-error").get_text() == (
            "This post does not take opinions."
        )
        assert Opinion.objects.count() == 0

    def test_a_topic_closing_later_still_takes_opinions(self, client):
        topic = BlogPageFactory(opinions_close_at=timezone.now() + datetime.timedelta(hours=1))
        assert the_form(client.get(topic.url)) is not None
        assert client.post(topic.url, opinion_data()).status_code == 302

    def test_approved_opinions_stay_visible_after_closing(self, client, closed_topic, make_opinion):
        make_opinion(OpinionState.APPROVED, page=closed_topic, body="关闭前的意见。")
        assert "关闭前的意见。" in client.get(closed_topic.url).content.decode()


def shown_bodies(response):
    return [li.select_one(".opinion__body").get_text() for li in soup(response).select(".opinion")]


@pytest.mark.django_db
class TestShownOpinions:
    def test_only_approved_and_promoted_are_shown_newest_first(self, client, topic, make_opinion):
        now = timezone.now()
        for hours, state in enumerate(
            [
                OpinionState.PENDING,
                OpinionState.APPROVED,
                OpinionState.REJECTED,
                OpinionState.PROMOTED,
                OpinionState.SPAM,
                OpinionState.APPROVED,
            ]
        ):
            make_opinion(
                state,
                page=topic,
                body=f"{state}-{hours}",
                created_at=now - datetime.timedelta(hours=hours),
            )

        shown = shown_bodies(client.get(topic.url))

        assert shown == ["approved-1", "promoted-3", "approved-5"]

    def test_a_promoted_opinion_is_marked(self, client, topic, make_opinion):
        make_opinion(OpinionState.PROMOTED, page=topic, body="上墙的意见")
        item = soup(client.get(topic.url, headers=ENGLISH)).select_one(".opinion")
        assert "opinion--promoted" in item["class"]
        assert "On the notice board" in item.get_text()

    def test_opinions_of_other_pages_are_not_shown(self, client, topic, make_opinion):
        other = BlogPageFactory(slug="garden")
        make_opinion(OpinionState.APPROVED, page=other, body="别处的意见")
        assert shown_bodies(client.get(topic.url)) == []

    def test_a_taken_down_opinion_disappears(self, client, topic, make_opinion, moderator):
        opinion = make_opinion(OpinionState.APPROVED, page=topic, body="后来撤下")
        assert shown_bodies(client.get(topic.url)) == ["后来撤下"]
        perform(opinion, "reject", moderator, reason="不实信息")
        assert shown_bodies(client.get(topic.url)) == []

    def test_an_opinion_in_english_is_marked_as_english(self, client, topic, make_opinion):
        make_opinion(OpinionState.APPROVED, page=topic, body="More bike racks.", language="en")
        assert soup(client.get(topic.url)).select_one(".opinion")["lang"] == "en"

    def test_line_breaks_are_kept(self, client, topic, make_opinion):
        make_opinion(OpinionState.APPROVED, page=topic, body="第一行\n第二行")
        body = soup(client.get(topic.url)).select_one(".opinion__body")
        assert body.find("br") is not None

    def test_are_paginated_ten_a_page(self, client, topic, make_opinion):
        now = timezone.now()
        for n in range(23):
            make_opinion(
                OpinionState.APPROVED,
                page=topic,
                body=f"意见{n:02d}",
                created_at=now - datetime.timedelta(minutes=n),
            )

        first = client.get(topic.url)
        second = client.get(topic.url, {"opinions": 2})
        third = client.get(topic.url, {"opinions": 3})

        assert shown_bodies(first) == [f"意见{n:02d}" for n in range(10)]
        assert shown_bodies(second) == [f"意见{n:02d}" for n in range(10, 20)]
        assert shown_bodies(third) == [f"意见{n:02d}" for n in range(20, 23)]
        pager = soup(second).select_one("#opinions nav.pagination")
        assert pager.select_one("a[rel=prev]")["href"] == "?opinions=1"
        assert pager.select_one("a[rel=next]")["href"] == "?opinions=3"
        assert soup(third).select_one("#opinions a[rel=next]") is None

    @pytest.mark.parametrize("junk", ["abc", "-1", "0", "2.5", "9" * 30, ""])
    def test_a_junk_page_number_shows_the_first_page(self, client, topic, make_opinion, junk):
        make_opinion(OpinionState.APPROVED, page=topic, body="唯一的意见")
        response = client.get(topic.url, {"opinions": junk})
        assert response.status_code == 200
        if junk == "9" * 30:
            assert shown_bodies(response) == []
        else:
            assert shown_bodies(response) == ["唯一的意见"]
