"""The XSS corpus: hostile strings a resident or a member of staff might type, each carrying its
own marker, and ``live_markup``, which reads an HTML answer and names whatever a payload made
live in it.

Every payload holds a marker ``xss0001`` … ``xss00NN``. Escaped as text, a payload shows its
marker as text and nothing else; unescaped, the marker ends up where only markup puts it: in an
``on…`` handler, in a ``javascript:`` address, in a script or a style, in an attribute that is
nothing but the marker (``id=xss0042``). A ``<meta http-equiv=refresh>`` and a ``<base>`` are
live wherever they appear (no template of the site writes either). A template tag typed as text
and run by Django's template engine would show its marker in upper case (``XSS0042``), which no
escaped rendering does.

Each payload has a ``kind`` saying how it becomes dangerous, and ``dangerous_form`` gives the
HTML it would turn into if a renderer were careless in that way (unescaped markup, an address
put in an ``href``, entities or URL escapes decoded, a template run…): the unit tests prove
``live_markup`` catches every payload in that form, so that a clean answer means something.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from django.template import Context, Template

MARKER = re.compile(r"xss\d{4}")
# What a Django template made of a payload's ``|upper`` would write.
EVALUATED = re.compile(r"XSS\d{4}")

# How a payload becomes dangerous (see ``dangerous_form``).
MARKUP = "markup"  # markup as it stands
ADDRESS = "address"  # an address a careless template puts in an href or a src
SCRIPT_TEXT = "script text"  # text a careless template writes inside a script
ENTITIES = "entities"  # HTML entities that a careless renderer decodes
URL_ESCAPES = "url escapes"  # percent-encoding that a careless renderer decodes
UTF7 = "utf-7"  # read by a browser told (or guessing) the page is UTF-7
OVERLONG = "overlong"  # overlong UTF-8 sequences read by a lax decoder
COMPATIBILITY = "compatibility"  # full-width signs that Unicode normalisation (NFKC) turns into < >
TEMPLATE = "template"  # Django template syntax that a careless view renders
MARKDOWN = "markdown"  # a link that a markdown renderer makes
FORMULA = "formula"  # a spreadsheet formula linking out, in an export


@dataclass(frozen=True)
class Payload:
    number: int
    kind: str
    text: str

    @property
    def marker(self):
        return f"xss{self.number:04d}"

    def __str__(self):
        return self.text


# (kind, text): ``MARK`` is replaced by the payload's marker.
_CORPUS = [
    # Classic script elements.
    (MARKUP, "<script>alert('MARK')</script>"),
    (MARKUP, "<SCRIPT SRC=//127.0.0.1:9/MARK.js></SCRIPT>"),
    (MARKUP, "<ScRiPt>confirm('MARK')</sCrIpT>"),
    (MARKUP, "<script>/*MARK*/prompt(1)</script>"),
    (MARKUP, "<script type=module>print('MARK')</script>"),
    # Event handlers.
    (MARKUP, "<img src=x onerror=alert('MARK')>"),
    (MARKUP, '<img src="x" onerror="confirm(\'MARK\')" />'),
    (MARKUP, "<IMG SRC=x OnErRoR=alert('MARK')>"),
    (MARKUP, "<svg onload=alert('MARK')>"),
    (MARKUP, "<svg/onload=alert('MARK')//"),
    (MARKUP, "<body onload=alert('MARK')>"),
    (MARKUP, "<details open ontoggle=alert('MARK')>"),
    (MARKUP, "<video><source onerror=alert('MARK')></video>"),
    (MARKUP, "<audio src=x onerror=print('MARK')>"),
    (MARKUP, "<input autofocus onfocus=alert('MARK')>"),
    (MARKUP, "<marquee onstart=alert('MARK')>跑马灯</marquee>"),
    (MARKUP, "<div onpointerover=alert('MARK')>把鼠标移过来</div>"),
    (MARKUP, "<select autofocus onfocus=alert('MARK')></select>"),
    # Addresses in markup.
    (MARKUP, "<a href=\"javascript:alert('MARK')\">点击查看</a>"),
    (MARKUP, "<a href=\"JaVaScRiPt:alert('MARK')\">x</a>"),
    (MARKUP, "<a href=\"&#106;avascript:alert('MARK')\">x</a>"),
    (MARKUP, "<a href=\"java&#x09;script:alert('MARK')\">x</a>"),
    (MARKUP, "<a href=\" javascript:alert('MARK')\">x</a>"),
    (MARKUP, "<a href=\"vbscript:msgbox('MARK')\">x</a>"),
    (MARKUP, '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#MARK">x</a>'),
    (MARKUP, "<iframe src=\"javascript:alert('MARK')\"></iframe>"),
    (MARKUP, "<iframe srcdoc=\"&lt;script&gt;alert('MARK')&lt;/script&gt;\"></iframe>"),
    (MARKUP, "<object data=\"data:text/html,<script>alert('MARK')</script>\"></object>"),
    (MARKUP, "<embed src=\"javascript:alert('MARK')\">"),
    (MARKUP, "<form action=\"javascript:alert('MARK')\"><button>提交</button></form>"),
    (MARKUP, "<button form=x formaction=\"javascript:alert('MARK')\">go</button>"),
    (MARKUP, '<meta http-equiv="refresh" content="0;url=javascript:alert(\'MARK\')">'),
    (MARKUP, '<base href="//127.0.0.9/MARK/">'),
    (MARKUP, "<link rel=stylesheet href=\"javascript:alert('MARK')\">"),
    # Styles.
    (MARKUP, "<div style=\"background:url(javascript:alert('MARK'))\">x</div>"),
    (MARKUP, "<div style=\"width:expression(alert('MARK'))\">x</div>"),
    (MARKUP, "<style>@import 'javascript:alert(\"MARK\")';</style>"),
    # Breaking out of an attribute or an element the template wrote.
    (MARKUP, "\"><script>alert('MARK')</script>"),
    (MARKUP, "'><img src=x onerror=alert('MARK')>"),
    (MARKUP, '" onmouseover="alert(\'MARK\')" x="'),
    (MARKUP, "' onfocus='alert(`MARK`)' autofocus='"),
    (MARKUP, "\" autofocus onfocus=alert('MARK') \""),
    (MARKUP, "</textarea><script>alert('MARK')</script>"),
    (MARKUP, "</title><script>alert('MARK')</script>"),
    (MARKUP, "</script><script>alert('MARK')</script>"),
    (MARKUP, "</style><img src=x onerror=alert('MARK')>"),
    # Mutation XSS and foreign namespaces.
    (MARKUP, "<noscript id=MARK><p title=\"</noscript><img src=x onerror=alert('MARK')>\">"),
    (MARKUP, "<svg><style><img id=MARK src=x onerror=alert('MARK')></style></svg>"),
    (
        MARKUP,
        "<math><mtext><table><mglyph><style><img id=MARK src=x onerror=alert('MARK')></style>",
    ),
    (MARKUP, "<svg><a xlink:href=\"javascript:alert('MARK')\"><text y=20>点</text></a></svg>"),
    (MARKUP, "<math href=\"javascript:alert('MARK')\">点</math>"),
    (MARKUP, "<svg><animate onbegin=alert('MARK') attributeName=x dur=1s>"),
    (MARKUP, "<svg><script>alert('MARK')</script></svg>"),
    (MARKUP, "<template id=MARK><img src=x onerror=alert('MARK')></template>"),
    (MARKUP, "<xmp id=MARK><img src=x onerror=alert('MARK')></xmp>"),
    # Chinese text around markup, and a long one.
    (MARKUP, "居民意见：楼道很暗<img src=x onerror=alert('MARK')>请尽快处理，谢谢！"),
    (MARKUP, "建议增设停车位。" * 40 + "<script>alert('MARK')</script>" + "谢谢。" * 40),
    (MARKUP, "A" * 3000 + "\"><svg onload=alert('MARK')>"),
    (MARKUP, '<p>正文<a href="javascript:alert(\'MARK\')" linktype="external">富文本链接</a></p>'),
    # Addresses on their own, dangerous in an href.
    (ADDRESS, "javascript:alert('MARK')"),
    (ADDRESS, "JAVASCRIPT:confirm('MARK')"),
    (ADDRESS, "data:text/html,<script>alert('MARK')</script>"),
    (ADDRESS, "vbscript:msgbox('MARK')"),
    # Text that would run inside a script (template literals, string breakouts).
    (SCRIPT_TEXT, "${alert('MARK')}"),
    (SCRIPT_TEXT, "`;alert('MARK');`"),
    (SCRIPT_TEXT, "';alert('MARK');//"),
    # Encoded variants.
    (ENTITIES, "&lt;script&gt;alert('MARK')&lt;/script&gt;"),
    (ENTITIES, "&#60;img src=x onerror=alert('MARK')&#62;"),
    (ENTITIES, "&#x3c;svg onload=alert('MARK')&#x3e;"),
    (URL_ESCAPES, "%3Cscript%3Ealert('MARK')%3C%2Fscript%3E"),
    (URL_ESCAPES, "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert('MARK')%3E"),
    (UTF7, "+ADw-script+AD4-alert('MARK')+ADw-/script+AD4-"),
    (OVERLONG, "%C0%BCscript%C0%BEalert('MARK')%C0%BC/script%C0%BE"),
    (COMPATIBILITY, "＜script＞alert('MARK')＜/script＞"),
    (MARKUP, "<scr\x00ipt>alert('MARK')</scr\x00ipt>"),
    (MARKUP, "<img src=x one\x00rror=alert('MARK')>"),
    # Template injection.
    (TEMPLATE, "{{ 'MARK'|upper }}"),
    (TEMPLATE, "{% filter upper %}MARK{% endfilter %}"),
    (TEMPLATE, "{% with said='MARK' %}{{ said|upper }}{% endwith %}"),
    # Markdown-style links.
    (MARKDOWN, "[点击领取补贴](javascript:alert('MARK'))"),
    (MARKDOWN, "![图片](x\" onerror=\"alert('MARK'))"),
    # A spreadsheet formula that links out (CSV exports).
    (FORMULA, '=HYPERLINK("javascript:alert(\'MARK\')","点击")'),
]

PAYLOADS = [
    Payload(number, kind, text.replace("MARK", f"xss{number:04d}"))
    for number, (kind, text) in enumerate(_CORPUS, start=1)
]


def stored(text):
    """A payload as it can be kept: without NUL characters, which the site drops from every
    request (core/middleware.py) and PostgreSQL refuses in text."""
    return text.replace("\x00", "")


def fitting(max_length, start=0):
    """The payloads no longer than ``max_length`` (all of them for ``None``), from ``start`` on,
    round and round: a field of any size gets a payload, and successive fields different ones."""
    fits = [p for p in PAYLOADS if max_length is None or len(stored(p.text)) <= max_length]
    index = start
    while True:
        yield fits[index % len(fits)]
        index += 1


# --- Finding live markup --------------------------------------------------------------------

# Attributes whose value is an address the browser may load or navigate to.
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "codebase",
    "dynsrc",
    "lowsrc",
    "ping",
    "manifest",
    "to",
    "values",
    "from",
}
# Attributes that name an element: a payload's own element carries its marker in one of them
# (``<noscript id=xss0042>``); no template puts what a person typed there whole.
NAMING_ATTRIBUTES = {"id", "class", "name", "for", "form", "slot", "is"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "livescript:")
# Script types a browser runs (the empty type and every JavaScript MIME type).
RUNNABLE_SCRIPT = re.compile(
    r"^\s*$|javascript|ecmascript|jscript|livescript|^\s*module\s*$", re.IGNORECASE
)
# What a browser ignores inside an address's scheme (tabs, newlines, controls, spaces).
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")


def _address(value):
    return IGNORED_IN_SCHEME.sub("", value).lower()


def _attribute_findings(tag, attrs):
    where = f"<{tag}>"
    found = []
    for name, value in attrs:
        value = value or ""
        if MARKER.search(name):
            found.append(f"{where} attribute named by a payload: {name}")
        elif name.startswith("on") and MARKER.search(value):
            found.append(f"{where} event handler {name}={value[:80]!r}")
        elif name == "srcdoc" and MARKER.search(value):
            found.append(f"{where} srcdoc={value[:80]!r}")
        elif name == "style" and MARKER.search(value):
            found.append(f"{where} style={value[:80]!r}")
        elif (
            name in URL_ATTRIBUTES
            and MARKER.search(value)
            and _address(value).startswith(DANGEROUS_SCHEMES)
        ):
            found.append(f"{where} {name}={value[:80]!r}")
        elif name in NAMING_ATTRIBUTES and MARKER.fullmatch(" ".join(value.split())):
            found.append(f"{where} {name}={value!r}: an element a payload wrote")
    return found


class _Reader(HTMLParser):
    """Reads an answer as Python's HTML parser does (the parser BeautifulSoup's "html.parser"
    uses), element by element, without building a tree: an admin page is read in a fraction of
    the time."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        # The script or style being read (its tag and attributes), and its text so far.
        self._raw = None
        self._raw_text = []

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag in ("script", "style"):
            self._raw = (tag, dict(attrs))
            self._raw_text = []

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "script":
            self._raw = (tag, dict(attrs))
            self._raw_text = []
            self._end_raw()

    def handle_endtag(self, tag):
        if self._raw is not None and tag == self._raw[0]:
            self._end_raw()

    def handle_data(self, data):
        if self._raw is not None:
            self._raw_text.append(data)
        self._text(data)

    def handle_comment(self, data):
        self._text(data)

    def close(self):
        super().close()
        if self._raw is not None:
            self._end_raw()

    def _text(self, data):
        if EVALUATED.search(data):
            self.found.append(f"a template ran a payload: {data.strip()[:80]!r}")

    def _element(self, tag, attrs):
        self.found += _attribute_findings(tag, attrs)
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.found.append(f"<meta http-equiv=refresh content={values.get('content')!r}>")
        if tag == "base":
            self.found.append(f"<base href={values.get('href')!r}>")

    def _end_raw(self):
        tag, attrs = self._raw
        text = "".join(self._raw_text)
        self._raw, self._raw_text = None, []
        if tag == "script" and RUNNABLE_SCRIPT.search(attrs.get("type") or ""):
            running = f"{attrs.get('src') or ''} {text}".strip()
            if MARKER.search(running):
                self.found.append(f"<script> running a payload: {running[:80]!r}")
        if tag == "style" and MARKER.search(text):
            self.found.append(f"<style> from a payload: {text[:80]!r}")


def live_markup(content):
    """What in ``content`` (an HTML answer, as text or bytes) a payload made live: a list of
    short descriptions, empty when every payload was shown as text."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    reader = _Reader()
    reader.feed(content)
    reader.close()
    return reader.found


def markers_shown(content):
    """The markers in ``content``: which payloads a page really showed (as text or otherwise)."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    return set(MARKER.findall(content))


# --- What each payload becomes in careless hands (for the unit tests) ------------------------

_OVERLONG = re.compile(r"%C0%([89AB][0-9A-F])", re.IGNORECASE)


def _overlong_decode(text):
    # A two-byte overlong sequence C0 xx stands for the ASCII character (xx & 0x3F).
    return _OVERLONG.sub(lambda m: chr(int(m.group(1), 16) & 0x3F), text)


def dangerous_form(payload):
    """The HTML ``payload`` turns into where a renderer makes the mistake its kind is about."""
    text = payload.text
    if payload.kind == MARKUP:
        # Written as it stands into text and into attributes of either quote (the site drops
        # NUL characters from requests).
        text = stored(text)
        return f"<p>{text}</p><input value=\"{text}\"><input value='{text}'>"
    if payload.kind in (ADDRESS, MARKDOWN, FORMULA):
        address = text
        if payload.kind == MARKDOWN:
            address = re.search(r"\]\((.*)\)$", text).group(1)
        if payload.kind == FORMULA:
            address = re.search(r'HYPERLINK\("([^"]*)"', text).group(1)
        return f'<a href="{address}">link</a>'
    if payload.kind == SCRIPT_TEXT:
        return f"<script>var said = `{text}`;</script>"
    if payload.kind == ENTITIES:
        return html.unescape(text)
    if payload.kind == URL_ESCAPES:
        return unquote(text)
    if payload.kind == UTF7:
        return text.encode("ascii").decode("utf-7")
    if payload.kind == OVERLONG:
        return _overlong_decode(text)
    if payload.kind == COMPATIBILITY:
        return unicodedata.normalize("NFKC", text)
    if payload.kind == TEMPLATE:
        return Template(text).render(Context())
    raise ValueError(payload.kind)
