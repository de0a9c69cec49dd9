"""Encryption of the national id at rest (AES-GCM) and its keyed hash for lookup."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app


def _key() -> bytes:
    return base64.b64decode(current_app.config["TIK_DATA_KEY"])


def encrypt(plain: str) -> bytes:
    """Nonce + ciphertext; the same text encrypts differently each time."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_key()).encrypt(nonce, plain.encode(), b"tik-nin")


def decrypt(blob: bytes) -> str:
    return AESGCM(_key()).decrypt(blob[:12], blob[12:], b"tik-nin").decode()


def lookup_hash(plain: str) -> str:
    """A keyed hash: finds a child by national id without the id being readable in the database."""
    # The label separates this key from the encryption key; it is part of the stored format (changing it
    # would orphan every stored hash: tests/concerns/test_nin_rules.py holds a fixed value).
    lookup_key = hashlib.sha256(b"tik-lookup" + _key()).digest()
    return hmac.new(lookup_key, plain.encode(), hashlib.sha256).hexdigest()
