"""Web tests: pages through the test client, and helpers to read them."""

import html
import json
import re

_INLINE_TAGS = re.compile(r"</?(a|abbr|del|em|ins|mark|span|strong|time)\b[^>]*>")
_ANY_TAG = re.compile(r"<[^>]+>")
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def page_text(markup: str) -> str:
    """The text a reader sees: scripts and tags removed, entities decoded, spaces collapsed."""
    text = re.sub(r"<script\b.*?</script>", " ", markup, flags=re.S)
    text = _ANY_TAG.sub(" ", _INLINE_TAGS.sub("", text))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def json_ld(markup: str) -> dict:
    """The page's one schema.org JSON-LD block, parsed."""
    blocks = _JSON_LD.findall(markup)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])
