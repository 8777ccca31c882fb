from django import forms
from django.utils.translation import gettext_lazy as _

from audit.erasure import retention_period
from core.forms import HoneypotMixin
from people.validators import normalise_phone

from .models import DutyRecord, RequestCategory


class RequestForm(HoneypotMixin, forms.ModelForm):
    """What a resident fills in to file an after-hours request online."""

    class Meta:
        model = DutyRecord
        fields = ["resident_name", "resident_contact", "place", "category", "request"]
        labels = {
            "resident_name": _("Your name"),
            "resident_contact": _("Your phone number"),
            "place": _("Building, unit or place"),
            "category": _("What is it about?"),
            "request": _("Your request"),
        }
        help_texts = {
            "resident_contact": _("So that the cadre on duty can call you back. Never published."),
            "place": _(
                "Where the matter is, for example “building 5, unit 2” or “the north gate”. Seen only by "
                "the cadres on duty, never published."
            ),
        }
        widgets = {
            "request": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        }
        error_messages = {
            "resident_name": {"required": _("Please tell us your name.")},
            "resident_contact": {
                "required": _("Please give a phone number we can call you back on.")
            },
            "place": {
                "required": _("Please tell us the building, unit or place the request is about.")
            },
            "request": {"required": _("Please describe your request.")},
        }

    # Empty, it is the same for every resident (core.templatetags.form_tags).
    blank_is_shared = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = RequestCategory.choices
        # The model allows none (requests taken in person or by phone before there was a
        # place to write it); the cadre on duty needs to know where to go.
        self.fields["place"].required = True

    @property
    def privacy_notice(self):
        """What the name, phone and place are for and how long they are kept
        (PERSONAL_DATA_RETENTION_DAYS)."""
        return _(
            "We use your name, phone number and place only to answer this request. They are "
            "never published, and they are erased %(period)s after the request is closed."
        ) % {"period": retention_period("duty.dutyrecord")}

    def clean_resident_contact(self):
        return normalise_phone(self.cleaned_data["resident_contact"])

    def clean_request(self):
        text = self.cleaned_data["request"].strip()
        if not text:
            raise forms.ValidationError(_("Please describe your request."))
        if len(text) > 2000:
            raise forms.ValidationError(
                _("Please keep your request to %(limit)d characters (it has %(length)d).")
                % {"limit": 2000, "length": len(text)}
            )
        return text
