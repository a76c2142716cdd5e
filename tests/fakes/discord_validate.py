"""The fake Discord's message rules: Discord's limits, refused as Discord refuses them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import json_response

MAX_CONTENT, MAX_EMBEDS, MAX_EMBED_TOTAL = 2000, 10, 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
MAX_ROWS, MAX_PER_ROW, MAX_CUSTOM_ID, MAX_LABEL, MAX_NONCE = 5, 5, 100, 80, 25


def form_error(path: str, code: str, text: str) -> web.Response:
    """A 400 Invalid Form Body naming the field."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": text}]}
    for key in reversed(path.split(".")):
        errors = {key: errors}
    return json_response(
        {"code": 50035, "errors": errors, "message": "Invalid Form Body"}, status=400
    )


def invalid_message(body: Any, *, edit: bool = False) -> web.Response | None:
    """Discord's answer to a message payload it refuses, or None when it is acceptable."""
    if not isinstance(body, dict):
        return form_error("_", "DICT_TYPE_CONVERT", "Only dictionaries may be used")
    content = body.get("content")
    if content is not None and len(str(content)) > MAX_CONTENT:
        return form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    if len(str(body.get("nonce") or "")) > MAX_NONCE:
        return form_error("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    problem = _embeds(body.get("embeds") or []) or _components(body.get("components") or [])
    if problem is not None:
        return problem
    shown = content or body.get("embeds") or body.get("components") or body.get("attachments")
    if not edit and not shown:
        return json_response({"code": 50006, "message": "Cannot send an empty message"},
                                 status=400)  # fmt: skip
    return None


def _embeds(embeds: list[Any]) -> web.Response | None:
    if len(embeds) > MAX_EMBEDS:
        return form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for n, embed in enumerate(embeds):
        for key, limit in EMBED_LIMITS.items():
            if len(str(embed.get(key) or "")) > limit:
                return form_error(f"embeds.{n}.{key}", "BASE_TYPE_MAX_LENGTH",
                                  f"Must be {limit} or fewer in length.")  # fmt: skip
        footer = str((embed.get("footer") or {}).get("text") or "")
        if len(footer) > 2048:
            return form_error(f"embeds.{n}.footer.text", "BASE_TYPE_MAX_LENGTH", "Too long")
        total += sum(len(str(embed.get(k) or "")) for k in EMBED_LIMITS) + len(footer)
    if total > MAX_EMBED_TOTAL:
        return form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    return None


def _components(rows: list[Any]) -> web.Response | None:
    if len(rows) > MAX_ROWS:
        return form_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for r, row in enumerate(rows):
        buttons = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(buttons) <= MAX_PER_ROW:
            return form_error(f"components.{r}", "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Bad row")
        for b, button in enumerate(buttons):
            where = f"components.{r}.components.{b}"
            custom = str(button.get("custom_id") or "")
            if button.get("type") != 2 or button.get("style") not in (1, 2, 3, 4):
                return form_error(where, "COMPONENT_TYPE_INVALID", "Not a button")
            if not 1 <= len(custom) <= MAX_CUSTOM_ID:
                return form_error(f"{where}.custom_id", "BASE_TYPE_BAD_LENGTH", "1 to 100")
            if len(str(button.get("label") or "")) > MAX_LABEL:
                return form_error(f"{where}.label", "BASE_TYPE_MAX_LENGTH", "80 or fewer")
            if custom in seen:
                return form_error(
                    f"{where}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Duplicate"
                )
            seen.add(custom)
    return None
