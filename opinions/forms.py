from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.erasure import retention_period
from core.forms import HoneypotMixin

from .models import Opinion


class OpinionForm(HoneypotMixin, forms.ModelForm):
    """What a resident fills in. No markup is ever rendered from it: every template shows
    these values escaped."""

    class Meta:
        model = Opinion
        fields = ["author_name", "contact", "body"]
        labels = {
            "author_name": _("Your name (shown with your opinion)"),
            "contact": _("Phone or email (optional, never published)"),
            "body": _("Your opinion"),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "author_name": {
                "required": _("Please tell us what name to show with your opinion."),
                "max_length": _("Please keep the name to %(limit_value)d characters."),
            },
            "body": {"required": _("Please write your opinion before sending it.")},
            "contact": {"max_length": _("Please keep the contact to %(limit_value)d characters.")},
        }

    # Empty, it is the same for every reader (core.templatetags.form_tags).
    blank_is_shared = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.OPINION_MAX_LENGTH
        self.fields["body"].widget.attrs["maxlength"] = limit
        self.fields["body"].help_text = _("Up to %(limit)d characters.") % {"limit": limit}

    @property
    def privacy_notice(self):
        """What the contact is for and how long it is kept (PERSONAL_DATA_RETENTION_DAYS)."""
        return _(
            "Your name is published with your opinion. We use your contact only to reach you "
            "about this opinion; it is never published, and it is erased %(period)s after "
            "the opinion is moderated."
        ) % {"period": retention_period("opinions.opinion")}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Please write your opinion before sending it."))
        limit = settings.OPINION_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                ngettext(
                    "Your opinion is %(length)d character long; the limit is %(limit)d. Please shorten it.",
                    "Your opinion is %(length)d characters long; the limit is %(limit)d. Please shorten it.",
                    len(body),
                )
                % {"length": len(body), "limit": limit}
            )
        return body

    def clean_author_name(self):
        name = self.cleaned_data["author_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please tell us what name to show with your opinion."))
        return name
