"""Two-step verification for the admin (django-otp): a code from an authenticator app after the
password.

Administrators (superusers) and the groups in ``TWO_FACTOR_REQUIRED_GROUPS`` must use it; every
other staff role may turn it on (account → More actions). After the password, a user with a
confirmed device reaches no admin view until a code from the app, or one of the ten one-time
recovery codes, is accepted (``TwoFactorMiddleware``); a user who must use it and has no device
yet reaches nothing but the enrolment page. The public site's login (representatives) never
asks.

Wrong codes are counted twice: django-otp's device refuses any code for 1, 2, 4, 8... seconds
after each wrong one (in the database, so every process sees it), and each wrong code counts as
a failed login for django-axes, which locks the account out for ``AXES_COOLOFF_TIME`` after
``AXES_FAILURE_LIMIT`` of them (passwords and codes together) and ends the session.

A lost phone: an administrator runs ``manage.py reset_two_factor <username>``; the user enrols
again at the next sign-in.
"""

import io
import logging
import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

logger = logging.getLogger(__name__)

# The session keys: the secret of an enrolment not yet confirmed, and the recovery codes made
# by the enrolment, shown once on the next page.
ENROL_KEY = "twofactor_enrol_key"
NEW_CODES = "twofactor_new_codes"

# The admin views an unverified user may still reach: signing in and out, the steps of the
# verification, and what the sign-in page itself loads (the icons, the admin's translations).
OPEN_VIEWS = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_sprite",
        "wagtailadmin_javascript_catalog",
        "twofactor_verify",
        "twofactor_enrol",
        "twofactor_recovery_codes",
    }
)

TOTP_DIGITS = 6


def is_required(user):
    """Whether ``user`` must use two-step verification: administrators and the named groups."""
    if user.is_superuser:
        return True
    groups = settings.TWO_FACTOR_REQUIRED_GROUPS
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def has_device(user):
    """Whether ``user`` has a confirmed authenticator (or recovery codes)."""
    return django_otp.user_has_device(user, confirmed=True)


def remove_devices(user):
    """Remove every device of ``user`` (a lost phone): they enrol again at the next sign-in.
    Returns how many were removed."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _ = model.objects.filter(user=user).delete()
        removed += count
    return removed


def _admin_prefix():
    return reverse("wagtailadmin_home")


def _next_url(request, default=None):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or _admin_prefix()


def _with_next(url_name, next_url):
    return f"{reverse(url_name)}?next={quote(next_url)}"


class TwoFactorMiddleware:
    """Sends a signed-in but unverified user from every admin view to the code (or to the
    enrolment, when they must use it and have no device yet). After django-otp's
    ``OTPMiddleware``; does nothing when ``TWO_FACTOR_ENFORCED`` is off (the tests that are
    not about it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_ENFORCED:
            return None
        if not request.path_info.startswith(_admin_prefix()):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_VIEWS:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        here = request.get_full_path()
        if has_device(user):
            return HttpResponseRedirect(_with_next("twofactor_verify", here))
        if is_required(user):
            return HttpResponseRedirect(_with_next("twofactor_enrol", here))
        return None


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows now, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_otp_token(self):
        return "".join(self.cleaned_data["otp_token"].split()).replace("-", "").lower()


class EnrolForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].help_text = _("The six digits your authenticator app shows now.")
        self.fields["otp_token"].widget.attrs["inputmode"] = "numeric"


def _match(user, token):
    """The device of ``user`` that accepts ``token`` (six digits: the app; else a recovery
    code, used up), or ``None``; and, when a device refused to try because of earlier wrong
    codes, the moment it will try again."""
    model = TOTPDevice if token.isdigit() and len(token) == TOTP_DIGITS else StaticDevice
    locked_until = None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, details = device.verify_is_allowed()
            if not allowed:
                locked_until = (details or {}).get("locked_until")
                continue
            if device.verify_token(token):
                return device, None
    return None, locked_until


def _verified(request, device):
    django_otp.login(request, device)
    # A new session key for the session that now reaches the admin.
    request.session.cycle_key()


def _render(request, template, **context):
    return TemplateResponse(request, f"core/twofactor/{template}", context)


@never_cache
@sensitive_post_parameters("otp_token")
def verify(request):
    """The second step of signing in: a code from the app or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not has_device(user):
        if is_required(user):
            return redirect(_with_next("twofactor_enrol", next_url))
        return redirect(next_url)

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return _locked_out(request, credentials)
        device, locked_until = _match(user, form.cleaned_data["otp_token"])
        if device is not None:
            _verified(request, device)
            return redirect(next_url)
        if locked_until is not None:
            form.add_error(
                None,
                gettext("Too many wrong codes. Wait %(seconds)s seconds, then try again.")
                % {"seconds": max(1, int((locked_until - timezone.now()).total_seconds()) + 1)},
            )
        else:
            # Counted by django-axes with the wrong passwords: enough of them lock the account.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, credentials)
            form.add_error(None, gettext("That code is not right. Try again."))
    return _render(request, "verify.html", form=form, next=next_url)


def _locked_out(request, credentials):
    """The session ends; django-axes' middleware answers with its locked-out page (429)."""
    logger.warning("Two-step verification locked out for %s", credentials)
    logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return HttpResponse(status=429)


def _qr_svg(data):
    """The QR code of ``data`` as an SVG element, made here (nothing is asked of another host)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # The element alone, without the XML declaration, to sit inside the page.
    return svg[svg.index("<svg") :]


def _grouped(text, size=4):
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@never_cache
@sensitive_post_parameters("otp_token")
def enrol(request):
    """Turn two-step verification on: scan (or type) the secret, confirm one code, then see the
    recovery codes once. Shows the state instead to a user who has it on already."""
    user = request.user
    next_url = _next_url(request)
    if has_device(user):
        if not user.is_verified():
            return redirect(_with_next("twofactor_verify", next_url))
        static = StaticDevice.objects.filter(user=user, confirmed=True).first()
        return _render(
            request,
            "status.html",
            codes_left=static.token_set.count() if static else 0,
            required=is_required(user),
            next=next_url,
        )

    key = request.session.get(ENROL_KEY)
    if not key:
        key = request.session[ENROL_KEY] = random_hex(20)
    device = TOTPDevice(user=user, key=key, name=gettext("Authenticator app"))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["otp_token"]
        totp = TOTP(unhexlify(key.encode()), device.step, device.t0, device.digits)
        totp.time = time.time()
        if token.isdigit() and totp.verify(int(token), tolerance=device.tolerance):
            codes = _confirm(user, device, totp.t())
            request.session.pop(ENROL_KEY, None)
            _verified(request, device)
            request.session[NEW_CODES] = codes
            return redirect(_with_next("twofactor_recovery_codes", next_url))
        messages.error(
            request,
            gettext(
                "That code is not right: nothing was changed. Check that the clock of your "
                "phone is right, and type the code the app shows now."
            ),
        )
    secret = b32encode(unhexlify(key.encode())).decode()
    return _render(
        request,
        "enrol.html",
        form=form,
        next=next_url,
        secret=_grouped(secret),
        config_url=device.config_url,
        qr_svg=_qr_svg(device.config_url),
        required=is_required(user),
    )


def _new_codes(static):
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def _confirm(user, device, t):
    device.confirmed = True
    # The code just typed is used: it cannot sign anyone in again.
    device.last_t = t
    device.save()
    static = StaticDevice.objects.create(user=user, name=gettext("Recovery codes"))
    return _new_codes(static)


@never_cache
def recovery_codes(request):
    """The recovery codes just made, shown once; a POST makes a new set (the old ones stop
    working)."""
    user = request.user
    next_url = _next_url(request)
    if request.method == "POST":
        if not user.is_verified():
            return redirect(_with_next("twofactor_verify", next_url))
        with transaction.atomic():
            static, _ = StaticDevice.objects.get_or_create(
                user=user, defaults={"name": gettext("Recovery codes")}
            )
            codes = _new_codes(static)
        request.session[NEW_CODES] = codes
        return redirect(_with_next("twofactor_recovery_codes", next_url))
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        messages.info(request, gettext("Recovery codes are shown only once, when they are made."))
        return redirect(next_url)
    return _render(
        request, "recovery_codes.html", codes=[_grouped(code) for code in codes], next=next_url
    )


urlpatterns = [
    path("two-factor/", verify, name="twofactor_verify"),
    path("two-factor/enrol/", enrol, name="twofactor_enrol"),
    path("two-factor/recovery-codes/", recovery_codes, name="twofactor_recovery_codes"),
]
