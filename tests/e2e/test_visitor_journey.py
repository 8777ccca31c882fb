"""Real journeys through the site in a browser: visitors, a representative, the admin."""

import re
import time
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.support import (
    COMMUNITY_NAME,
    DEMO_PASSWORD,
    FRONT_PAGE_SECTIONS,
    ZH,
    admin_sign_in,
    ui,
)

EN = "en"
ABOUT = "关于居委会"
QUERY = "停车"
GUIDE = "停车位登记"


def path_of(page):
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def header_search(page, words):
    """Search with the form in the page header, as a visitor would."""
    form = page.locator("header form[role=search]")
    form.get_by_role("searchbox").fill(words)
    form.get_by_role("button").click()


def visit_about_and_find_the_parking_guide(page, language):
    """Front page → "About" through the main menu → header search → the result's page."""
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("header").get_by_role("link", name=COMMUNITY_NAME)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMUNITY_NAME)
    for section in FRONT_PAGE_SECTIONS:
        expect(page.get_by_role("heading", level=2, name=ui(language, section))).to_be_visible()
    nav = page.get_by_role("navigation", name=ui(language, "Main"))
    expect(nav.get_by_role("link", name=ui(language, "Home"))).to_have_attribute(
        "aria-current", "page"
    )

    nav.get_by_role("link", name=ABOUT).click()
    expect(page).to_have_url(re.compile(r"/about/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ABOUT)
    expect(nav.get_by_role("link", name=ABOUT)).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name=ui(language, "Home"))).not_to_have_attribute(
        "aria-current", "page"
    )

    header_search(page, QUERY)
    expect(page).to_have_url(re.compile(r"/search/\?q=%E5%81%9C%E8%BD%A6$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(language, "Search"))
    # The page's own search box repeats the query, so it can be refined.
    expect(page.locator("#search-query")).to_have_value(QUERY)
    results = page.locator("ol.results")
    expect(results.get_by_role("link", name=GUIDE)).to_be_visible()

    results.get_by_role("link", name=GUIDE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GUIDE)
    expect(page.locator("main .lead")).to_contain_text("行驶证")


def test_visitor_in_chinese(page):
    visit_about_and_find_the_parking_guide(page, ZH)
    # The UI around the content speaks Chinese.
    expect(page.locator("header form[role=search]").get_by_role("button")).to_have_text(
        ui(ZH, "Search")
    )


def test_visitor_in_english(new_context):
    page = new_context(locale="en-US").new_page()
    visit_about_and_find_the_parking_guide(page, EN)
    expect(page.locator("header form[role=search]").get_by_role("button")).to_have_text("Search")
    expect(page.get_by_role("link", name="Representatives' login")).to_be_visible()
    expect(page.get_by_role("heading", name="Committee office")).to_be_visible()


def test_visitor_without_javascript(new_context):
    """Navigation, search and the language switch are plain links and forms."""
    page = new_context(java_script_enabled=False).new_page()
    page.set_content("<p id=probe>off</p><script>probe.textContent = 'on'</script>")
    expect(page.locator("#probe")).to_have_text("off")

    visit_about_and_find_the_parking_guide(page, ZH)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", EN)
    expect(page.get_by_role("heading", level=1)).to_have_text(GUIDE)


def test_switching_language_with_the_links(page):
    page.goto("/about/")
    expect(page.locator("html")).to_have_attribute("lang", ZH)
    languages = page.get_by_role("list", name=ui(ZH, "Language"))
    expect(languages.get_by_role("link", name="中文")).to_have_attribute("aria-current", "true")

    languages.get_by_role("link", name="English").click()
    # Back on the same page, now in English, and it stays English from page to page.
    expect(page).to_have_url(re.compile(r"/about/$"))
    expect(page.locator("html")).to_have_attribute("lang", EN)
    languages = page.get_by_role("list", name="Language")
    expect(languages.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    header_search(page, QUERY)
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator("header form[role=search]").get_by_role("button")).to_have_text("Search")

    page.get_by_role("list", name="Language").get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", ZH)
    assert path_of(page).startswith("/search/?q=")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(ZH, "Search"))


def login_labels(language):
    """The labels of the login form's two fields, as Django words them in ``language``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.forms import AuthenticationForm
    from django.utils import translation
    from django.utils.text import capfirst

    with translation.override(language):
        username = str(capfirst(get_user_model()._meta.get_field("username").verbose_name))
        password = str(AuthenticationForm.base_fields["password"].label)
    return username, password


def log_in(page, username, password, language=ZH):
    username_label, password_label = login_labels(language)
    page.get_by_label(username_label, exact=True).fill(username)
    page.get_by_label(password_label, exact=True).fill(password)
    page.locator("main form").get_by_role("button", name=ui(language, "Log in")).click()


def test_representative_logs_in_and_out(page, manage_shell):
    started = time.time()
    page.goto("/about/")
    page.get_by_role("link", name=ui(ZH, "Representatives' login")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/about/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(ZH, "Representatives' login"))

    log_in(page, "rep", DEMO_PASSWORD)
    # Back where they came from, signed in under their name.
    expect(page).to_have_url(re.compile(r"/about/$"))
    account = page.locator("header .account")
    expect(account).to_contain_text(ui(ZH, "Signed in as %(name)s", name="陈国强"))
    expect(account.get_by_role("link", name=ui(ZH, "Representatives' login"))).to_have_count(0)
    # The site recorded the login in its own database.
    last_login = manage_shell(
        "from django.contrib.auth import get_user_model; "
        "print(get_user_model().objects.get(username='rep').last_login.timestamp())"
    )
    assert float(last_login.strip().splitlines()[-1]) >= started - 5

    account.get_by_role("button", name=ui(ZH, "Log out")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(account.get_by_role("link", name=ui(ZH, "Representatives' login"))).to_be_visible()
    expect(account).not_to_contain_text("陈国强")


def test_wrong_password_shows_the_error(page):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.forms import AuthenticationForm
    from django.utils import translation

    page.goto("/accounts/login/")
    log_in(page, "rep", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    with translation.override(ZH):
        username = get_user_model()._meta.get_field("username").verbose_name
        message = str(AuthenticationForm.error_messages["invalid_login"]) % {"username": username}
    expect(page.get_by_role("alert")).to_have_text(message)
    # The user name is kept, the password is not, and nobody is signed in.
    username_label, password_label = login_labels(ZH)
    expect(page.get_by_label(username_label, exact=True)).to_have_value("rep")
    expect(page.get_by_label(password_label, exact=True)).to_have_value("")
    expect(page.locator("header .account")).not_to_contain_text("陈国强")


def test_editor_reaches_the_admin_dashboard(new_context):
    page = new_context(locale="en-US").new_page()
    admin_sign_in(page, "editor", EN)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page).to_have_title(re.compile(r"^Dashboard"))
    expect(page.get_by_text("王编辑").first).to_be_visible()
    # The dashboard lists the pages the editor wrote most recently for the demo.
    expect(page.get_by_role("link", name="地面停车收费方案听证会").first).to_be_visible()


def test_representative_cannot_use_the_admin(new_context):
    page = new_context(locale="en-US").new_page()
    admin_sign_in(page, "rep", EN, reaches_dashboard=False)
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.get_by_text("You do not have permission to access the admin.")).to_be_visible()
    page.goto("/admin/pages/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    # Nor by going there after logging in on the public site.
    page = new_context(locale="en-US").new_page()
    page.goto("/accounts/login/")
    log_in(page, "rep", DEMO_PASSWORD, language=EN)
    expect(page.locator("header .account")).to_contain_text("Signed in as 陈国强")
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.get_by_text("You do not have permission to access the admin.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)


PHONE_VIEWPORT = {"width": 390, "height": 844}


def test_a_resident_on_a_phone_reaches_every_service_from_the_menu(new_context):
    """Votes and results, the roster and the request form, each from the main menu, without
    typing an address; the guide page sends the resident to the request form too."""
    page = new_context(locale="zh-CN", viewport=PHONE_VIEWPORT).new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name=ui(ZH, "Main"))
    for label, path, heading in (
        ("Votes and results", "/votes/", "Votes of the representative meeting"),
        ("Duty roster", "/duty/", "After-hours duty roster"),
        ("File a request", "/duty/request/", "File an after-hours request"),
    ):
        link = nav.get_by_role("link", name=ui(ZH, label), exact=True)
        expect(link).to_be_visible()
        link.click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(ui(ZH, heading))
        expect(nav.get_by_role("link", name=ui(ZH, label), exact=True)).to_have_attribute(
            "aria-current", "page"
        )
    expect(nav).not_to_contain_text("票数")

    # From the guide page, its own link to the request form.
    nav.get_by_role("link", name="办事指南").click()
    page.locator("main").get_by_role("link", name="在网上提交诉求").click()
    expect(page).to_have_url(re.compile(r"/duty/request/$"))

    # And the front page links to all three in its services box.
    page.goto("/")
    services = page.locator("main .services__links")
    services.get_by_role("link", name=ui(ZH, "Votes and results")).click()
    expect(page).to_have_url(re.compile(r"/votes/$"))
