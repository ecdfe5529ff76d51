"""Images uploaded by staff: checked by content, stored under random names."""

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer

from eventsvc.private_files import private_folder, write_private

_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}


class UploadError(ValueError):
    """An upload that is refused, with a message for the user."""


def image_suffix(head: bytes) -> str | None:
    """Return the file suffix for PNG, JPEG, GIF or WebP content, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    for signature, suffix in _SIGNATURES.items():
        if head.startswith(signature):
            return suffix
    return None


def store_image(stream, upload_dir: str, max_bytes: int) -> str:
    """Check an uploaded image and store it; return its new file name."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(
            gettext("The image is larger than %(size)s MB", size=max_bytes // (1024 * 1024))
        )
    suffix = image_suffix(data[:16])
    if suffix is None:
        raise UploadError(gettext("Upload a PNG, JPEG, GIF or WebP image"))
    name = secrets.token_hex(16) + suffix
    write_private(private_folder(upload_dir) / name, data)
    return name


def store_uploaded_image(stream) -> str:
    """Store an uploaded image in the app's UPLOAD_DIR, within MAX_UPLOAD_BYTES."""
    config = current_app.config
    return store_image(stream, config["UPLOAD_DIR"], config["MAX_UPLOAD_BYTES"])


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="chosen-image")


def image_reference(name: str) -> str:
    """A signed reference to a stored upload, for a form to carry until it is saved."""
    return _signer().dumps(name)


def referenced_image(reference: str | None) -> str | None:
    """The stored upload a form carried, or None for a forged, stale or empty reference."""
    if not reference:
        return None
    try:
        name = _signer().loads(reference)
    except BadSignature:
        return None
    folder = Path(current_app.config["UPLOAD_DIR"])
    return name if isinstance(name, str) and (folder / name).is_file() else None
