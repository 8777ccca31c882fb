"""Media storage full: an upload in the admin meets a storage with no room left (every write
refused with ``ENOSPC``, as a full disk answers). The editor reads a message that says so, never
a server error, and the site keeps no row for the file it could not store
(``core.errors.StorageFullMiddleware``). ``make faults`` does the same against a real, tiny
file system filled up (``benchmarks/faults.py media``)."""

import errno
import io
import json

import pytest
from PIL import Image as PillowImage

from django.contrib.messages import get_messages
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.models import Rendition
from wagtail.models import UploadedFile

from tests.support import logged_in, ui

from .conftest import ENGLISH

MESSAGE = (
    "The file was not saved: the site's storage for uploaded files is full. Nothing was kept. "
    "Please tell the site's administrator, and try again once they have made room."
)
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


class FullStorage(FileSystemStorage):
    """A storage with no room left: every file it is given is refused."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)


def storages(backend):
    return {
        "default": {"BACKEND": backend},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


FULL = storages(f"{__name__}.FullStorage")
WORKING = storages("django.core.files.storage.FileSystemStorage")


def photo(name="photo.png"):
    out = io.BytesIO()
    PillowImage.new("RGB", (40, 30), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def leaflet(name="leaflet.txt"):
    return SimpleUploadedFile(name, "停水通知：周三上午九点至十二点。".encode(), "text/plain")


def uploads(app, kind, make_file):
    """The three ways the admin takes a file of ``kind``: the form, the multiple upload and the
    chooser's upload tab; each as (view, the title's field, the file's field, the file, whether
    a script sends it)."""
    return [
        (f"{app}:add", "title", "file", make_file, False),
        (f"{app}:add_multiple", "title", "files[]", make_file, True),
        (
            f"{app}_chooser:create",
            f"{kind}-chooser-upload-title",
            f"{kind}-chooser-upload-file",
            make_file,
            True,
        ),
    ]


UPLOADS = [*uploads("wagtailimages", "image", photo), *uploads("wagtaildocs", "document", leaflet)]


def rows():
    return {
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "renditions": Rendition.objects.count(),
        "uploads waiting": UploadedFile.objects.count(),
    }


def post(client, view, title, field, make_file, scripted):
    data = {title: "停水通知", field: make_file()}
    return client.post(reverse(view), data, **ENGLISH, **(XHR if scripted else {}))


# Committed, as in production: a failed INSERT would leave nothing to roll back behind it (the
# data the migrations wrote is put back for later tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_to_a_full_storage_is_refused_clearly_and_keeps_nothing(make_user, tmp_path):
    editor = make_user("Editors", username="editor")
    client = logged_in(editor)
    # The message as the editor reads it (the catalogue's text, English asked for).
    message = ui("en", MESSAGE)
    before = rows()
    answers = {}
    with override_settings(STORAGES=FULL, MEDIA_ROOT=tmp_path / "full"):
        for view, title, field, make_file, scripted in UPLOADS:
            response = post(client, view, title, field, make_file, scripted)
            answers[view] = response.status_code
            if view.endswith(":add_multiple"):
                # Beside the file in Wagtail's upload list, as a file of a refused type.
                assert response.status_code == 200, view
                assert json.loads(response.content) == {
                    "success": False,
                    "error_message": escape(message),
                }
            elif scripted:
                # A chooser's upload tab shows the status ("Insufficient Storage - 507").
                assert response.status_code == 507, view
                assert json.loads(response.content)["error_message"] == escape(message)
            else:
                # Back to the form, the message at the top.
                assert response.status_code == 302, view
                assert response["Location"] == reverse(view)
                shown = [str(m) for m in get_messages(response.wsgi_request)]
                assert shown == [message], view
                page = client.get(response["Location"], **ENGLISH)
                assert page.status_code == 200
                assert escape(message) in page.content.decode()
            assert rows() == before, view
    assert not (tmp_path / "full").exists() or not any((tmp_path / "full").rglob("*"))
    assert 500 not in answers.values()

    # The same uploads with room to spare are kept: what was refused was the storage.
    with override_settings(STORAGES=WORKING, MEDIA_ROOT=tmp_path / "room"):
        for view, title, field, make_file, scripted in UPLOADS:
            response = post(client, view, title, field, make_file, scripted)
            assert response.status_code in (200, 302), (view, response.status_code)
    after = rows()
    assert after["images"] == before["images"] + 3
    assert after["documents"] == before["documents"] + 3


def test_only_a_full_storage_is_answered_so():
    """Another error of the disk (permission denied, say) stays a server error for the
    administrator to see: the message speaks of a full storage only when it is one."""
    from core.errors import is_storage_full

    assert is_storage_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_storage_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            raise RuntimeError("saving the rendition failed") from error
    except RuntimeError as wrapped:
        assert is_storage_full(wrapped)
    assert not is_storage_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_storage_full(ValueError("no"))
