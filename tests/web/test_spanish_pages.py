"""What a Spanish-reading visitor and Spanish-reading staff read: whole sentences in Spanish,
never English words or phrases glued together against Spanish grammar."""

import re

from tests.helpers import page_text


def test_a_browser_preferring_spanish_is_offered_the_spanish_page_in_spanish(client):
    english = client.get("/events", headers={"Accept-Language": "es-ES,es;q=0.9"}).text

    offer = page_text(english.split('class="language-offer"', 1)[1].split("</p>", 1)[0])
    assert "Esta página también está en español. Leerla en español" in offer
    assert 'href="/es/events"' in english.split('class="language-offer"', 1)[1]


def test_feeds_of_a_topic_and_a_series_are_offered_in_grammatical_spanish(client, make_event):
    make_event(series="Rethinking MSIs", tags=["Due diligence"])

    feeds = page_text(client.get("/es/calendar/feeds").text)

    assert "Suscribirse a los eventos del tema Due diligence" in feeds
    assert "Suscribirse a los eventos de la serie Rethinking MSIs" in feeds
    assert not re.search(r"\ba el\b", feeds)


def test_the_event_form_asks_for_a_time_zone_in_spanish(client, editor):
    form = client.get("/es/admin/events/new").text

    assert "Elija una zona horaria" in form
    assert "Choose a time zone" not in form


def test_a_cancelled_registration_is_cancelada_on_its_manage_page(client, open_event, sign_up):
    token = sign_up(open_event(), "ana@example.org").registration.manage_token
    client.post(f"/es/registrations/{token}/cancel")

    manage = page_text(client.get(f"/es/registrations/{token}").text)

    assert "Estado Cancelada" in manage


def test_one_news_item_is_labelled_noticia_beside_the_noticias_menu(client, make_news):
    make_news(title="Clinic files a submission")

    home = client.get("/es/").text

    assert '<p class="label label-news">Noticia</p>' in home
    assert ">Noticias</a>" in home


def test_an_admin_reads_their_role_as_a_person_not_as_the_menu(client, admin):
    page = page_text(client.get("/es/admin/").text)

    assert "(administrador(a))" in page
