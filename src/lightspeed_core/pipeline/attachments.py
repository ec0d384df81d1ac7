r"""Attachments: validation (contract 1.3) and how they reach the model.

Text attachments are appended to the question as ``\n\n[Attachment: <type>]\\n<content>``;
images become ``input_image`` parts with a data URL.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from lightspeed_core.errors import UnprocessableError
from lightspeed_core.schemas.query import Attachment

ATTACHMENT_TYPES = frozenset(
    {
        "alert",
        "api object",
        "configuration",
        "error message",
        "event",
        "image",
        "log",
        "stack trace",
    }
)
CONTENT_TYPES = frozenset(
    {
        "text/plain",
        "application/json",
        "application/yaml",
        "application/xml",
        "image/jpeg",
        "image/png",
    }
)
MAX_IMAGE_BYTES = 100 * 1024 * 1024
_MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}


def _invalid(cause: str) -> UnprocessableError:
    return UnprocessableError("Invalid attribute value", cause)


def _set(values: frozenset[str]) -> str:
    return "{" + ", ".join(f"'{v}'" for v in sorted(values)) + "}"


def _check_image(attachment: Attachment) -> None:
    if len(attachment.content) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise _invalid(f"Image attachment is larger than {MAX_IMAGE_BYTES} bytes")
    try:
        data = base64.b64decode(attachment.content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid("Invalid base64 content for image attachment") from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise _invalid(f"Image attachment is larger than {MAX_IMAGE_BYTES} bytes")
    if not data.startswith(_MAGIC[attachment.content_type]):
        raise _invalid("invalid image data")


def validate_attachments(attachments: Sequence[Attachment]) -> None:
    """Raise 422 ``Invalid attribute value`` for the first invalid attachment."""
    for attachment in attachments:
        if attachment.attachment_type not in ATTACHMENT_TYPES:
            raise _invalid(
                f"Invalid attachment type {attachment.attachment_type}: must be one of "
                f"{_set(ATTACHMENT_TYPES)}"
            )
        if attachment.content_type not in CONTENT_TYPES:
            raise _invalid(
                f"Invalid attachment content type {attachment.content_type}: must be one of "
                f"{_set(CONTENT_TYPES)}"
            )
        is_image = attachment.attachment_type == "image"
        if is_image != attachment.content_type.startswith("image/"):
            raise _invalid("attachment_type and content_type are inconsistent")
        if is_image:
            _check_image(attachment)


def user_content(question: str, attachments: Sequence[Attachment]) -> str | list[dict[str, Any]]:
    """The user message content: the question, text attachments inlined, images as parts."""
    text = question + "".join(
        f"\n\n[Attachment: {a.attachment_type}]\n{a.content}"
        for a in attachments
        if a.attachment_type != "image"
    )
    images = [a for a in attachments if a.attachment_type == "image"]
    if not images:
        return text
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": text}]
    parts.extend(
        {"type": "input_image", "image_url": f"data:{a.content_type};base64,{a.content}"}
        for a in images
    )
    return parts
