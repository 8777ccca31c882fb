"""What every page type and every public form share (core): the base page and its search
text, the one visibility rule, the honeypot and the rate limit of public forms."""

import pytest
from bs4 import BeautifulSoup

from django import forms
from django.template import engines
from django.test import RequestFactory

from wagtail.models import Page, PageViewRestriction, get_page_models
from wagtail.search import index

from blog.factories import BlogPageFactory
from core.forms import HoneypotMixin
from core.middleware import RequestMemoMiddleware
from core.pages import CommunityPage, public
from core.ratelimit import PublicFormLimit
from core.search import MARK, index_terms
from duty.forms import RequestForm
from hearings.factories import BriefingPageFactory, HearingPageFactory
from hearings.models import DecisionState, HearingPage
from home.models import StandardPage
from opinions.forms import OpinionForm
from opinions.models import Opinion
from tests.home.factories import StandardPageFactory, paragraph

ENGLISH = {"accept-language": "en"}


def result_paths(response):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [a["href"] for a in page.select("ol.results h2 a")]


class TestEveryPageType:
    def test_derives_from_the_base_page(self):
        page_types = [model for model in get_page_models() if model is not Page]
        assert {model.__name__ for model in page_types} >= {
            "HomePage",
            "StandardPage",
            "BlogIndexPage",
            "BlogPage",
            "BriefingIndexPage",
            "BriefingPage",
            "HearingIndexPage",
            "HearingPage",
        }
        assert [m for m in page_types if not issubclass(m, CommunityPage)] == []

    def test_keeps_no_list_of_han_fields_beside_its_search_fields(self):
        for model in get_page_models():
            assert not hasattr(model, "han_search_fields"), model

    def test_indexes_the_han_text_and_lists_its_manager_by_the_site_rule(self):
        for model in get_page_models():
            if model is Page:
                continue
            names = [field.field_name for field in model.get_searchable_search_fields()]
            assert "han_search_text" in names, model
            assert "title" in names, model
            assert hasattr(model.objects, "published"), model


# A new page instance looks up its content type, which may not be cached yet.
@pytest.mark.django_db
class TestHanTextIsDerivedFromTheSearchFields:
    def test_declared_fields_are_in_it_and_others_are_not(self):
        page = StandardPage(
            title="停车公告",
            introduction="小区停车位登记",
            body=[paragraph("<p>周六起施行</p>")],
            search_description="内部备注",  # not a SearchField of StandardPage
        )
        terms = page.han_search_text().split()
        assert {"停车", "公告", "车位", "登记", "施行"} <= set(terms)
        assert "内部" not in terms

    def test_rich_text_gives_its_text_not_its_markup(self):
        # (A hearing's summary is searchable only once its decision is published.)
        page = HearingPage(
            title="听证会",
            summary='<p class="x">加装电梯</p>',
            decision_state=DecisionState.PUBLISHED,
        )
        terms = page.han_search_text().split()
        assert "电梯" in terms
        assert not [term for term in terms if "<" in term or "class" in term]

    def test_declaring_a_field_searchable_is_all_it_takes(self, monkeypatch):
        page = StandardPage(title="标题", seo_title="垃圾分类")
        assert "分类" not in page.han_search_text().split()
        monkeypatch.setattr(
            StandardPage,
            "search_fields",
            [*StandardPage.search_fields, index.SearchField("seo_title")],
        )
        assert "分类" in page.han_search_text().split()

    def test_the_text_is_the_index_terms_of_the_fields(self):
        page = StandardPage(title="居民代表", introduction="APP办理")
        # Between two markers that no backend strips, for the excerpts to leave the terms out.
        terms = " ".join(index_terms("居民代表 APP办理"))
        assert page.han_search_text() == f"{MARK} {terms} {MARK}"
        assert not MARK.isspace()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        lambda: StandardPageFactory(introduction="推进垃圾分类定点投放。"),
        lambda: StandardPageFactory(body=[paragraph("<p>推进垃圾分类定点投放。</p>")]),
        lambda: BlogPageFactory(body=[paragraph("<p>推进垃圾分类定点投放。</p>")]),
        lambda: BriefingPageFactory(agenda="<ul><li>推进垃圾分类定点投放</li></ul>"),
        lambda: HearingPageFactory(matter="推进垃圾分类定点投放。"),
    ],
    ids=["introduction", "standard-body", "blog-body", "briefing-agenda", "hearing-matter"],
)
@pytest.mark.search_index
def test_a_chinese_word_in_a_page_types_own_field_is_found(client, home_page, make):
    page = make()
    # "圾分" is a pair inside the word, not a word anyone would have listed.
    for query in ("垃圾分类", "圾分", "定点"):
        response = client.get("/search/", {"q": query}, headers=ENGLISH)
        assert result_paths(response) == [page.url], query


@pytest.mark.django_db
class TestTheVisibilityRule:
    @pytest.fixture
    def tree(self, home_page):
        open_section = StandardPageFactory(slug="open")
        private = StandardPageFactory(slug="private")
        below = StandardPageFactory(parent=private, slug="below")
        draft = StandardPageFactory(slug="draft", state="draft")
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
        return open_section, private, below, draft

    def test_means_what_wagtails_public_means(self, tree):
        assert set(public(Page.objects.all())) == set(Page.objects.public())
        assert set(StandardPage.objects.public()) == set(
            Page.objects.type(StandardPage).public().specific()
        )

    def test_published_is_live_and_public(self, tree):
        open_section, private, below, draft = tree
        assert set(StandardPage.objects.published()) == {open_section}

    def test_without_restrictions_nothing_is_excluded(self, home_page):
        page = StandardPageFactory()
        assert list(StandardPage.objects.published()) == [page]

    def test_reads_the_restrictions_once_per_request(self, tree, django_assert_num_queries):
        def view(request):
            with django_assert_num_queries(2):  # the restrictions, then the pages
                first = list(StandardPage.objects.published())
            with django_assert_num_queries(1):  # the pages only
                second = [p.pk for p in public(Page.objects.live())]
            return first, second

        first, second = RequestMemoMiddleware(view)(RequestFactory().get("/"))
        assert [p.slug for p in first] == ["open"]
        assert tree[1].pk not in second and tree[2].pk not in second

    def test_the_notice_board_follows_it(self, tree):
        open_section, private, below, draft = tree
        for page in (open_section, below):
            Opinion.objects.create(
                page=page, author_name="老李", body="好", language="zh-hans", state="promoted"
            )
        assert [o.page_id for o in Opinion.objects.notice_board()] == [open_section.pk]


class HoneypotForm(HoneypotMixin, forms.Form):
    name = forms.CharField()


def render_fields(form):
    template = engines["django"].from_string(
        '{% for field in form %}{% include "includes/form_field.html" %}{% endfor %}'
    )
    return BeautifulSoup(template.render({"form": form}), "html.parser")


class TestTheHoneypot:
    def test_the_public_forms_have_it(self):
        assert issubclass(OpinionForm, HoneypotMixin)
        assert issubclass(RequestForm, HoneypotMixin)
        assert list(OpinionForm().fields)[-1] == "website"

    @pytest.mark.parametrize(("value", "bot"), [("", False), ("http://spam.example", True)])
    def test_a_filled_in_trap_is_a_bot(self, value, bot):
        form = HoneypotForm({"name": "老李", "website": value})
        assert form.is_bot is bot
        assert form.is_valid()  # the view decides; the form never says why

    def test_the_trap_is_hidden_from_people_and_other_fields_are_not(self):
        html = render_fields(HoneypotForm())
        trap = html.select_one("input[name=website]")
        assert trap["tabindex"] == "-1"
        assert trap["autocomplete"] == "off"
        assert trap.find_parent(class_="trap")["aria-hidden"] == "true"
        name = html.select_one("input[name=name]")
        assert name.find_parent(class_="trap") is None
        assert name.find_parent(class_="field") is not None

    def test_errors_and_help_carry_the_ids_django_names(self):
        form = HoneypotForm({"name": ""})
        form.fields["name"].help_text = "help"
        html = render_fields(form)
        assert html.select_one("#id_name_error") is not None
        assert html.select_one("#id_name_helptext").get_text() == "help"
        assert "field--error" in html.select_one("input[name=name]").find_parent("div")["class"]


# django-ratelimit counts in fixed windows of the wall clock: the suite's clock holds it still.
@pytest.mark.usefixtures("clock")
class TestTheRateLimit:
    def post(self, address="10.0.0.1"):
        return RequestFactory().post("/", REMOTE_ADDR=address)

    def test_reads_the_limit_from_the_settings(self, settings):
        settings.PUBLIC_FORM_RATE_LIMITS = {"opinion": "2/h", "duty_request": "3/h"}
        limit = PublicFormLimit("opinion")
        assert limit.rate == "2/h"
        for _ in range(2):
            assert limit.minutes_to_wait(self.post()) == 0
            assert limit.take(self.post()) == 0
        assert 1 <= limit.minutes_to_wait(self.post()) <= 60
        # The third is counted and refused at once, with the same wait.
        assert 1 <= limit.take(self.post()) <= 60

    def test_counts_per_client_address_and_per_form(self, settings):
        settings.PUBLIC_FORM_RATE_LIMITS = {"opinion": "1/h", "duty_request": "1/h"}
        assert PublicFormLimit("opinion").take(self.post()) == 0
        assert PublicFormLimit("opinion").minutes_to_wait(self.post()) > 0
        assert PublicFormLimit("opinion").minutes_to_wait(self.post("10.0.0.2")) == 0
        assert PublicFormLimit("duty_request").minutes_to_wait(self.post()) == 0

    def test_the_wait_is_the_rest_of_the_window(self, settings, clock):
        settings.PUBLIC_FORM_RATE_LIMITS = {"opinion": "1/10m"}
        limit = PublicFormLimit("opinion")
        assert limit.take(self.post()) == 0
        assert 1 <= limit.minutes_to_wait(self.post()) <= 10
        clock.advance(minutes=10)
        assert limit.minutes_to_wait(self.post()) == 0

    @pytest.mark.django_db
    def test_the_post_after_the_limit_is_refused(self, client, settings, home_page):
        settings.PUBLIC_FORM_RATE_LIMITS = {**settings.PUBLIC_FORM_RATE_LIMITS, "opinion": "2/h"}
        topic = BlogPageFactory()
        data = {"author_name": "老李", "contact": "", "body": "意见", "website": ""}
        for _ in range(2):
            assert client.post(topic.url, data).status_code == 302
        assert client.post(topic.url, data).status_code == 429
        assert Opinion.objects.count() == 2
