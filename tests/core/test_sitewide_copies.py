"""What the site keeps per process (the site, its root page, the community's settings) reaches
each request as that request's own copy: nothing one request sets on it reaches the next."""

from django.test import RequestFactory, TestCase

from wagtail.models import Site

from core.models import CommunitySettings
from core.sitewide import SiteMiddleware, _sites, own_copy


class OwnCopyTests(TestCase):
    def test_the_copy_and_what_it_has_read_are_its_own(self):
        (kept,) = _sites()
        copied = own_copy(kept)

        self.assertEqual(copied, kept)
        self.assertEqual(copied.root_page, kept.root_page)
        self.assertIsNot(copied._state, kept._state)
        self.assertIsNot(copied.root_page, kept.root_page)
        self.assertIsNot(copied.root_page.locale, kept.root_page.locale)

        copied.hostname = "elsewhere.example"
        copied.root_page.title = "Changed by one request"
        copied.root_page.locale.language_code = "xx"
        copied._state.fields_cache.clear()

        self.assertEqual(kept.hostname, Site.objects.get().hostname)
        self.assertNotEqual(kept.root_page.title, "Changed by one request")
        self.assertNotEqual(kept.root_page.locale.language_code, "xx")
        self.assertIn("root_page", kept._state.fields_cache)


class PerRequestTests(TestCase):
    def serve(self):
        request = RequestFactory().get("/")
        SiteMiddleware(lambda request: None)(request)
        return request

    def test_each_request_gets_its_own_site_and_settings(self):
        first, second = self.serve(), self.serve()
        self.assertEqual(first._wagtail_site, second._wagtail_site)
        self.assertIsNot(first._wagtail_site, second._wagtail_site)

        first._wagtail_site.root_page.title = "Set by the first request"
        CommunitySettings.for_request(first).community_name = "Set by the first request"

        self.assertNotEqual(second._wagtail_site.root_page.title, "Set by the first request")
        self.assertNotEqual(
            CommunitySettings.for_request(second).community_name, "Set by the first request"
        )
        third = self.serve()
        self.assertNotEqual(third._wagtail_site.root_page.title, "Set by the first request")
        self.assertNotEqual(
            CommunitySettings.for_request(third).community_name, "Set by the first request"
        )
