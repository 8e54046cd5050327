"""Forms of the account pages (Flask-WTF: CSRF token and validation in one place)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from accounts.service import MIN_PASSWORD


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class SignupForm(FlaskForm):
    """A fan's own sign-up."""

    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1000)])
