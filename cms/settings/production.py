"""Production: everything secret or host-specific comes from the environment.

TLS ends at a proxy that sends ``X-Forwarded-Proto``; gunicorn serves ``cms.wsgi`` and
whitenoise the static files collected by ``collectstatic``.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set SECRET_KEY in the environment; production will not start without it."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
] or [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"]

if os.environ.get("WAGTAILADMIN_BASE_URL"):
    WAGTAILADMIN_BASE_URL = os.environ["WAGTAILADMIN_BASE_URL"]
elif ALLOWED_HOSTS:
    WAGTAILADMIN_BASE_URL = f"https://{ALLOWED_HOSTS[0].lstrip('.')}"

# TLS ends at the proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# The load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only adds "preload" to the header; joining the browsers' list is a separate, manual step.
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Django's default, stated: a window this site opens, or that opens it, from another origin
# gets no handle on it. The Content-Security-Policy is in base.py, the same everywhere.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail's editor shows its live preview in a frame of the same origin, so not DENY.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Static files: collected with hashed names and a gzip and a brotli copy of each (whitenoise's
# compressed manifest storage); whitenoise sends the hashed ones with a ten-year, immutable
# Cache-Control and the compressed copy the browser accepts.
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Media (documents, images, their renditions, spreadsheets waiting to be imported): on local
# disk under MEDIA_ROOT by default, which one machine serves; in an S3-compatible bucket, which
# several machines share, when the environment names one. The keys come from the environment
# as boto3 reads them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or from the machine's role.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(MEDIA_ROOT))  # noqa: F405
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            # Another store than Amazon's (MinIO, Ceph, a cloud's own): its address.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # A CDN or the bucket's own public host name in the files' addresses.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # A folder of the bucket for the site's files, when the bucket holds others too.
            "location": os.environ.get("AWS_LOCATION", ""),
            # Two uploads of "photo.jpg" keep two files, as on disk (Wagtail relies on it).
            "file_overwrite": False,
            # Plain addresses, not signed ones that expire: the pages that show the images are
            # cached. The bucket's policy lets anyone read images/ (the renditions) and nobody
            # else; set AWS_QUERYSTRING_AUTH=true for a bucket nobody may read.
            "querystring_auth": os.environ.get("AWS_QUERYSTRING_AUTH", "").lower() == "true",
            # Objects take the bucket's own access rules; no per-object ACL.
            "default_acl": None,
        },
    }
    # Documents go through Wagtail's view, which checks the collection's privacy every time,
    # instead of sending the visitor to the bucket.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"

# A redirects file uploaded in the admin waits for its confirmation in the shared cache, not
# on the disk of the instance that took it (the confirmation may reach another instance).
WAGTAIL_REDIRECTS_FILE_STORAGE = "cache"

# One cache for every process and instance of the site: the rate limits of the public forms
# (django-ratelimit counts in it), the page cache, the window between moderators' digests.
# Login lockouts (django-axes) and sessions are in the database, which every instance shares.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "cms",
        }
    }
    # Sessions read from Redis, written through to the database (they outlive a restart).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis, a table of the database, made by `manage.py createcachetable`.
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.DatabaseCache",
            "LOCATION": "cms_cache",
            "KEY_PREFIX": "cms",
            # Django's default (300 entries, then a third thrown away) is far too few for a
            # page cache.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", 20_000))},
        }
    }

# Background work leaves the request: each task is a row in the database, run by
# `manage.py db_worker` (one or more, on any machine that reaches the database).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Behind the proxy, the client's address is the one the proxy appended to X-Forwarded-For; the
# header is believed only from the proxies named here (comma-separated addresses or networks).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
if os.environ.get("TRUSTED_PROXY_COUNT"):
    # The earlier setting believed the header from whoever sent it: name the proxies instead.
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is no longer read: set TRUSTED_PROXIES to the addresses (or "
        "networks) of the proxies in front of the site, comma-separated."
    )

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)  # noqa: F405
DUTY_OFFICE_EMAIL = os.environ.get("DUTY_OFFICE_EMAIL", "")

LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "INFO")  # noqa: F405
