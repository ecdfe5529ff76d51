"""Markdown that comes out inert, excerpts in the listing's shape, slugs and name lists."""

from html.parser import HTMLParser

import pytest

from eventsvc.text import (
    EXCERPT_WORDS,
    excerpt_of,
    join_names,
    normalise_email,
    render_markdown,
    slugify,
)


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        "Before <script src=https://evil.example/x.js></script> after",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">partner</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "[Register](javascript:alert(1))",
        "[Register](JaVaScRiPt:alert(1))",
        "[Register](  javascript:alert(1))",
        "[Register](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        '[Register](https://example.org "x\\" onmouseover=\\"alert(1)")',
    ],
)
def test_markdown_keeps_no_script_handler_or_unsafe_link(source):
    elements = _elements(str(render_markdown(source)))
    assert {tag for tag, _ in elements} <= {"p", "a"}
    for _, attributes in elements:
        assert not [name for name in attributes if name.startswith("on")]
        href = (attributes.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:"))


def _elements(html: str) -> list[tuple[str, dict]]:
    """The real elements of `html` with their attributes (escaped markup is only text)."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def test_markdown_keeps_ordinary_formatting_and_safe_links():
    html = str(
        render_markdown(
            "## Agenda\n\n**Welcome** by the *clinic*.\n\n"
            "- [Programme](https://example.org/programme)\n"
            "- [Write to us](mailto:clinic@example.org)\n"
        )
    )
    assert "<h2>Agenda</h2>" in html
    assert "<strong>Welcome</strong>" in html
    assert "<em>clinic</em>" in html
    assert '<a href="https://example.org/programme" rel="noopener noreferrer">Programme</a>' in html
    assert 'href="mailto:clinic@example.org"' in html


def test_markdown_shows_typed_html_as_text():
    html = str(render_markdown("Use <b>bold</b> & ampersands"))
    assert html == "<p>Use &lt;b&gt;bold&lt;/b&gt; &amp; ampersands</p>\n"


def test_empty_markdown_renders_nothing():
    assert str(render_markdown("")) == ""


def test_a_written_excerpt_is_kept_as_written():
    body = " ".join(["word"] * 200)
    assert excerpt_of("  Our submission to the UN experts.  ", body) == (
        "Our submission to the UN experts."
    )


def test_a_long_body_is_trimmed_at_a_word_boundary_with_an_ellipsis():
    words = [f"word{index}" for index in range(120)]
    excerpt = excerpt_of("", " ".join(words))
    assert excerpt.endswith("…")
    kept = excerpt.removesuffix("…").split()
    assert kept == words[:EXCERPT_WORDS]
    assert 50 <= EXCERPT_WORDS <= 60


def test_a_trimmed_excerpt_does_not_end_in_punctuation_before_the_ellipsis():
    body = " ".join(["Families"] * (EXCERPT_WORDS - 1) + ["endorse,", "the", "letter"])
    assert excerpt_of("", body).endswith("Families endorse…")


def test_the_excerpt_is_plain_text_from_the_markdown():
    body = "## Why\n\nThe **clinic** and [MSI Integrity](https://example.org) met.\n\n- one"
    assert excerpt_of("", body) == "Why The clinic and MSI Integrity met. one"


@pytest.mark.parametrize("written", ["", "   ", "\n"])
def test_a_short_body_is_left_whole(written):
    body = "Webinar on accountable governance.\n\nJoin us on 30 July."
    assert excerpt_of(written, body) == "Webinar on accountable governance. Join us on 30 July."


def test_a_body_of_exactly_the_excerpt_length_is_not_cut():
    body = " ".join(["word"] * EXCERPT_WORDS)
    assert excerpt_of("", body) == body


def test_the_excerpt_decodes_entities_instead_of_showing_them():
    body = "Fish &amp; chips, caf&eacute; d\u00e9bat\u00a0: droits"
    excerpt = excerpt_of("", body)
    assert "&" not in excerpt.replace("Fish & chips", "")
    assert excerpt.split() == ["Fish", "&", "chips,", "café", "débat", ":", "droits"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Beyond Business as Usual", "beyond-business-as-usual"),
        ("Café: «Ñandú» en São Paulo!", "cafe-nandu-en-sao-paulo"),
        ("WATCH: Rethinking MSIs (Part 2)", "watch-rethinking-msis-part-2"),
        ("  --Already--slugged--  ", "already-slugged"),
        ("", "item"),
        ("!!!", "item"),
        ("人权", "item"),
    ],
)
def test_slugify_makes_readable_ascii_slugs(text, slug):
    assert slugify(text) == slug


def test_slugify_cuts_long_titles_without_a_trailing_hyphen():
    slug = slugify("accountability " * 20)
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert slug.startswith("accountability-accountability")


def test_a_long_title_is_cut_after_a_whole_word():
    title = (
        "The Struggle for Human Rights in Bolivia During the Áñez Government "
        "and the COVID-19 Pandemic"
    )
    slug = slugify(title)
    assert slug == "the-struggle-for-human-rights-in-bolivia-during-the-anez-government-and-the"
    assert slugify(title, max_length=78) == slug
    assert slugify("a" * 100) == "a" * 80


@pytest.mark.parametrize(
    ("names", "text"),
    [
        ([], ""),
        (["MSI Integrity"], "MSI Integrity"),
        (["MSI Integrity", "the Clinic"], "MSI Integrity and the Clinic"),
        (["A", "B", "C"], "A, B and C"),
        (["A", "B", "C", "D", "E", "F"], "A, B, C, D, E and F"),
    ],
)
def test_join_names_reads_as_english(names, text):
    assert join_names(names) == text


def test_slugs_spell_letters_that_do_not_decompose():
    assert slugify("Straße in Łódź, Ærø") == "strasse-in-lodz-aero"


def test_markdown_images_keep_their_alt_text():
    html = str(render_markdown("![Sketch of the panel](https://example.org/sketch.png)"))
    assert 'alt="Sketch of the panel"' in html
    assert "<img src=x" not in str(render_markdown('<img src=x onerror="alert(1)">'))


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("  Ana.Perez@Example.ORG ", "ana.perez@example.org"),
        ("alice@straße.org", "alice@xn--strae-oqa.org"),
        ("ALICE@STRASSE.org", "alice@strasse.org"),
        ("alice@BÜCHER.de", "alice@xn--bcher-kva.de"),
        ("alice@ｅｘａｍｐｌｅ.org", "alice@example.org"),  # full-width domain: the same host
        ("straße@example.org", "straße@example.org"),
        ("ΟΔΥΣΣΕΥΣ@example.org", "ΟΔΥΣΣΕΥΣ@example.org"),
        ("οδυσσευς@example.org", "οδυσσευς@example.org"),
        ("alıce@example.org", "alıce@example.org"),
        ("ALİCE@example.org", "alİce@example.org"),
        ("ａｌｉｃｅ@example.org", "ａｌｉｃｅ@example.org"),
        ("Jose\u0301@example.org", "josé@example.org"),  # NFC: one é however it is typed
        ("not an address", "not an address"),
    ],
)
def test_an_email_key_folds_ascii_letters_and_the_domain_only(typed, key):
    assert normalise_email(typed) == key


def test_mailboxes_that_unicode_case_folding_would_merge_stay_apart():
    pairs = [
        ("alice@straße.org", "alice@strasse.org"),
        ("straße@example.org", "strasse@example.org"),
        ("οδυσσευς@example.org", "οδυσσευσ@example.org"),
        ("alıce@example.org", "alice@example.org"),
        ("ａｌｉｃｅ@example.org", "alice@example.org"),
    ]
    for one, other in pairs:
        assert normalise_email(one) != normalise_email(other), (one, other)
