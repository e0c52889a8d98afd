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


_CLIENT_PANELS: list[tuple[int, Callable, bool]] = []


def client_panel(order: int = 50, *, side: bool = False):
    """Register a function (viewer, client) -> html for the client page (/clients/<id>).

    The page is shown to the client themself, their therapists and the owner; panels
    that are staff-only check `viewer.is_staff` and return None otherwise. `side` panels go
    in the narrower second column on a wide screen. Panels do not commit: the page commits
    their audit entries once every panel is drawn.
    """

    def decorator(render):
        _CLIENT_PANELS.append((order, render, side))
        return render

    return decorator


def _render(registry, viewer: User, client) -> tuple[list[Markup], list[Markup]]:
    main, side = [], []
    for _order, render, in_side in sorted(registry, key=lambda item: item[0]):
        html = render(viewer, client)
        if html:
            # Our own autoescaped templates.
            (side if in_side else main).append(Markup(html))  # noqa: S704
    return main, side


def client_panels_for(viewer: User, client) -> list[Markup]:
    main, side = _render(_CLIENT_PANELS, viewer, client)
    return main + side


def client_panel_columns(viewer: User, client) -> tuple[list[Markup], list[Markup]]:
    """The client page's panels as (main column, side column)."""
    return _render(_CLIENT_PANELS, viewer, client)


_OWN_RECORD_PANELS: list[tuple[int, Callable, bool]] = []


def own_record_panel(order: int = 50, *, side: bool = False):
    """Register a function (viewer, client) -> html for the client's own record ("My record").

    That page speaks to the client ("your appointments"); staff see /clients/<id> instead.
    The same function may also be a `client_panel` when its template reads well to both.
    """

    def decorator(render):
        _OWN_RECORD_PANELS.append((order, render, side))
        return render

    return decorator


def own_record_columns(user: User) -> tuple[list[Markup], list[Markup]]:
    """The client's own record as (main column, side column)."""
    return _render(_OWN_RECORD_PANELS, user, user.client)
