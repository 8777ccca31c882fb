"""Where briefings and hearings stand in the page tree, and the one rule for "in consultation"."""

import datetime

import pytest

from django.utils import timezone

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from blog.models import BlogIndexPage
from hearings.factories import (
    BriefingIndexPageFactory,
    BriefingPageFactory,
    HearingIndexPageFactory,
    HearingPageFactory,
)
from hearings.models import (
    BriefingIndexPage,
    BriefingPage,
    HearingIndexPage,
    HearingPage,
    MeetingIndexPage,
)
from home.models import HomePage, StandardPage

from .conftest import shanghai


class PageTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()

    def test_both_indexes_share_one_base_and_one_template(self):
        for index in (BriefingIndexPage, HearingIndexPage):
            self.assertTrue(issubclass(index, MeetingIndexPage))
            self.assertEqual(index.template, "hearings/meeting_index_page.html")
        self.assertIs(BriefingIndexPage().meeting_model, BriefingPage)
        self.assertIs(HearingIndexPage().meeting_model, HearingPage)

    def test_the_indexes_stand_only_under_the_front_page(self):
        for index in (BriefingIndexPage, HearingIndexPage):
            self.assertAllowedParentPageTypes(index, {HomePage})
            self.assertCanCreateAt(HomePage, index)
            self.assertCanNotCreateAt(Page, index)
            self.assertCanNotCreateAt(StandardPage, index)
            self.assertCanNotCreateAt(BlogIndexPage, index)
            self.assertCanNotCreateAt(index, index)

    def test_there_is_at_most_one_of_each_index(self):
        self.assertTrue(BriefingIndexPage.can_create_at(self.home))
        self.assertTrue(HearingIndexPage.can_create_at(self.home))
        BriefingIndexPageFactory()
        self.assertFalse(BriefingIndexPage.can_create_at(self.home))
        self.assertTrue(HearingIndexPage.can_create_at(self.home))
        HearingIndexPageFactory()
        self.assertFalse(HearingIndexPage.can_create_at(self.home))

    def test_meetings_stand_only_under_their_own_index_and_have_no_children(self):
        self.assertAllowedSubpageTypes(BriefingIndexPage, {BriefingPage})
        self.assertAllowedSubpageTypes(HearingIndexPage, {HearingPage})
        self.assertAllowedParentPageTypes(BriefingPage, {BriefingIndexPage})
        self.assertAllowedParentPageTypes(HearingPage, {HearingIndexPage})
        for meeting in (BriefingPage, HearingPage):
            self.assertAllowedSubpageTypes(meeting, set())
            self.assertCanNotCreateAt(HomePage, meeting)
            self.assertCanNotCreateAt(StandardPage, meeting)
        self.assertCanNotCreateAt(HearingIndexPage, BriefingPage)
        self.assertCanNotCreateAt(BriefingIndexPage, HearingPage)

    def test_the_pages_are_renderable(self):
        briefing = BriefingPageFactory()
        hearing = HearingPageFactory()
        for page in (briefing, hearing, briefing.get_parent(), hearing.get_parent()):
            self.assertPageIsRenderable(page.specific)


OPENS = shanghai(2026, 11, 20, 9, 0)
CLOSES = shanghai(2026, 12, 1, 0, 30)
SECOND = datetime.timedelta(seconds=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "in_consultation"),
    [(OPENS - SECOND, False), (OPENS, True), (CLOSES - SECOND, True), (CLOSES, False)],
    ids=["before-opening", "at-opening", "before-closing", "at-closing"],
)
def test_the_page_and_the_queries_agree_on_in_consultation(hearings, moment, in_consultation):
    """The hearing page, the front page and the listings ask the same rule."""
    hearing = HearingPageFactory(
        consultation_opens=OPENS,
        consultation_closes=CLOSES,
        starts_at=CLOSES + datetime.timedelta(days=400),
    )
    assert hearing.in_consultation_at(moment) is in_consultation
    found = HearingPage.objects.in_consultation(moment).filter(pk=hearing.pk).exists()
    assert found is in_consultation
    # A hearing far in the future is upcoming either way: the front page's query has it.
    assert HearingPage.objects.in_consultation_or_upcoming(moment).filter(pk=hearing.pk).exists()


@pytest.mark.django_db
def test_in_consultation_now(hearings):
    open_now = HearingPageFactory(state="open")
    closed = HearingPageFactory(state="closed")
    now = timezone.now()
    assert open_now.in_consultation_at(now) and not closed.in_consultation_at(now)
    assert list(HearingPage.objects.in_consultation()) == [open_now]
