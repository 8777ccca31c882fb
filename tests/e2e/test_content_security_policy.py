"""The Content-Security-Policy in a real browser: nothing the site shows is refused by it.

Every public page type and the admin screens staff use (the editor with its rich text and a
chooser, the image upload, the History centre, a report) are visited; the browser reports each
violation of the policy as a ``securitypolicyviolation`` event (kept on ``window`` by an init
script, in every frame) and as a console message. None may occur.
"""

import io
import json
import re

from playwright.sync_api import expect

from wagtail.models import Page, get_page_models

from tests.e2e.support import ZH, admin_sign_in, last_line, ui

# Kept on each document as it loads, before any of the page's own scripts run.
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push({
        directive: event.violatedDirective,
        blocked: event.blockedURI,
        source: event.sourceFile,
        line: event.lineNumber,
        sample: event.sample,
    });
});
"""

# Every page type of the site (the demo has a live page of each).
PAGE_TYPES = {model.__name__ for model in get_page_models() if model is not Page}


class Violations:
    """The policy's violations a page met, from its events (every frame) and its console."""

    def __init__(self, page):
        self.page = page
        self.found = []
        page.add_init_script(COLLECT)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"console on {self.page.url}: {message.text}")

    def visit(self, path, status=200):
        response = self.page.goto(path)
        assert response.status == status, f"{path}: {response.status}"
        self.collect()
        return response

    def collect(self):
        for frame in self.page.frames:
            try:
                events = frame.evaluate("window.__cspViolations || []")
            except Exception:  # noqa: BLE001 - a frame that went away meanwhile
                continue
            self.found += [f"{frame.url}: {json.dumps(event)}" for event in events]
            frame.evaluate("window.__cspViolations = []")

    def assert_none(self):
        self.collect()
        assert not self.found, "Content-Security-Policy violations:\n" + "\n".join(self.found)


def _paths(manage_shell):
    """One live page of each page type (its id and address), and a vote, from the e2e
    database."""
    return json.loads(
        last_line(
            manage_shell(
                "import json\n"
                "from wagtail.models import Page\n"
                "from votes.models import Motion\n"
                "pages = {}\n"
                "for p in Page.objects.live().filter(depth__gt=1).specific().order_by('path'):\n"
                "    pages.setdefault(type(p).__name__, (p.pk, p.url))\n"
                "vote = Motion.objects.exclude(state='draft').order_by('pk').first()\n"
                "print(json.dumps({'pages': pages, 'vote': vote.pk}))"
            )
        )
    )


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (139, 26, 26)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_no_public_page_breaks_the_policy(page, manage_shell):
    found = _paths(manage_shell)
    assert set(found["pages"]) >= PAGE_TYPES
    violations = Violations(page)
    public = [url for _pk, url in found["pages"].values()]
    public += [
        "/votes/",
        f"/votes/{found['vote']}/",
        "/duty/",
        "/duty/request/",
        "/volunteers/",
        "/cobuilding/",
        "/honour-roll/",
        "/search/?q=停车",
        "/accounts/login/",
    ]
    kept = set()
    for path in public:
        violations.visit(path)
        # A second reader is answered from the page cache: the same page, the same policy.
        if violations.visit(path).headers.get("x-page-cache") == "hit":
            kept.add(path)
    assert found["pages"]["BlogPage"][1] in kept
    violations.visit("/no-such-page-here/", status=404)

    # A form sent from a page (form-action): the search in the header.
    violations.visit("/")
    search = page.locator("header form[role=search]")
    search.get_by_role("searchbox").fill("社区")
    search.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?"))
    violations.assert_none()


def test_no_admin_screen_breaks_the_policy(page, manage_shell):
    found = _paths(manage_shell)
    pages = found["pages"]
    violations = Violations(page)
    admin_sign_in(page, "admin")
    violations.collect()

    for path in [
        "/admin/",
        f"/admin/pages/{pages['HomePage'][0]}/",
        "/admin/snippets/duty/dutyrecord/",
        "/admin/snippets/people/person/",
        "/admin/snippets/opinions/opinion/",
        "/admin/snippets/votes/motion/",
        "/admin/images/",
        "/admin/documents/multiple/add/",
        "/admin/history/",
        "/admin/reports/site-history/",
        "/admin/reports/aging-pages/",
        "/admin/users/",
    ]:
        violations.visit(path)

    # An image uploaded: its preview is drawn in the browser before it is sent.
    violations.visit("/admin/images/multiple/add/")
    page.locator("#fileupload").set_input_files(
        files=[{"name": "csp-check.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(page.locator("#upload-list > li.upload-success")).to_have_count(1)
    violations.collect()

    # A public page as a signed-in editor sees it: with Wagtail's user bar.
    violations.visit(pages["BlogPage"][1])
    page.locator("[data-wagtail-userbar-trigger], #wagtail-userbar-trigger").first.click()
    violations.collect()

    # The blog page's editor: its preview panel (a frame of the same origin) and its stream.
    violations.visit(f"/admin/pages/{pages['BlogPage'][0]}/edit/")
    page.get_by_role("button", name=ui(ZH, "Preview")).first.click()
    expect(page.locator("iframe[id*=preview]")).to_be_visible()
    page.wait_for_timeout(1500)
    violations.collect()

    # The hearing page's editor: type into a rich text field, open the link chooser from it.
    violations.visit(f"/admin/pages/{pages['HearingPage'][0]}/edit/")
    editor = page.locator(".w-field__input:has(#id_decision) [role=textbox]")
    editor.click()
    editor.press_sequentially("CSP")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Control+k")
    modal = page.locator(".modal-content")
    expect(modal).to_be_visible()
    page.wait_for_timeout(500)
    violations.assert_none()
