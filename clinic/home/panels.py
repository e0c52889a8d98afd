"""What each role sees on its landing page and in its navigation.

Each part of the clinic registers its own panels and links from its views module, so the
home page grows with the features without knowing about them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup

from clinic.models import User


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    roles: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class Panel:
    render: Callable[[User], str | None]
    roles: tuple[str, ...]
    order: int


_NAV: list[NavLink] = []
_PANELS: list[Panel] = []


def nav_link(label: str, endpoint: str, *, roles: tuple[str, ...], order: int = 50) -> None:
    if not any(link.endpoint == endpoint for link in _NAV):
        _NAV.append(NavLink(label, endpoint, roles, order))


def dashboard_panel(*roles: str, order: int = 50):
    """Register a function that renders one panel of the landing page for `roles`."""

    def decorator(render):
        _PANELS.append(Panel(render, roles, order))
        return render

    return decorator


def nav_for(user: User) -> list[tuple[str, str]]:
    links = sorted((link for link in _NAV if user.role in link.roles), key=lambda link: link.order)
    return [(link.label, url_for(link.endpoint)) for link in links]


def panels_for(user: User) -> list[Markup]:
    rendered = []
    for panel in sorted((p for p in _PANELS if user.role in p.roles), key=lambda p: p.order):
        html = panel.render(user)
        if html:
            # Panels are rendered by our own autoescaped templates.
            rendered.append(Markup(html))  # noqa: S704
    return rendered


_CLIENT_PANELS: list[tuple[int, Callable]] = []


def client_panel(order: int = 50):
    """Register a function (viewer, client) -> html for the client page (/clients/<id>).

    The page is shown to the client themself, their therapists and the owner; panels
    that are staff-only check `viewer.is_staff` and return None otherwise.
    """

    def decorator(render):
        _CLIENT_PANELS.append((order, render))
        return render

    return decorator


def client_panels_for(viewer: User, client) -> list[Markup]:
    rendered = []
    for _order, render in sorted(_CLIENT_PANELS, key=lambda item: item[0]):
        html = render(viewer, client)
        if html:
            rendered.append(Markup(html))  # noqa: S704 (our own autoescaped templates)
    return rendered


_OWN_RECORD_PANELS: list[tuple[int, Callable]] = []


def own_record_panel(order: int = 50):
    """Register a function (viewer, client) -> html for the client's own record ("My record").

    That page speaks to the client ("your appointments"); staff see /clients/<id> instead.
    The same function may also be a `client_panel` when its template reads well to both.
    """

    def decorator(render):
        _OWN_RECORD_PANELS.append((order, render))
        return render

    return decorator


def own_record_panels_for(user: User) -> list[Markup]:
    rendered = []
    for _order, render in sorted(_OWN_RECORD_PANELS, key=lambda item: item[0]):
        html = render(user, user.client)
        if html:
            rendered.append(Markup(html))  # noqa: S704 (our own autoescaped templates)
    return rendered
