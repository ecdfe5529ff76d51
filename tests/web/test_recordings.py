"""Recordings on the event page and the WATCH news item: a link always, and for YouTube and
Vimeo a player that the page loads only when the reader asks; the policy allows its frame."""

import re

import pytest

from eventsvc.security import CONTENT_SECURITY_POLICY
from eventsvc.services.events import add_recording
from eventsvc.web.presenters import video_player
from tests.helpers import in_days, page_text

YOUTUBE_FRAMES = "frame-src https://www.youtube-nocookie.com"


@pytest.fixture
def past_webinar(make_event):
    return make_event(title="Beyond Business-as-Usual", starts_at=in_days(-5))


def frame_sources(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next((part for part in policy.split("; ") if part.startswith("frame-src")), "")


@pytest.mark.parametrize(
    ("url", "src"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
            "youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", "youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "player.vimeo.com/video/76979871?autoplay=1&dnt=1"),
        (
            "https://vimeo.com/76979871/4f1a2b3c",
            "player.vimeo.com/video/76979871?autoplay=1&dnt=1&h=4f1a2b3c",
        ),
    ],
)
def test_youtube_and_vimeo_addresses_have_a_privacy_minded_player(url, src):
    assert src in video_player(url).src


@pytest.mark.parametrize(
    "url",
    [
        "https://video.example.org/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.example.org/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=too-short",
        "javascript:alert(1)",
    ],
)
def test_other_addresses_have_no_player(url):
    assert video_player(url) is None


def test_the_event_page_offers_a_youtube_player_that_loads_nothing_before_play(
    client, past_webinar
):
    add_recording(past_webinar, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Full webinar")

    first = client.get(f"/events/{past_webinar.slug}")
    kept = client.get(f"/events/{past_webinar.slug}")

    for response in (first, kept):
        assert frame_sources(response) == YOUTUBE_FRAMES
        assert not re.search(r'\ssrc="https://[^"]*youtube', response.text)
        assert "<iframe" not in response.text
    assert 'data-player-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?' in first.text
    text = page_text(first.text)
    assert "Watch on YouTube: Full webinar" in text
    assert "Play here: Full webinar" in text
    assert "player.js" in first.text


def test_the_watch_news_item_shows_the_recording_first(client, past_webinar, make_news):
    add_recording(past_webinar, "https://vimeo.com/76979871", "Full webinar")
    item = make_news(
        title="WATCH: “Beyond Business-as-Usual”",
        label="recording",
        body="On July 30, we hosted a webinar with MSI Integrity.",
        events=[past_webinar],
    )

    response = client.get(f"/news/{item.slug}")

    assert frame_sources(response) == "frame-src https://player.vimeo.com"
    text = page_text(response.text)
    assert text.index("Watch on Vimeo: Full webinar") < text.index("On July 30, we hosted")
    assert text.count("Watch on Vimeo") == 1


def test_an_announcement_shows_the_recording_with_its_event(client, past_webinar, make_news):
    add_recording(past_webinar, "https://youtu.be/dQw4w9WgXcQ")
    item = make_news(title="July 30 Virtual Event", label="event", events=[past_webinar])

    response = client.get(f"/news/{item.slug}")

    text = page_text(response.text)
    assert text.index("Beyond Business-as-Usual") < text.index("Watch on YouTube")
    assert frame_sources(response) == YOUTUBE_FRAMES


def test_pages_without_a_player_allow_no_frames(client, past_webinar, make_event):
    add_recording(past_webinar, "https://video.example.org/watch/42", "Full webinar")
    upcoming = make_event(title="Upcoming")

    for path in (f"/events/{past_webinar.slug}", f"/events/{upcoming.slug}", "/", "/events"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
    assert "Watch the recording: Full webinar" in page_text(
        client.get(f"/events/{past_webinar.slug}").text
    )
