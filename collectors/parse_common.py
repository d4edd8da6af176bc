"""Strict field access and text helpers shared by the platform parsers."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta, timezone

from collectors.errors import parse_error

Obj = dict[str, object]

_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
_ISO_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Weibo's "%a %b %d %H:%M:%S %z %Y", matched by hand: strptime's %a/%b follow the process locale
# and would fail under zh_CN.
_WEIBO_TIME_RE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
TITLE_MAX = 120


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def decode_json(raw: bytes | str, where: str) -> object:
    """Decode a JSON body, turning syntax errors into parse errors."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise parse_error(f"{where}: body is not JSON ({exc.__class__.__name__})") from None


def as_obj(value: object, where: str) -> Obj:
    """Return value as a JSON object or raise a parse error naming `where`."""
    if not isinstance(value, dict):
        raise parse_error(f"{where}: expected object, got {_type_name(value)}")
    return value


def as_list(value: object, where: str) -> list[object]:
    """Return value as a JSON array or raise a parse error naming `where`."""
    if not isinstance(value, list):
        raise parse_error(f"{where}: expected array, got {_type_name(value)}")
    return value


def _req(obj: Obj, key: str, where: str) -> object:
    if key not in obj:
        raise parse_error(f"{where}.{key}: missing")
    return obj[key]


def _check_str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise parse_error(f"{where}: expected string, got {_type_name(value)}")
    return value


def _check_int(value: object, where: str) -> int:
    # bool is an int subclass; a true/false where a count belongs is a broken payload.
    if not isinstance(value, int) or isinstance(value, bool):
        raise parse_error(f"{where}: expected integer, got {_type_name(value)}")
    return value


def req_obj(obj: Obj, key: str, where: str) -> Obj:
    """Return a required object field."""
    return as_obj(_req(obj, key, where), f"{where}.{key}")


def req_list(obj: Obj, key: str, where: str) -> list[object]:
    """Return a required array field."""
    return as_list(_req(obj, key, where), f"{where}.{key}")


def req_str(obj: Obj, key: str, where: str) -> str:
    """Return a required string field."""
    return _check_str(_req(obj, key, where), f"{where}.{key}")


def opt_str(obj: Obj, key: str, where: str) -> str | None:
    """Return an optional string field; absent or null gives None."""
    value = obj.get(key)
    return None if value is None else _check_str(value, f"{where}.{key}")


def req_int(obj: Obj, key: str, where: str) -> int:
    """Return a required integer field (booleans rejected)."""
    return _check_int(_req(obj, key, where), f"{where}.{key}")


def opt_int(obj: Obj, key: str, where: str) -> int | None:
    """Return an optional integer field; absent or null gives None."""
    value = obj.get(key)
    return None if value is None else _check_int(value, f"{where}.{key}")


def get_bool(obj: Obj, key: str, where: str) -> bool | None:
    """Return an optional boolean field."""
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise parse_error(f"{where}.{key}: expected boolean, got {_type_name(value)}")


def get_id(obj: Obj, keys: tuple[str, ...], where: str) -> str:
    """Return the first present id among `keys` as a string (int64 ids arrive as numbers or strings)."""
    for key in keys:
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            if not value:
                raise parse_error(f"{where}.{key}: empty id")
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise parse_error(f"{where}.{key}: expected id string or integer, got {_type_name(value)}")
    raise parse_error(f"{where}: missing id (looked for {', '.join(keys)})")


def iso_day(obj: Obj, key: str, where: str) -> date:
    """Return a `YYYY-MM-DD` field as a date (stricter than date.fromisoformat, which takes `YYYYMMDD`)."""
    text = req_str(obj, key, where)
    if _ISO_DAY_RE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise parse_error(f"{where}.{key}: expected YYYY-MM-DD, got {text!r}")


def weibo_time(text: str) -> datetime | None:
    """Parse Weibo's `Tue May 31 17:46:55 +0800 2011`; None if the text has another shape."""
    m = _WEIBO_TIME_RE.fullmatch(text.strip())
    if m is None:
        return None
    mon, day, hh, mm, ss, sign, oh, om, year = m.groups()
    if mon not in _MONTHS:
        return None
    offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    try:
        return datetime(int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss), tzinfo=timezone(offset))
    except ValueError:
        return None


def clean_title(text: str) -> str:
    """Plain one-line title from HTML-ish post text: tags dropped, entities decoded, length capped."""
    plain = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text))).strip()
    return plain if len(plain) <= TITLE_MAX else plain[: TITLE_MAX - 1] + "…"


#: Most characters of a post's text kept for the content check (a long article is cut, and then counts as partial).
TEXT_MAX = 20_000
_BLOCK_RE = re.compile(r"(?i)<\s*(?:br|/p|/div|/section|/li|/h[1-6]|/tr)\b[^>]*>")
_LINE_SPACE_RE = re.compile(r"[ \t\u3000\xa0]+")


def post_text(title: str, body: str, partial: bool) -> tuple[str | None, str | None]:
    """(text, coverage) of a post for the content check: title and plain body, capped at TEXT_MAX.

    ``partial`` when the body is only a part of the post (digest, summary, folded text); a body cut at
    TEXT_MAX is partial too. An empty body gives (None, None): only the title is known.
    """
    plain = html.unescape(_TAG_RE.sub(" ", _BLOCK_RE.sub("\n", body)))
    lines = [_LINE_SPACE_RE.sub(" ", line).strip() for line in plain.splitlines()]
    text = "\n".join(line for line in lines if line)
    if not text:
        return None, None
    if title and not text.startswith(title):
        text = f"{title}\n{text}"
    if len(text) > TEXT_MAX:
        return text[:TEXT_MAX], "digest"
    return text, "digest" if partial else "full"
