from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

# History keeps reasons in a text column (see AuditedHistory); this keeps them readable.
REASON_MAX_LENGTH = 500


class HoneypotMixin(forms.Form):
    """For the public forms residents fill in without an account: a field people never see.

    ``includes/form_field.html`` hides it from sight and from screen readers, and it takes
    no tab stop; bots that fill in every field fill it in too. A view checks ``is_bot`` and
    then keeps nothing and tells the sender nothing. List the mixin first:
    ``class RequestForm(HoneypotMixin, forms.ModelForm)``.
    """

    honeypot_field_name = "website"  # a name bots like to fill in

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self):
        return bool(self.data.get(self.honeypot_field_name))


class ReasonForm(WagtailAdminModelForm):
    """For the admin forms of audited models where a change matters: asks why.

    Add ``FieldPanel("change_reason")`` to the panels and pass this form as the panels'
    ``base_form_class``; the reason is kept in the history row and the audit chain.
    """

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Kept in the history with your change, for the supervisors."),
    )

    def save(self, commit=True):
        reason = self.cleaned_data.get("change_reason", "").strip()
        if reason:
            self.instance._change_reason = reason
        return super().save(commit=commit)


# The years a report may be asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2099


class ReportYearForm(forms.Form):
    """The year of a yearly report (``?year=``); this year when none is asked for."""

    year = forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "required": _("Give the year as four digits, from 2000 to 2099."),
            "invalid": _("Give the year as four digits, from 2000 to 2099."),
            "min_value": _("Give the year as four digits, from 2000 to 2099."),
            "max_value": _("Give the year as four digits, from 2000 to 2099."),
        },
    )


def report_year(request):
    """The year a report is asked for, and what was wrong with it (or ``None``).

    A year that is not one (``?year=abc``, ``?year=99999``) is not silently replaced: the
    report says so beside the year box, shows this year's figures and offers no download.
    """
    today = timezone.localdate().year
    asked = request.GET.get("year", "").strip()
    if not asked:
        return today, None
    form = ReportYearForm({"year": asked})
    if form.is_valid():
        return form.cleaned_data["year"], None
    return today, form.errors["year"][0]
