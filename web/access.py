"""Who may open what: every view is either marked public or needs a logged-in role.

`login_required_by_default` makes "requires login" the default for the whole app, so a
new route cannot be left open by forgetting a decorator; `public` opts a view out, and
`role_required` narrows a view to roles. tests/web/test_access.py walks the URL map.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from accounts.roles import Role, allows
from accounts.service import Account, load_account

F = TypeVar("F", bound=Callable[..., Any])
login_manager = LoginManager()


class SessionUser(UserMixin):
    """The logged-in account as Flask-Login sees it."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.id = str(account.id)

    @property
    def role(self) -> str:
        """The account's role."""
        return self.account.role


def public(view: F) -> F:
    """Mark a view as open to everyone."""
    view.public = True  # type: ignore[attr-defined]
    return view


def api_key_auth(view: F) -> F:
    """Mark a view as authenticated by its own means (a partner key), not by a login."""
    view.api_key_auth = True  # type: ignore[attr-defined]
    return view


def role_required(*roles: Role) -> Callable[[F], F]:
    """Only logged-in users holding one of `roles` (or admin) may open the view."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not allows(current_user.role, roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.roles = roles  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def init_app(app: Flask) -> None:
    """Set up Flask-Login and the login-by-default guard."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # type: ignore[assignment]
    login_manager.user_loader(_load_user)
    app.before_request(_login_required_by_default)


def _load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    with current_app.extensions["db_sessions"]() as session:
        account = load_account(session, int(user_id))
    return SessionUser(account) if account else None


def _login_required_by_default() -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint == "static":
        return None
    if getattr(view, "public", False) or getattr(view, "api_key_auth", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def safe_path(target: str | None, fallback: str) -> str:
    """`target` when it is a path of this site, else `fallback` (no open redirects)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return fallback


def login_url() -> str:
    """Where anonymous visitors are sent."""
    return url_for("auth.login")


def redirect_to(endpoint: str) -> Any:
    """A redirect to an endpoint of this app."""
    return redirect(url_for(endpoint))
