from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transition_views import TransitionForm


class TransferOutForm(TransitionForm):
    destination = forms.CharField(label=_("Transferred out to"), max_length=150)
    on = forms.DateField(label=_("Date of the transfer"), initial=timezone.localdate)


class TransferInForm(TransitionForm):
    origin = forms.CharField(label=_("Transferred in from"), max_length=150)
    on = forms.DateField(label=_("Date of the transfer"), initial=timezone.localdate)
