"""Output language: Simplified Chinese by default, English with ``--lang en``.

Strings stay beside the code that uses them as ``tr("中文", "English")`` pairs, so a message and its
translation are edited together.
"""

from __future__ import annotations

from contextvars import ContextVar

LANGS = ("zh", "en")
_lang: ContextVar[str] = ContextVar("govmedia_lang", default="zh")


def set_lang(lang: str) -> None:
    """Choose the output language for this context."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    _lang.set(lang)


def get_lang() -> str:
    """The current output language."""
    return _lang.get()


def tr(zh: str, en: str) -> str:
    """Pick the Chinese or English text for the current language."""
    return en if _lang.get() == "en" else zh
