"""Static files in production: collected once with hashed names and a gzip and a brotli copy
of each, served by whitenoise with far-future caching and the encoding the browser accepts."""

import base64
import gzip
import json
import re

import brotli
import pytest

from . import production

STYLESHEET = "css/site.css"
A_YEAR = 365 * 24 * 60 * 60

# Asks production's own middleware stack for ``paths`` through Django's test client, as the
# proxy in front would (HTTPS ended there), and prints status, headers and body of each.
FETCH = """
    import base64
    from django.test import Client

    client = Client(HTTP_HOST="{host}", HTTP_X_FORWARDED_PROTO="https")
    answers = []
    for path, encoding in {requests!r}:
        response = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        answers.append({{
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": base64.b64encode(body).decode(),
        }})
    print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """`manage.py collectstatic` with the production settings, once for the module."""
    root = tmp_path_factory.mktemp("static")
    production.manage("collectstatic", "--noinput", "-v", "0", STATIC_ROOT=str(root))
    return root


@pytest.fixture(scope="module")
def hashed(static_root):
    """The stylesheet's collected name, with the hash of its content in it."""
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return manifest["paths"][STYLESHEET]


def fetch(static_root, *requests):
    code = FETCH.format(host=production.HOST, requests=list(requests))
    answers = production.django_code(code, STATIC_ROOT=str(static_root))
    for answer in answers:
        answer["body"] = base64.b64decode(answer["body"])
    return answers


def max_age(headers):
    return int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))


def test_each_collected_file_has_a_gzip_and_a_brotli_copy(static_root, hashed):
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    content = (static_root / hashed).read_bytes()

    assert gzip.decompress((static_root / f"{hashed}.gz").read_bytes()) == content
    assert brotli.decompress((static_root / f"{hashed}.br").read_bytes()) == content


def test_whitenoise_serves_hashed_files_compressed_and_cached_for_good(static_root, hashed):
    content = (static_root / hashed).read_bytes()

    as_brotli, as_gzip, plain, unhashed = fetch(
        static_root,
        (f"/static/{hashed}", "gzip, deflate, br"),
        (f"/static/{hashed}", "gzip"),
        (f"/static/{hashed}", ""),
        (f"/static/{STYLESHEET}", "gzip, deflate, br"),
    )

    assert as_brotli["status"] == 200
    assert as_brotli["headers"]["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli["body"]) == content
    assert as_gzip["headers"]["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip["body"]) == content
    assert "Content-Encoding" not in plain["headers"]
    assert plain["body"] == content
    for answer in (as_brotli, as_gzip, plain):
        # A hashed name changes with its content: the browser keeps it for good.
        assert max_age(answer["headers"]) >= A_YEAR
        assert "immutable" in answer["headers"]["Cache-Control"]
        assert "public" in answer["headers"]["Cache-Control"]
        assert answer["headers"]["Vary"] == "Accept-Encoding"
    # The unhashed name may change under the same address: kept briefly, never for good.
    assert unhashed["status"] == 200
    assert max_age(unhashed["headers"]) < A_YEAR
    assert "immutable" not in unhashed["headers"]["Cache-Control"]
