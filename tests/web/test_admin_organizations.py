"""The admin's organisation and people pages, logos included."""

import re
from io import BytesIO
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eventsvc.extensions import db
from eventsvc.models import Organization, Person
from tests.helpers import ATTRIBUTE, PNG, SCRIPT, error_of, form_values, only, page_text


def organization_data(**overrides) -> dict:
    data = {
        "name": "MSI Integrity",
        "url": "https://msi.example.org",
        "description": "Research on multi-stakeholder initiatives.",
        "logo_url": "",
        "logo_alt": "",
    }
    data.update(overrides)
    return data


class TestOrganizations:
    def test_add_one_with_an_uploaded_logo(self, client, editor, app):
        data = organization_data(logo_alt="MSI Integrity")
        data["logo"] = (BytesIO(PNG), "logo.png")

        response = client.post(
            "/admin/organizations/new", data=data, content_type="multipart/form-data"
        )

        assert response.status_code == 302
        organization = only(Organization)
        assert re.fullmatch(r"[0-9a-f]{32}\.png", organization.logo_path)
        assert (Path(app.config["UPLOAD_DIR"]) / organization.logo_path).read_bytes() == PNG
        listing = client.get("/admin/organizations").text
        assert f'src="/uploads/{organization.logo_path}" alt="MSI Integrity"' in listing

    def test_a_file_that_is_not_an_image_is_refused(self, client, editor):
        data = organization_data(logo_alt="Logo")
        data["logo"] = (BytesIO(b"%PDF-1.7 not an image"), "logo.png")

        response = client.post(
            "/admin/organizations/new", data=data, content_type="multipart/form-data"
        )

        assert response.status_code == 400
        assert error_of(response.text, "logo") == "Upload a PNG, JPEG, GIF or WebP image"
        assert form_values(response.text)["name"] == "MSI Integrity"
        assert db.session.scalars(select(Organization)).all() == []

    def test_a_logo_too_large_is_refused(self, client, editor, app):
        data = organization_data(logo_alt="Logo")
        large = PNG + b"\x00" * app.config["MAX_UPLOAD_BYTES"]
        data["logo"] = FileStorage(BytesIO(large), filename="logo.png")
        # Encoded in memory: the test client would spool a large body to a file it never closes.
        boundary, body = encode_multipart(data)

        response = client.post(
            "/admin/organizations/new",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )

        assert response.status_code == 400
        assert error_of(response.text, "logo") == "The image is larger than 2 MB"

    def test_a_logo_needs_alt_text(self, client, editor):
        response = client.post(
            "/admin/organizations/new",
            data=organization_data(logo_url="https://msi.example.org/logo.svg"),
        )

        assert response.status_code == 400
        assert error_of(response.text, "logo_alt") == (
            "Describe the image for people who cannot see it"
        )

    def test_edit_with_a_logo_url_then_remove_it(self, client, editor):
        client.post("/admin/organizations/new", data=organization_data())
        organization = only(Organization)
        edit_url = f"/admin/organizations/{organization.id}/edit"

        values = form_values(client.get(edit_url).text)
        client.post(
            edit_url, data=values | {"logo_url": "https://msi.example.org/l.png", "logo_alt": "MSI"}
        )
        assert (organization.logo_url, organization.logo_alt) == (
            "https://msi.example.org/l.png",
            "MSI",
        )

        values = form_values(client.get(edit_url).text)
        client.post(edit_url, data=values | {"logo_url": ""})
        assert (organization.logo_url, organization.logo_alt) == (None, "")

    def test_a_name_already_taken_is_refused(self, client, editor):
        client.post("/admin/organizations/new", data=organization_data())

        response = client.post(
            "/admin/organizations/new", data=organization_data(name="msi integrity")
        )

        assert response.status_code == 400
        assert "“MSI Integrity” already exists" in error_of(response.text, "name")

    def test_renaming_moves_the_calendar_version_of_events_crediting_it(
        self, client, editor, make_event
    ):
        event = make_event(credits=[("co_host", "organization", "MSI Integrity")])
        organization = only(Organization)
        edit_url = f"/admin/organizations/{organization.id}/edit"

        values = form_values(client.get(edit_url).text)
        client.post(edit_url, data=values | {"description": "Only the description"})
        assert event.sequence == 0

        client.post(edit_url, data=values | {"name": "MSI Integrity Project"})
        assert event.sequence == 1
        assert event.credits[0].name == "MSI Integrity Project"

    def test_delete_refuses_an_organisation_still_credited(self, client, admin, make_event):
        make_event(credits=[("co_host", "organization", "MSI Integrity")])
        organization = only(Organization)

        response = client.post(
            f"/admin/organizations/{organization.id}/delete", follow_redirects=True
        )

        assert "MSI Integrity is credited on 1 event; remove those credits first" in page_text(
            response.text
        )
        assert only(Organization) == organization

    def test_delete_asks_first_then_deletes(self, client, admin):
        client.post("/admin/organizations/new", data=organization_data())
        organization = only(Organization)
        url = f"/admin/organizations/{organization.id}/delete"

        assert "Delete the organisation “MSI Integrity”?" in page_text(client.get(url).text)
        client.post(url)

        assert db.session.scalars(select(Organization)).all() == []

    def test_script_in_every_text_field_comes_out_escaped(self, client, editor):
        data = organization_data(name=SCRIPT, description=ATTRIBUTE, logo_alt=ATTRIBUTE)
        data["logo_url"] = "https://example.org/logo.png"
        client.post("/admin/organizations/new", data=data)
        organization = only(Organization)

        for url in ("/admin/organizations", f"/admin/organizations/{organization.id}/edit"):
            markup = client.get(url).text
            assert "<script>alert" not in markup, url
            assert "<img src=x" not in markup, url


class TestPeople:
    def test_add_edit_and_delete_a_person(self, client, admin):
        data = {"name": "Amina Diallo", "affiliation": "Clinic director", "url": ""}

        assert client.post("/admin/people/new", data=data).status_code == 302
        person = only(Person)
        assert (person.name, person.affiliation, person.url) == (
            "Amina Diallo",
            "Clinic director",
            None,
        )
        assert "Amina Diallo Clinic director" in page_text(client.get("/admin/people").text)

        edit_url = f"/admin/people/{person.id}/edit"
        values = form_values(client.get(edit_url).text)
        client.post(edit_url, data=values | {"url": "https://example.org/amina"})
        assert person.url == "https://example.org/amina"

        client.post(f"/admin/people/{person.id}/delete")
        assert db.session.scalars(select(Person)).all() == []

    def test_a_person_needs_a_name_and_a_web_address_that_is_one(self, client, editor):
        response = client.post(
            "/admin/people/new", data={"name": "", "affiliation": "Kept", "url": "ftp://x"}
        )

        assert response.status_code == 400
        assert error_of(response.text, "name") == "Enter a name"
        assert (
            error_of(response.text, "url")
            == "Enter a web address starting with https:// or http://"
        )
        assert form_values(response.text)["affiliation"] == "Kept"

    def test_delete_refuses_a_person_still_credited(self, client, admin, make_event):
        make_event(credits=[("moderator", "person", "Amina Diallo")])
        person = only(Person)

        client.post(f"/admin/people/{person.id}/delete")

        assert only(Person) == person

    def test_script_in_every_text_field_comes_out_escaped(self, client, editor):
        client.post("/admin/people/new", data={"name": SCRIPT, "affiliation": ATTRIBUTE})
        person = only(Person)

        for url in (
            "/admin/people",
            f"/admin/people/{person.id}/edit",
            f"/admin/people/{person.id}/delete",
        ):
            markup = client.get(url).text
            assert "<script>alert" not in markup, url
            assert "<img src=x" not in markup, url


def test_unknown_ids_are_not_found(client, admin):
    for area in ("organizations", "people"):
        for action in ("edit", "delete"):
            assert client.get(f"/admin/{area}/999/{action}").status_code == 404, (area, action)
