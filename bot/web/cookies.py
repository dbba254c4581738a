"""The staff web's cookies, set and read in one place (ASVS 4.0.3 V3.4).

Every one is HttpOnly, SameSite=Strict and on Path=/. Where they are Secure (behind TLS:
`WebSettings.secure_cookies`), their names take the `__Host-` prefix (V3.4.4): a browser
then accepts them only from this exact origin over https, with Path=/ and no Domain, so
a sibling subdomain cannot plant a session or a login-form token (cookie tossing). On
plain http to localhost (`demo`, tests) browsers refuse prefixed names without Secure,
so the names stay bare there. A cookie is read only under the name that applies: a bare
`sv_staff` sent to an https deployment is ignored, or the prefix would protect nothing.

The login form's token and the pending second step used to live on Path=/login; a path
is no security boundary, and `__Host-` needs Path=/, so they moved there too.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.state import WebSettings

__all__ = ["PREFIX", "cookie_name", "drop_cookie", "put_cookie", "read_cookie"]

PREFIX = "__Host-"


def cookie_name(settings: WebSettings, base: str) -> str:
    return PREFIX + base if settings.secure_cookies else base


def put_cookie(
    response: web.StreamResponse,
    settings: WebSettings,
    base: str,
    value: str,
    *,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        cookie_name(settings, base), value, httponly=True, samesite="Strict",
        secure=settings.secure_cookies, path="/", max_age=max_age,
    )  # fmt: skip


def drop_cookie(response: web.StreamResponse, settings: WebSettings, base: str) -> None:
    # Deleting a __Host- cookie needs the same attributes, Secure included.
    response.del_cookie(
        cookie_name(settings, base), path="/", secure=settings.secure_cookies,
        httponly=True, samesite="Strict",
    )  # fmt: skip


def read_cookie(request: web.Request, settings: WebSettings, base: str) -> str | None:
    return request.cookies.get(cookie_name(settings, base))
