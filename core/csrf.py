"""Cross-site request forgery protection that lets the forms on cached pages work.

A page kept in the page cache (``core.cache``) is handed to every anonymous reader, so it can
hold no reader's CSRF token, and the public forms on such pages (an opinion on a blog post, a
briefing or a hearing; a service request) carry none for anonymous readers. Their posts are
accepted when the browser says they come from this site: every browser sends ``Origin`` with a
form post, and Django's own check compares it with the site's address (and
``CSRF_TRUSTED_ORIGINS``). A post from another site is refused as before; so is an anonymous
post that says nothing of where it comes from and carries no token. Logged-in users, and the
admin and login forms, are checked exactly as Django checks them: token and origin.

``SameOriginPostMiddleware`` sits right before Django's ``CsrfViewMiddleware``, which stays in
its place (and so in ``check --deploy``'s view): for the posts it lets through, it marks the
request as checked, as Django's ``csrf_exempt`` views are; every other post meets Django's
check unchanged.
"""

from django.middleware.csrf import CsrfViewMiddleware

# Forms that keep Django's token check for everyone: they are never served from the cache.
TOKEN_ALWAYS = ("/admin/", "/accounts/", "/django-admin/")


class SameOriginPostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Django's own comparison of Origin with the site and CSRF_TRUSTED_ORIGINS.
        self._django = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if (
            request.method == "POST"
            and "HTTP_ORIGIN" in request.META
            and not request.path.startswith(TOKEN_ALWAYS)
            and not request.user.is_authenticated
            and self._django._origin_verified(request)
        ):
            request.csrf_processing_done = True
        return None
