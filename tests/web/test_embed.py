"""Partner sites: embeddable listings and cards, the only frameable pages, and /oembed."""

import html
import re

import pytest

from eventsvc.services.events import cancel_event
from tests.helpers import in_days, page_text

PARTNER = ("co_host", "organization", "Andean Rights Network")


@pytest.fixture
def listed(make_event):
    """Upcoming events co-hosted by a partner, in a series and on a topic, and a past one."""
    return {
        "webinar": make_event(
            title="Defending the Defenders",
            starts_at=in_days(3),
            credits=[PARTNER],
            series="Rethinking MSIs",
            tags=["Land"],
        ),
        "later": make_event(title="Water and Mining", starts_at=in_days(8), credits=[PARTNER]),
        "other": make_event(title="Someone else's talk", starts_at=in_days(5)),
        "past": make_event(title="Last year's forum", starts_at=in_days(-30), credits=[PARTNER]),
    }


def titles(page: str) -> list[str]:
    return re.findall(r'<h2><a href="[^"]+" rel="noopener">([^<]+)</a></h2>', page)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/embed/events", ["Defending the Defenders", "Someone else's talk", "Water and Mining"]),
        (
            "/embed/organizations/andean-rights-network",
            ["Defending the Defenders", "Water and Mining"],
        ),
        ("/embed/series/rethinking-msis", ["Defending the Defenders"]),
        ("/embed/tags/land", ["Defending the Defenders"]),
    ],
)
def test_each_listing_embeds_its_upcoming_events(client, listed, path, expected):
    page = client.get(path).text

    assert [html.unescape(title) for title in titles(page)] == expected


def test_an_embed_opens_every_link_on_our_site_in_a_new_tab(client, listed):
    page = client.get("/embed/organizations/andean-rights-network").text

    assert '<base target="_blank">' in page
    assert '<h1 class="embed-title">' in page and "Events with Andean Rights Network" in page
    assert f'href="http://localhost/events/{listed["webinar"].slug}"' in page
    assert 'href="http://localhost/events?organization=andean-rights-network"' in page
    assert "<form" not in page and "site-nav" not in page
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert all(href.startswith(("http://localhost/", "/static/")) for href in hrefs), hrefs


def test_only_embeds_may_be_framed_by_other_sites(client, listed):
    slug = listed["webinar"].slug
    for path in ("/embed/events", "/embed/tags/land", f"/embed/events/{slug}"):
        response = client.get(path)
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"], path
        assert "X-Frame-Options" not in response.headers, path
    for path in ("/", "/events", f"/events/{slug}", f"/events/{slug}/register", "/calendar"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_an_unknown_listing_is_not_found(client):
    for path in ("/embed/organizations/nobody", "/embed/series/none", "/embed/events/nothing"):
        assert client.get(path).status_code == 404, path


def test_the_number_shown_can_be_chosen_within_limits(client, make_event):
    for day in range(1, 25):
        make_event(title=f"Event {day}", starts_at=in_days(day))

    def count(query: str) -> int:
        return len(titles(client.get(f"/embed/events{query}").text))

    assert count("") == 5
    assert count("?limit=2") == 2
    assert count("?limit=500") == 20
    assert count("?limit=0") == 1
    assert count("?limit=many") == 5


def test_kept_embeds_are_keyed_by_what_they_show(app, client, listed):
    for query in ("", "?limit=5", "?limit=five", "?utm_source=partner", "?limit=3"):
        client.get(f"/embed/events{query}")

    keys = [key for key in app.extensions["page_cache"]._kept if key.startswith("embed:")]
    assert len(keys) == 2


def test_a_cancelled_event_shows_as_cancelled(client, listed):
    cancel_event(listed["later"], "Speaker unwell.")

    text = page_text(client.get("/embed/events").text)

    assert "Cancelled Water and Mining" in text


def test_event_and_news_cards(client, listed, make_news):
    event = listed["webinar"]
    item = make_news(title="Clinic report on defenders", excerpt="What we found.")

    card = client.get(f"/embed/events/{event.slug}").text
    news = client.get(f"/embed/news/{item.slug}").text

    assert f'href="http://localhost/events/{event.slug}#register"' in card
    assert "Register" in card and "<form" not in card
    assert "Clinic report on defenders" in news and "What we found." in news
    assert f'href="http://localhost/news/{item.slug}"' in news


def test_an_organisations_page_and_its_admin_page_give_the_code_to_paste(client, listed, login):
    public = client.get("/events?organization=andean-rights-network").text
    snippet = (
        '<iframe src="http://localhost/embed/organizations/andean-rights-network" '
        'title="Events with Andean Rights Network — Human Rights Clinic" width="100%" '
        'height="480" style="border:0;max-width:40rem" loading="lazy"></iframe>'
    )

    assert code_to_paste(public) == [snippet]
    assert f'data-copy="{html.escape(snippet)}"'.replace("&quot;", "&#34;") in public
    assert "Subscribe to events with Andean Rights Network" in public
    login()
    organization = listed["webinar"].credits[0].organization
    admin = client.get(f"/admin/organizations/{organization.id}/edit").text
    assert code_to_paste(admin) == [snippet]
    assert "/static/copy.js" in admin


def code_to_paste(page: str) -> list[str]:
    return [
        html.unescape(code)
        for code in re.findall(r"<textarea readonly[^>]*>(.*?)</textarea>", page)
    ]


def test_oembed_describes_an_event_or_news_link_as_a_card(client, listed, make_news):
    event = listed["webinar"]
    item = make_news(title="Clinic report on defenders")

    answer = client.get(f"/oembed?url=http://localhost/events/{event.slug}").get_json()
    news = client.get(f"/oembed?url=http://localhost/news/{item.slug}&format=json").get_json()

    assert answer["version"] == "1.0" and answer["type"] == "rich"
    assert answer["title"] == "Defending the Defenders"
    assert answer["provider_name"] == "Human Rights Clinic"
    assert answer["provider_url"] == "http://localhost/"
    assert f'src="http://localhost/embed/events/{event.slug}"' in answer["html"]
    assert (answer["width"], answer["height"]) == (480, 320)
    assert f'src="http://localhost/embed/news/{item.slug}"' in news["html"]
    small = client.get(
        f"/oembed?url=http://localhost/events/{event.slug}&maxwidth=300&maxheight=200"
    ).get_json()
    assert (small["width"], small["height"]) == (300, 200)
    assert 'width="300" height="200"' in small["html"]


def test_oembed_refuses_other_links_and_formats(client, listed, make_event):
    slug = listed["webinar"].slug
    draft = make_event(title="Unpublished", publish=False)
    for url in (
        f"https://elsewhere.example/events/{slug}",
        "http://localhost/events/no-such-event",
        f"http://localhost/events/{draft.slug}",
        "http://localhost/calendar",
        "",
    ):
        assert client.get("/oembed", query_string={"url": url}).status_code == 404, url
    assert client.get(f"/oembed?url=http://localhost/events/{slug}&format=xml").status_code == 501


def test_event_and_news_pages_announce_their_oembed(client, listed, make_news):
    event = listed["webinar"]
    item = make_news(title="Clinic report on defenders")

    for path in (f"/events/{event.slug}", f"/news/{item.slug}"):
        page = client.get(path).text
        found = re.search(
            r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page
        )
        assert found, path
        url = html.unescape(found[1]).removeprefix("http://localhost")
        assert client.get(url).get_json()["type"] == "rich", path
