"""Signed links in a digest mail: one-click unsubscribe and "Ask about this paper".

A link names the address (base64url) and carries an HMAC of it under SMTP_LINK_SECRET, so a
link cannot be forged for another address and needs no stored token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import quote

UNSUBSCRIBE_PATH = "/email/unsubscribe/{address}/{signature}"
ASK_PATH = "/email/ask/{address}/{signature}"


def signature(secret: str, purpose: str, address: str) -> str:
    """The link signature of `address` for `purpose` ("unsubscribe" or "ask")."""
    mac = hmac.new(secret.encode(), f"{purpose}:{address}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def address_token(address: str) -> str:
    """The address as it appears in a link."""
    return base64.urlsafe_b64encode(address.encode()).decode().rstrip("=")


def verified_address(secret: str, purpose: str, token: str, signed: str) -> str | None:
    """The address a link names, when its signature is right; else None."""
    try:
        address = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    expected = signature(secret, purpose, address)
    return address if hmac.compare_digest(expected, signed) else None


def unsubscribe_url(base: str, secret: str, address: str) -> str:
    """The one-click unsubscribe URL of an address."""
    path = UNSUBSCRIBE_PATH.format(address=address_token(address),
                                   signature=signature(secret, "unsubscribe", address))  # fmt: skip
    return base.rstrip("/") + path


def ask_url(base: str, secret: str, address: str, paper_key: str) -> str:
    """The "Ask about this paper" page of a paper in an address's digest."""
    path = ASK_PATH.format(address=address_token(address),
                           signature=signature(secret, "ask", address))  # fmt: skip
    return f"{base.rstrip('/')}{path}?paper={quote(paper_key, safe='')}"
