"""Staff write an event's, a news item's, a question's and a consent text's Spanish version
beside the original; readers of /es/ get it, and saving a form leaves the others as they are."""

from eventsvc.extensions import db
from eventsvc.models import NewsItem, Question
from tests.helpers import form_values, only, page_text, reloaded


def test_an_event_s_spanish_texts_are_written_beside_the_english_and_read_under_es(
    client, editor, make_event
):
    event = make_event(title="Beyond Business as Usual", summary="A discussion.")
    edit = client.get(f"/admin/events/{event.id}/edit").text
    values = form_values(edit) | {
        "translations-0-title": "Más allá de lo habitual",
        "translations-0-summary": "Una conversación.",
    }

    assert values["translations-0-language"] == "es"
    assert 'lang="es"' in edit and "In Spanish" in page_text(edit)
    client.post(f"/admin/events/{event.id}/edit", data=values)

    spanish = page_text(client.get(f"/es/events/{event.slug}").text)
    assert "Más allá de lo habitual" in spanish and "Una conversación." in spanish
    assert "Más allá" not in page_text(client.get(f"/events/{event.slug}").text)


def test_saving_an_event_form_keeps_its_translations_and_consent_texts(client, editor, open_event):
    event = open_event(
        translations={"es": {"title": "Título"}}, consent_translations={"es": "Acepto."}
    )
    values = form_values(client.get(f"/admin/events/{event.id}/edit").text)

    client.post(f"/admin/events/{event.id}/edit", data=values | {"venue": "Room 4"})

    assert reloaded(event).translations == {"es": {"title": "Título", "consent_text": "Acepto."}}


def test_a_news_item_s_translation_is_saved_and_read_under_es(client, editor):
    data = {
        "title": "Clinic report",
        "label": "news",
        "language": "en",
        "body": "The clinic reports.",
        "translations-0-language": "es",
        "translations-0-title": "Informe de la clínica",
    }

    client.post("/admin/news/new", data=data | {"publish": "yes"})

    item = only(NewsItem)
    assert item.translations == {"es": {"title": "Informe de la clínica"}}
    assert form_values(client.get(f"/admin/news/{item.id}/edit").text)["translations-0-title"] == (
        "Informe de la clínica"
    )
    assert "Informe de la clínica" in page_text(client.get(f"/es/news/{item.slug}").text)


def test_a_news_item_written_in_two_languages_marks_its_spanish_part(client, editor):
    data = {
        "title": "Clinic report",
        "label": "news",
        "language": "en,es",
        "body": "The clinic reports.\n:::es\nLa clínica informa.",
        "publish": "yes",
    }

    client.post("/admin/news/new", data=data)

    item = only(NewsItem)
    assert item.language == "en, es"
    page = client.get(f"/news/{item.slug}").text
    assert '<div class="prose" lang="es"><p>La clínica informa.</p>' in page


def test_a_question_s_translation_and_the_consent_text_s_reach_the_spanish_form(
    client, editor, open_event
):
    event = open_event(capacity=10)
    client.post(
        f"/admin/events/{event.id}/questions",
        data={
            "type": "single_choice",
            "label": "Where do you work?",
            "choices": "University\nNGO",
            "translations-0-language": "es",
            "translations-0-label": "¿Dónde trabaja?",
            "translations-0-choices": "Universidad\nONG",
        },
    )
    settings = form_values(client.get(f"/admin/events/{event.id}/registration").text)
    client.post(
        f"/admin/events/{event.id}/registration",
        data=settings | {"translations-0-consent_text": "Acepto que guarden mis datos."},
    )

    question = db.session.scalars(db.select(Question)).one()
    assert question.translations == {
        "es": {"label": "¿Dónde trabaja?", "choices": ["Universidad", "ONG"]}
    }
    form = page_text(client.get(f"/es/events/{event.slug}/register").text)
    assert "¿Dónde trabaja?" in form and "Universidad" in form and "ONG" in form
    assert "Acepto que guarden mis datos." in form
    english = page_text(client.get(f"/events/{event.slug}/register").text)
    assert "Where do you work?" in english and "Acepto" not in english
