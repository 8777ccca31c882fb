from django import template

from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The site's top-level pages that are marked "show in menus", in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = []
    if site is not None:
        items = list(
            site.root_page.get_children().live().in_menu().only("title", "url_path", "path")
        )
    current = context.get("page")
    current_path = getattr(current, "path", "")
    return {
        "request": request,
        "site_root": site.root_page if site else None,
        "items": [(item, current_path.startswith(item.path)) for item in items],
        "at_home": request is not None and request.path == "/",
    }
