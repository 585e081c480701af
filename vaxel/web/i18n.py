"""Swedish first, English available: one dictionary per language, keys in English."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "app_name": "vaxel",
        "skip_to_content": "Hoppa till innehållet",
        "login": "Logga in",
        "logout": "Logga ut",
        "username": "Användarnamn",
        "password": "Lösenord",
        "login_failed": "Fel användarnamn eller lösenord.",
        "home": "Start",
        "welcome": "Välkommen",
        "language_other": "In English",
        "my_phone": "Min telefon",
        "directory": "Katalog",
        "reports": "Rapporter",
    },
    "en": {
        "app_name": "vaxel",
        "skip_to_content": "Skip to content",
        "login": "Log in",
        "logout": "Log out",
        "username": "Username",
        "password": "Password",
        "login_failed": "Wrong username or password.",
        "home": "Home",
        "welcome": "Welcome",
        "language_other": "På svenska",
        "my_phone": "My phone",
        "directory": "Directory",
        "reports": "Reports",
    },
}


def register(lang: str, texts: dict[str, str]) -> None:
    """Packages add their own page texts at import time."""
    TEXTS.setdefault(lang, {}).update(texts)


def language_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("vaxel_lang") or "sv"
    return lang if lang in TEXTS else "sv"


def translator(lang: str) -> Callable[[str], str]:
    def t(key: str) -> str:
        return TEXTS.get(lang, {}).get(key) or TEXTS["sv"].get(key) or key

    return t
