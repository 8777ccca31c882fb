"""Media several machines share: with a bucket named in the environment, production keeps
documents, images and their renditions in S3-compatible object storage.

No object store runs here: moto's S3 server stands in for one, on a free port of this
machine. Production's own storage and task settings are read with the bucket's environment
and used by this process, whose database is the suite's (SQLite or PostgreSQL).
"""

import io
import json
import urllib.error
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image as PillowImage

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from . import production

# Deleting an image queues the deletion of its files, run by the worker after the commit, as
# in production; the data the migrations wrote is put back for later tests.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BUCKET = "community-media"
REGION = "us-east-1"
PUBLIC_RENDITIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/images/*",
        }
    ],
}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def production_media(s3_endpoint):
    """The media and task settings production has when the environment names the bucket."""
    return production.production_settings(
        "STORAGES",
        "WAGTAILDOCS_SERVE_METHOD",
        "TASKS",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME=REGION,
    )


@pytest.fixture
def bucket(s3_endpoint, production_media, settings, monkeypatch):
    """An empty bucket, and this process storing its media there as production would."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "community-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "community-test-secret")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    # The policy the deployment notes give the bucket: anyone may read the renditions (the
    # images pages show), nothing else.
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_RENDITIONS))
    settings.STORAGES = {**settings.STORAGES, "default": production_media["STORAGES"]["default"]}
    settings.WAGTAILDOCS_SERVE_METHOD = production_media["WAGTAILDOCS_SERVE_METHOD"]
    settings.TASKS = production_media["TASKS"]
    yield s3
    for key in keys(s3):
        s3.delete_object(Bucket=BUCKET, Key=key)
    s3.delete_bucket(Bucket=BUCKET)


def keys(s3):
    listing = s3.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def read(s3, key):
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def fetch(url):
    """What an anonymous visitor gets at ``url``: the bytes, or the refusal's status."""
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (the S3 server of the test)
            return response.read()
    except urllib.error.HTTPError as error:
        return error.code


def png(width, height):
    out = io.BytesIO()
    PillowImage.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_production_stores_media_in_the_named_bucket(production_media, s3_endpoint):
    default = production_media["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == BUCKET
    assert default["OPTIONS"]["endpoint_url"] == s3_endpoint
    # Two uploads of one name keep two files; addresses do not expire in cached pages.
    assert default["OPTIONS"]["file_overwrite"] is False
    assert default["OPTIONS"]["querystring_auth"] is False
    # Documents pass Wagtail's privacy check on every download.
    assert production_media["WAGTAILDOCS_SERVE_METHOD"] == "serve_view"


def test_without_a_bucket_media_stay_on_local_disk(production_defaults):
    default = production_defaults["STORAGES"]["default"]
    assert default == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert production_defaults["WAGTAILDOCS_SERVE_METHOD"] is None


@committed
def test_images_and_renditions_are_kept_in_the_bucket_and_deleted_with_the_image(bucket):
    original = png(640, 480)
    image = get_image_model()(title="Courtyard", file=ImageFile(io.BytesIO(original), "yard.png"))
    image.save()

    rendition = image.get_rendition("fill-120x90")

    assert keys(bucket) == sorted([image.file.name, rendition.file.name])
    assert image.file.name.startswith("original_images/")
    assert rendition.file.name.startswith("images/")
    assert read(bucket, image.file.name) == original
    assert PillowImage.open(io.BytesIO(read(bucket, rendition.file.name))).size == (120, 90)
    # The page shows the rendition at a plain address of the store, not a signed one that
    # would expire in the page cache.
    assert rendition.url.startswith(f"{bucket.meta.endpoint_url}/{BUCKET}/images/")
    assert "?" not in rendition.url
    assert fetch(rendition.url) == read(bucket, rendition.file.name)
    # The original, full size and with whatever the camera wrote in it, is not public.
    assert fetch(image.file.url) == 403

    image.delete()
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    assert keys(bucket) == []


@committed
def test_a_document_is_kept_in_the_bucket_and_served_through_the_site(bucket, client):
    content = "第三季度居民议事会纪要。\n".encode()
    document = get_document_model()(title="Minutes", file=ContentFile(content, "minutes.txt"))
    document.save()

    assert keys(bucket) == [document.file.name]
    assert document.file.name.startswith("documents/")
    assert read(bucket, document.file.name) == content

    response = client.get(document.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    # Only through the site, which checks the collection's privacy: not from the bucket.
    assert fetch(document.file.url) == 403

    document.delete()
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    assert keys(bucket) == []
