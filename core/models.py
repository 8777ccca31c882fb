"""The site's own settings: the community's details shown on every page."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from .sitewide import own_copy, remember


@register_setting(icon="home")
class CommunitySettings(BaseSiteSetting):
    """The community's own details, shown in the header and footer of every page."""

    community_name = models.CharField(_("community name"), max_length=100, blank=True)
    committee_name = models.CharField(
        _("committee"),
        max_length=150,
        blank=True,
        help_text=_("e.g. the Party committee and residents' committee of the community."),
    )
    office_address = models.CharField(_("office address"), max_length=200, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    duty_phone = models.CharField(
        _("duty phone"),
        max_length=30,
        blank=True,
        help_text=_("The office's public duty line, shown to residents. Never a personal number."),
    )

    panels = [
        FieldPanel("community_name"),
        FieldPanel("committee_name"),
        MultiFieldPanel(
            [FieldPanel("office_address"), FieldPanel("office_hours"), FieldPanel("duty_phone")],
            heading=_("Office"),
        ),
    ]

    class Meta:
        verbose_name = _("community settings")

    @classmethod
    def for_request(cls, request):
        """Wagtail's, with the settings read once per process and version of the site
        (``core.sitewide``): every page shows them in its header and footer."""
        name = cls.get_cache_attr_name()
        if hasattr(request, name):
            return getattr(request, name)
        site = Site.find_for_request(request)
        if site is None:
            return super().for_request(request)
        instance = own_copy(
            remember((cls._meta.label, site.pk), request, lambda: cls.for_site(site))
        )
        instance._request = request
        setattr(request, name, instance)
        return instance
