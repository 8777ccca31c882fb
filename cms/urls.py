from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap as PageSitemap
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from buildings.sitemaps import HonourRollSitemap
from cobuilding.sitemaps import ActivitySitemap
from core import routing
from core import views as core_views
from duty.sitemaps import DutySitemap
from volunteers.sitemaps import VolunteersSitemap
from votes.sitemaps import VotesSitemap

# The sitemap: the live public pages, then the public views that are not pages.
SITEMAPS = {
    "pages": PageSitemap,
    "cobuilding": ActivitySitemap,
    "honour-roll": HonourRollSitemap,
    "volunteers": VolunteersSitemap,
    "votes": VotesSitemap,
    "duty": DutySitemap,
}

urlpatterns = [
    # Wagtail's reports, exporting through core.exports; before Wagtail's admin, at its paths.
    path("admin/reports/", include("core.reports")),
    # Wagtail's page chooser, showing each role only the pages it may see (core.choosers).
    path("admin/choose-page/", include("core.choosers")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", core_views.switch_language, name="switch_language"),
    path("search/", core_views.search, name="search"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("hearings.urls")),
    path("", include("opinions.urls")),
    path("votes/", include("votes.urls")),
    path("duty/", include("duty.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("cobuilding/", include("cobuilding.urls")),
    path("honour-roll/", include("buildings.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches every remaining path, so it comes last: Wagtail's own URLs,
# its catch-all served with the site's cheaper routing (core.routing), under the same name.
urlpatterns += [
    *(pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
]

# A request the site cannot read (a bad host, a malformed form): the site's page, not Django's.
handler400 = "core.errors.bad_request"
