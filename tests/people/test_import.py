"""Importing persons from the office's spreadsheets (core.imports, people.imports): the template
files, the preview with an error per bad row and its line, all or nothing on confirm, the
history of every imported row, updates of persons already in the register, the encodings and
headings Excel writes, refused files, refused roles and an upload that is gone."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from django.core.files.storage import default_storage
from django.urls import reverse

from core import imports
from people.factories import PersonFactory
from people.imports import PEOPLE
from people.models import Person
from tests.support import csv_bytes, logged_in, stored_uploads, ui, xlsx_bytes
from tests.support import upload as upload_file

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/people/import/"
CONFIRM_URL = "/admin/people/import/confirm/"
LIST_URL = "/admin/snippets/people/person/"

ENGLISH = ["name", "roles", "building", "unit", "phone"]
CHINESE = ["姓名", "身份", "楼栋", "单元", "电话"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads wait in a media folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def office(make_user):
    from core import roles

    return make_user(roles.PARTY_OFFICE, username="party-office")


def upload(client, name, content, url=UPLOAD_URL):
    return upload_file(client, url, name, content)


def token_of(response):
    return response.context["token"]


GOOD = [
    ENGLISH,
    ["王秀英", "resident representative", "3号楼", "2单元", "13900000001"],
    ["李建国", "cadre, volunteer", "5号楼", "1单元", "+86 139 0000 0002"],
]
MIXED = [
    ENGLISH,
    ["王秀英", "resident representative", "3号楼", "2单元", "13900000001"],
    ["李建国", "cadre", "5号楼", "1单元", "12345"],
    ["", "volunteer", "1号楼", "", ""],
    ["赵敏", "dancer", "1号楼", "", ""],
]


class TestPreview:
    @pytest.mark.parametrize(
        "name,content",
        [("people.csv", csv_bytes(MIXED)), ("people.xlsx", xlsx_bytes(MIXED))],
    )
    def test_each_bad_row_has_its_error_and_line_and_nothing_is_saved(self, clerk, name, content):
        response = upload(logged_in(clerk), name, content)

        assert response.status_code == 200
        rows = response.context["preview"].rows
        assert [(row["line"], row["kind"]) for row in rows] == [
            (2, "new"),
            (3, "error"),
            (4, "error"),
            (5, "error"),
        ]
        phone_error = ui(
            "zh-hans",
            "Enter a mobile number of 11 digits or a landline with its area code, e.g. 021-12345678.",
        )
        assert any(phone_error in error for error in rows[1]["errors"])
        assert rows[2]["errors"]  # no name
        assert any("dancer" in error for error in rows[3]["errors"])
        # The page shows each bad row's line and error.
        html = response.content.decode()
        assert '<th scope="row">5</th>' in html
        assert "dancer" in html
        # The page cannot confirm it: no token, no confirm button, and nothing kept.
        assert token_of(response) is None
        assert CONFIRM_URL.encode() not in response.content
        assert Person.objects.count() == 0
        assert Person.history.count() == 0
        assert stored_uploads() == []

    def test_a_stored_bad_file_is_refused_on_confirm_and_nothing_is_saved(self, clerk):
        token = imports.keep_upload(csv_bytes(MIXED), "csv", "people.csv", clerk, PEOPLE.url_name)

        response = logged_in(clerk).post(CONFIRM_URL, {"upload": token})

        assert response.status_code == 200
        assert response.context["preview"].bad == 3
        assert Person.objects.count() == 0
        assert Person.history.count() == 0

    def test_the_preview_shows_new_rows_and_keeps_the_file_for_the_confirmation(self, clerk):
        response = upload(logged_in(clerk), "people.csv", csv_bytes(GOOD))

        rows = response.context["preview"].rows
        assert [(row["line"], row["kind"], row["errors"]) for row in rows] == [
            (2, "new", []),
            (3, "new", []),
        ]
        assert token_of(response)
        assert len(stored_uploads()) == 1
        assert Person.objects.count() == 0  # a dry run


class TestConfirm:
    def test_every_row_is_imported_with_its_history(self, clerk):
        client = logged_in(clerk)
        preview = upload(client, "居民名单.csv", csv_bytes(GOOD))

        response = client.post(CONFIRM_URL, {"upload": token_of(preview)})

        assert response.status_code == 302
        assert response["Location"] == LIST_URL
        wang = Person.objects.get(name="王秀英")
        li = Person.objects.get(name="李建国")
        assert (wang.is_representative, wang.building, wang.unit, wang.phone) == (
            True,
            "3号楼",
            "2单元",
            "13900000001",
        )
        assert (li.is_cadre, li.is_volunteer, li.is_representative, li.phone) == (
            True,
            True,
            False,
            "13900000002",
        )
        for person in (wang, li):
            (created,) = person.history.all()
            assert created.history_type == "+"
            assert created.history_user_id == clerk.pk
            assert "居民名单.csv" in created.history_change_reason
        # The upload is gone: the same confirmation cannot import the file twice.
        assert stored_uploads() == []
        again = client.post(CONFIRM_URL, {"upload": token_of(preview)})
        assert again.status_code == 302
        assert Person.objects.count() == 2

    def test_a_row_naming_a_person_in_the_register_updates_them(self, office):
        person = PersonFactory(
            name="王秀英",
            phone="13900000001",
            building="3号楼",
            unit="2单元",
            is_representative=True,
            is_volunteer=False,
        )
        client = logged_in(office)
        # The phone as people type it: the country code and spaces.
        rows = [ENGLISH, ["王秀英", "volunteer", "", "", "+86 139 0000 0001"]]
        preview = upload(client, "update.xlsx", xlsx_bytes(rows))
        assert [row["kind"] for row in preview.context["preview"].rows] == ["update"]

        client.post(CONFIRM_URL, {"upload": token_of(preview)})

        person.refresh_from_db()
        assert Person.objects.count() == 1
        # Roles are added; empty cells leave the address as it was.
        assert (person.is_representative, person.is_volunteer) == (True, True)
        assert (person.building, person.unit) == ("3号楼", "2单元")
        changed = person.history.first()
        assert changed.history_type == "~"
        assert changed.history_user_id == office.pk
        assert "update.xlsx" in changed.history_change_reason

    def test_a_name_shared_by_several_persons_needs_the_phone_or_address(self, clerk):
        PersonFactory(name="张伟", phone="13900000011")
        PersonFactory(name="张伟", phone="13900000012")

        response = upload(
            logged_in(clerk), "p.csv", csv_bytes([ENGLISH, ["张伟", "volunteer", "", "", ""]])
        )

        (row,) = response.context["preview"].rows
        assert row["kind"] == "error"
        assert "张伟" in row["errors"][0]
        assert Person.objects.filter(is_volunteer=True).count() == 0

    def test_party_membership_is_not_a_role_of_this_import(self, clerk):
        response = upload(
            logged_in(clerk), "p.csv", csv_bytes([ENGLISH, ["王秀英", "党员", "", "", ""]])
        )

        (row,) = response.context["preview"].rows
        assert row["kind"] == "error"
        assert Person.objects.count() == 0


class TestFiles:
    def test_gb18030_with_chinese_headings_as_excel_writes_it(self, clerk):
        rows = [CHINESE, ["欧阳娜娜", "居民代表、志愿者", "7号楼", "3单元", "021-12345678"]]
        client = logged_in(clerk)
        preview = upload(client, "名单.csv", csv_bytes(rows, encoding="gb18030"))
        assert [row["kind"] for row in preview.context["preview"].rows] == ["new"]

        client.post(CONFIRM_URL, {"upload": token_of(preview)})

        person = Person.objects.get(name="欧阳娜娜")
        assert (person.is_representative, person.is_volunteer, person.building) == (
            True,
            True,
            "7号楼",
        )

    def test_utf8_with_a_byte_order_mark(self, clerk):
        content = "\ufeff".encode() + csv_bytes([CHINESE, ["周卫东", "社区干部", "", "", ""]])

        response = upload(logged_in(clerk), "p.csv", content)

        assert [row["kind"] for row in response.context["preview"].rows] == ["new"]

    @pytest.mark.parametrize(
        "name,content,message",
        [
            # Django's own check of an upload answers first.
            ("empty.csv", b"", "The submitted file is empty."),
            ("people.txt", csv_bytes(GOOD), None),
            ("people.xls", b"\xd0\xcf\x11\xe0 old excel", None),
            (
                "people.xlsx",
                csv_bytes(GOOD),
                "This is not an XLSX file: save it as XLSX or CSV (UTF-8).",
            ),
            ("headings.csv", csv_bytes([ENGLISH]), "The file has headings but no rows."),
        ],
    )
    def test_a_file_that_cannot_be_imported_gets_a_message(self, clerk, name, content, message):
        response = upload(logged_in(clerk), name, content)

        assert response.status_code == 200
        errors = response.context["form"].errors["file"]
        assert errors
        if message:
            assert ui("zh-hans", message) in errors
        assert Person.objects.count() == 0
        assert stored_uploads() == []

    def test_a_zip_that_is_no_workbook_gets_a_message(self, clerk):
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w") as archive:
            archive.writestr("word/document.xml", "<document/>")

        response = upload(logged_in(clerk), "people.xlsx", output.getvalue())

        assert response.context["form"].errors["file"] == [
            ui("zh-hans", "This is not an XLSX file: save it as XLSX or CSV (UTF-8).")
        ]

    @pytest.mark.parametrize(
        "rows",
        [
            [["name", "姓名"], ["王秀英", "王秀英"]],
            [["姓名", "身份", ""], ["王秀英", "志愿者", "stray"]],
        ],
    )
    def test_a_heading_twice_or_a_value_without_heading_is_refused(self, clerk, rows):
        response = upload(logged_in(clerk), "p.csv", csv_bytes(rows))

        assert response.context["form"].errors["file"]
        assert Person.objects.count() == 0

    def test_unknown_headings_are_named(self, clerk):
        response = upload(
            logged_in(clerk),
            "p.csv",
            csv_bytes([["姓名", "身份", "血型"], ["王秀英", "志愿者", "A"]]),
        )

        (error,) = response.context["form"].errors["file"]
        assert "血型" in error
        assert Person.objects.count() == 0

    def test_an_oversized_file_is_refused(self, clerk, settings):
        settings.IMPORT_MAX_UPLOAD_SIZE = 50

        response = upload(logged_in(clerk), "p.csv", csv_bytes(GOOD))

        (error,) = response.context["form"].errors["file"]
        assert Person.objects.count() == 0
        assert stored_uploads() == []
        assert error

    def test_a_file_with_too_many_rows_is_refused(self, clerk, settings):
        settings.IMPORT_MAX_ROWS = 1

        response = upload(logged_in(clerk), "p.csv", csv_bytes(GOOD))

        assert response.context["form"].errors["file"]
        assert Person.objects.count() == 0

    def test_the_template_files_carry_the_headings(self, clerk):
        client = logged_in(clerk)

        text = client.get(reverse("people_import_template", args=["csv"])).content.decode(
            "utf-8-sig"
        )
        workbook = load_workbook(
            io.BytesIO(client.get(reverse("people_import_template", args=["xlsx"])).content)
        )

        assert next(csv.reader(io.StringIO(text))) == CHINESE
        assert [cell.value for cell in next(workbook.active.iter_rows())] == CHINESE


class TestTheSecondStep:
    def test_an_expired_upload_imports_nothing(self, clerk, clock):
        client = logged_in(clerk)
        preview = upload(client, "p.csv", csv_bytes(GOOD))
        clock.advance(hours=2)

        response = client.post(CONFIRM_URL, {"upload": token_of(preview)}, follow=True)

        assert response.redirect_chain[-1][0] == UPLOAD_URL
        assert Person.objects.count() == 0
        # The old upload is removed at the next upload; only the new one waits.
        upload(client, "other.csv", csv_bytes(GOOD))
        assert len(stored_uploads()) == 1

    def test_a_missing_upload_imports_nothing(self, clerk):
        client = logged_in(clerk)
        preview = upload(client, "p.csv", csv_bytes(GOOD))
        for name in stored_uploads():
            default_storage.delete(f"{imports.STORE}/{name}")

        response = client.post(CONFIRM_URL, {"upload": token_of(preview)})

        assert response.status_code == 302
        assert response["Location"] == UPLOAD_URL
        assert Person.objects.count() == 0

    def test_a_forged_or_someone_elses_token_imports_nothing(self, clerk, office):
        preview = upload(logged_in(clerk), "p.csv", csv_bytes(GOOD))

        for client, token in (
            (logged_in(clerk), "forged"),
            (logged_in(clerk), ""),
            (logged_in(office), token_of(preview)),
        ):
            response = client.post(CONFIRM_URL, {"upload": token})
            assert response.status_code == 302
        assert Person.objects.count() == 0


class TestRoles:
    def test_the_listing_offers_import_to_those_who_may_add_persons(self, clerk, supervisor):
        assert UPLOAD_URL.encode() in logged_in(clerk).get(LIST_URL).content
        assert UPLOAD_URL.encode() not in logged_in(supervisor).get(LIST_URL).content

    def test_the_office_may_import_persons(self, office):
        assert logged_in(office).get(UPLOAD_URL).status_code == 200

    @pytest.mark.parametrize("role", ["editor", "moderator", "supervisor", "cadre"])
    def test_wrong_roles_are_refused_and_nothing_changes(self, request, role, clerk):
        user = request.getfixturevalue(role)
        client = logged_in(user)
        token = imports.keep_upload(csv_bytes(GOOD), "csv", "p.csv", user, PEOPLE.url_name)

        responses = [
            client.get(UPLOAD_URL),
            upload(client, "p.csv", csv_bytes(GOOD)),
            client.post(CONFIRM_URL, {"upload": token}),
            client.get(reverse("people_import_template", args=["csv"])),
        ]

        assert all(refused(response) for response in responses), [
            response.status_code for response in responses
        ]
        assert Person.objects.filter(name__in=["王秀英", "李建国"]).count() == 0


def refused(response):
    """Refused as Wagtail's admin refuses: 403, or back to the dashboard with its message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
    )
