"""Settings shared by every environment.

Secrets and hosts are never set here: ``dev`` and ``test`` set harmless values, and
``production`` reads them from the environment and refuses to start without them.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    # First, so that the site's own templates (base, 404, login) win over any app's.
    "core",
    "home",
    "people",
    "audit",
    "opinions",
    "blog",
    "hearings",
    "votes",
    "duty",
    "party",
    "appraisals",
    "visits",
    "cobuilding",
    "buildings",
    "volunteers",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "simple_history",
    "axes",
    # Two-step verification for the admin (core/twofactor.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The Content-Security-Policy header (core/csp.py); its checks catch the pre-4.0 settings.
    "csp",
    # The database backend of django-tasks: production queues background work as rows that
    # `manage.py db_worker` runs; installed everywhere, so that its table is always migrated.
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every response carries the policy, static files and pages from the page cache included.
    "core.csp.CSPMiddleware",
    # Before anything reads a body: one larger than the site takes is refused unread (413).
    "core.limits.BodySizeLimitMiddleware",
    "core.middleware.StripNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after the static files: anonymous readers are answered from the page cache before
    # the session, the user or Wagtail are looked at (core/cache.py).
    "core.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Anonymous posts from this site pass without a token (the forms on cached pages carry
    # none); every other post meets Django's check, right after (core/csrf.py).
    "core.csrf.SameOriginPostMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session idle for SESSION_IDLE_SECONDS is signed out (core/logins.py).
    "core.logins.IdleTimeoutMiddleware",
    # Which device verified the session (django-otp); then no admin view without it when the
    # user has one or their role requires one (core/twofactor.py).
    "django_otp.middleware.OTPMiddleware",
    "core.twofactor.TwoFactorMiddleware",
    # What is rendered for a logged-in user is kept by no browser or proxy (no-store).
    "core.middleware.NoStoreForUsersMiddleware",
    "core.middleware.RequestMemoMiddleware",
    # The request's site from the process's copy, kept by the site's version (core/sitewide.py).
    "core.sitewide.SiteMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A file refused by a full storage: a message that says so, not a server error (core/errors.py).
    "core.errors.StorageFullMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: answers locked-out logins (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# Every settings module honours DATABASE_URL; without it (or set but empty), a SQLite file
# beside manage.py.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes SQLite's write lock when it begins, so simultaneous writers wait
    # their turn (up to the timeout). Begun as readers, two of them deadlock as they start to
    # write and one is refused at once: "database is locked", a server error (two ballots
    # sent at once by one representative, for one).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        # Seconds a writer waits for the lock before "database is locked" (Django's 5 is
        # too short for twenty ballots at once, each sealed into the audit chain).
        timeout=20,
        # Readers do not wait for a writer, nor a writer for readers (write-ahead log); a
        # commit waits for the disk at checkpoints only (safe in WAL mode: a crash loses no
        # committed transaction the database has, at worst the last ones before the crash).
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Login protection: counts failures and locks out by user name and address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Pages restricted to logged-in users send visitors to the site's own login page.
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"

# django-axes: five failures lock the pair (user name, address) for fifteen minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The lock lifts fifteen minutes after it began, however often someone retries meanwhile,
# so that the locked-out page tells the truth.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
# A user name longer than axes' records hold is cut to fit (core/logins.py).
AXES_USERNAME_CALLABLE = "core.logins.axes_username"
# The proxies in front of the site (addresses or CIDR networks) whose X-Forwarded-For is
# believed (core.net.client_ip); none by default: a client's own header is never believed.
TRUSTED_PROXIES = []
# What axes stores of a failed attempt's form leaves out the codes typed (core/twofactor.py).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]

# Two-step verification for the admin (core/twofactor.py): administrators (superusers) and these
# groups must confirm a code from an authenticator app after the password; every other staff role
# may turn it on. Off only in the tests that are not about it (settings/test.py).
TWO_FACTOR_ENFORCED = True
TWO_FACTOR_REQUIRED_GROUPS = ["Supervisors"]
# One-time recovery codes made at enrolment, for a phone left at home or lost.
TWO_FACTOR_RECOVERY_CODES = 10
# The name the authenticator app shows beside the codes.
OTP_TOTP_ISSUER = "Community CMS"
# A session left without a request this long (seconds) is signed out (core/logins.py).
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))

# Content-Security-Policy (django-csp, core/csp.py), the same in every settings module: the
# site's own files only; no inline script or style; nothing from another host (the site may
# run on a network without the internet). docs/security.md says why each directive.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The hash: the server-error page's own <style> (core/templates/500.html), which must
        # not depend on anything else working; tests/security pins it to the template.
        "style-src": [SELF, "'sha256-fEYYMYSMhIU/oFBXkO3BzqscIxrciepgoxrWXC9Hkjw='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # Wagtail's editor previews a page in a frame of the same origin.
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Under /admin/ only (core/csp.py), these replace the directives of the same names: Wagtail 8's
# admin writes inline scripts (date and time widgets, inline panels, the scripts of chooser
# responses) and injects inline styles, and does not work without them; its image uploader
# shows each image before it is sent from a blob: address.
ADMIN_CONTENT_SECURITY_POLICY_DIRECTIVES = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
}

# Internationalisation: Simplified Chinese by default, English by the browser's language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False

# Every app keeps its own templates and static files (the site's own are in ``core``).
STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.AppDirectoriesFinder"]
STATIC_ROOT = BASE_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail's page editor can exceed Django's default of 1,000 fields per form; the public
# forms take far fewer (PUBLIC_MAX_NUMBER_FIELDS, core/limits.py).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Django's own: the most a form's fields (files apart) may hold, read into memory; uploaded
# files larger than the second go to a temporary file rather than memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

WAGTAIL_SITE_NAME = _("Community CMS")
# No "Wagtail upgrade available" box: it asks Wagtail's servers from the browser (nothing is
# loaded from another host) and speaks only English; upgrades come through pyproject.toml.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from gravatar.com: the site loads nothing from other hosts.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
# Wagtail's database backend, with quotes typed into a search box escaped (core.search_backend).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "core.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_WORKFLOW_ENABLED = True

# Caches: local memory on a developer's machine and in the tests; production shares one
# cache between all its processes (Redis, or a table of the database).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (Wagtail's search and reference index, image focal points and file
# deletion, the duty notifications) runs inside the request here; production queues it in
# the database for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# How long (seconds) a page rendered for anonymous readers is kept in the cache and handed to
# the next one (core/cache.py); 0 turns the page cache off. Purged as soon as what it shows
# changes, so the time only bounds what changes with the clock alone.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 300))

# Spreadsheet imports in the admin (core.imports): the largest file and the most rows one
# import takes, and how long (seconds) an uploaded file waits between preview and confirm.
IMPORT_MAX_UPLOAD_SIZE = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
IMPORT_UPLOAD_MAX_AGE = 60 * 60

# Request bodies (core/limits.py): a larger one is refused (413) before it is read. The public
# forms hold a few kilobytes; the admin takes uploads, and its limit stays well above the
# largest file it accepts, so that a file a little too large meets Wagtail's own message.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024  # Wagtail's default, named for the line below
PUBLIC_MAX_BODY_BYTES = 1024 * 1024
PUBLIC_MAX_NUMBER_FIELDS = 100
ADMIN_MAX_BODY_BYTES = max(
    50 * 1024 * 1024,
    max(WAGTAILIMAGES_MAX_UPLOAD_SIZE, WAGTAILDOCS_MAX_UPLOAD_SIZE, IMPORT_MAX_UPLOAD_SIZE)
    + 1024 * 1024,
)

# The site's search form accepts at most this many characters.
SEARCH_QUERY_MAX_LENGTH = 100
SEARCH_RESULTS_PER_PAGE = 10
# The most pages a search counts and lists (a hundred pages of results). A common word on a
# big site is on thousands of pages: past this, the count says "at least" and stops, so that
# counting costs no more as the site grows, and nobody reads page 101.
SEARCH_MOST_RESULTS = 1000

# How many of each public form one client may send (django-ratelimit rates, counted per
# client address in the shared cache; see core.ratelimit): opinions on pages, and
# after-hours requests to the duty office.
PUBLIC_FORM_RATE_LIMITS = {"opinion": "5/10m", "duty_request": "3/h"}

# Residents' opinions: the longest accepted, and how long moderators' email digests are apart.
OPINION_MAX_LENGTH = 2000
OPINION_DIGEST_MINUTES = 30
# Residents may give feedback on a briefing until this many days after it.
BRIEFING_FEEDBACK_DAYS = 30

# The duty record book: hours within which a request of each category must be answered
# (flagged overdue after).
DUTY_RESPONSE_HOURS = {
    "security": 2,
    "repair": 24,
    "environment": 24,
    "dispute": 48,
    "service": 72,
    "other": 72,
}

# Where a new online request is emailed when no cadre is on today's shift (duty/notify.py);
# empty: nobody is emailed then. Production reads it from the environment.
DUTY_OFFICE_EMAIL = ""

# How many days residents' personal data is kept once its matter is over, by model: an
# opinion's contact after the opinion was moderated; a duty request's name, phone and place
# after the request was closed (resolved or referred). `manage.py purge_personal_data` (daily,
# from cron) then erases it from the record and its history (audit/erasure.py); the forms
# tell residents these periods.
PERSONAL_DATA_RETENTION_DAYS = {
    "opinions.opinion": int(os.environ.get("RETENTION_OPINION_CONTACT_DAYS", 180)),
    "duty.dutyrecord": int(os.environ.get("RETENTION_DUTY_REQUEST_DAYS", 365)),
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "noreply@community.invalid"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
