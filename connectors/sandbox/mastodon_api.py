"""Mastodon API routes of the sandbox (filled in with the Mastodon connector)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sandbox_mastodon", __name__)
