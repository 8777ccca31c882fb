"""A photo in a page's body is served as renditions of three widths with ``srcset``, ``sizes``
and the editor's alt text, so that a phone downloads the smallest that fills its screen."""

import io

import pytest
from bs4 import BeautifulSoup
from PIL import Image as PillowImage

from django.core.files.images import ImageFile

from wagtail.images import get_image_model

from home.models import StandardPage


@pytest.fixture
def photo(db):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (1600, 1200), (40, 120, 90)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title="楼道整治现场",
        file=ImageFile(buffer, name="stairwell.png"),
        description="志愿者清理楼道",
    )


def test_a_body_photo_has_three_widths_and_its_alt_text(home_page, photo, client):
    page = StandardPage(
        title="楼道整治",
        slug="stairwells",
        body=[
            (
                "image",
                {"image": photo, "alt_text": "志愿者在3号楼清理楼道杂物", "decorative": False},
            )
        ],
    )
    home_page.add_child(instance=page)
    page.save_revision().publish()

    response = client.get("/stairwells/")

    img = BeautifulSoup(response.content.decode(), "html.parser").select_one("figure img")
    assert img["alt"] == "志愿者在3号楼清理楼道杂物"
    widths = sorted(int(part.split()[-1].rstrip("w")) for part in img["srcset"].split(","))
    assert widths == [400, 800, 1200]
    assert img["sizes"] == "(max-width: 50em) 100vw, 800px"
    assert img["loading"] == "lazy"
