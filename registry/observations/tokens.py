"""Access tokens shared between processes through the database, sealed with the app secret.

Several `govmedia` processes must use one WeChat token per AppID (a new token evicts the old one),
so the token is cached in the database. It is a secret, so it is stored encrypted (Fernet) under a
key derived from the AppSecret, which lives only in the secrets file: the database alone reveals
nothing, and a changed AppSecret simply makes the cached token unreadable (and refreshed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from registry.db.models import TokenCache
from registry.db.rawsql import marks


def _fernet(secret_material: str) -> Fernet:
    digest = hashlib.sha256(b"govmedia-token-cache\x00" + secret_material.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret_material: str, plaintext: str) -> str:
    """Encrypt a token under a key derived from the secret."""
    return _fernet(secret_material).encrypt(plaintext.encode("utf-8")).decode("ascii")


def unseal(secret_material: str, ciphertext: str) -> str | None:
    """Decrypt a sealed token; None when the key does not fit (secret changed) or data is bad."""
    try:
        return _fernet(secret_material).decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None


async def cached_token(key: str, secret_material: str, now: dt.datetime, margin: dt.timedelta) -> str | None:
    """A cached token still valid for at least ``margin``, or None."""
    row = await TokenCache.get_or_none(key=key)
    if row is None or row.expires_at - margin <= now:
        return None
    return unseal(secret_material, row.ciphertext)


async def store_token(key: str, secret_material: str, token: str, expires_at: dt.datetime, now: dt.datetime) -> None:
    """Cache a token for every process (one upsert statement: a WeChat pass stores one per account)."""
    conn = TokenCache._meta.db
    m = marks(conn, 4)
    await conn.execute_query(
        f"INSERT INTO token_cache (key, ciphertext, expires_at, refreshed_at) VALUES ({', '.join(m)}) "
        "ON CONFLICT (key) DO UPDATE SET ciphertext = excluded.ciphertext, expires_at = excluded.expires_at, "
        "refreshed_at = excluded.refreshed_at", [key, seal(secret_material, token), expires_at, now])


async def drop_token(key: str) -> None:
    """Forget a token the platform rejected."""
    await TokenCache.filter(key=key).delete()
