"""Password hashing (argon2id, argon2-cffi's current defaults) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 256
#: Checked against when the user does not exist, so a missing user costs the same time as a wrong password.
_DUMMY = _HASHER.hash("govmedia-no-such-user")


def hash_password(password: str) -> str:
    """The argon2 hash of a password."""
    return _HASHER.hash(password)


def password_problem(password: str) -> tuple[str, str] | None:
    """Why a new password is refused (zh, en), or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符", f"a password has at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 个字符", f"a password has at most {MAX_LENGTH} characters"
    if password.strip() != password or any(ord(c) < 32 for c in password):
        return "密码首尾不能有空白，不能含控制字符", "no leading/trailing blanks or control characters in a password"
    return None


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (None: no such user, still spending the time)."""
    try:
        return _HASHER.verify(stored or _DUMMY, password[:MAX_LENGTH]) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash uses weaker parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return False
