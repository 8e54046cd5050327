"""connectors.yaml: which accounts, pages, posts and hashtags to watch, how often, and the platform policy.

It sits beside campaigns.yaml and is checked the same way: every mistake is
reported with its line and column, and nothing is loaded while one remains.
Credentials are never in this file; they come from the environment
(`credentials()`), and the file is rejected if it holds something named like one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from engine.events import EVENT_TYPES, SOCIAL_TYPES
from engine.policy import ScoringPolicy
from engine.rules.checker import Checker, join
from engine.rules.errors import ConfigError
from engine.rules.yaml_source import parse_yaml

FILENAME = "connectors.yaml"
PLATFORMS = ("x", "facebook", "mastodon")
ENV = {
    "x": "FANFARE_X_BEARER_TOKEN",
    "facebook": "FANFARE_FACEBOOK_PAGE_TOKEN",
    "mastodon": "FANFARE_MASTODON_ACCESS_TOKEN",
}
# Shipped defaults, following the platforms' own rules (docs/connectors.md, "Platform rules").
DEFAULT_EARN = {
    "x": frozenset({"quote", "reply", "mention", "share", "retweet"}),
    "facebook": frozenset({"comment", "mention"}),  # Facebook forbids rewarding likes and shares of a Page
    # Favourites (`like`) earn nothing: a one-click signal that spreads nothing and invites farming.
    "mastodon": frozenset({"quote", "reply", "mention", "share"}),
}
DEFAULT_RISKY = {"x": frozenset({"retweet"})}  # X calls repost-gated giveaways risky
X_PRICES = {"post": Decimal("0.005"), "user": Decimal("0.010")}
SECRET_WORDS = ("token", "secret", "password", "key")


@dataclass(frozen=True, slots=True)
class XSettings:
    """What to watch on X."""

    brand_id: str
    brand_handle: str
    posts: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    tracked_links: str | None = None
    every: dict[str, timedelta] = field(default_factory=dict)
    monthly_budget_usd: Decimal = Decimal("25")


@dataclass(frozen=True, slots=True)
class FacebookSettings:
    """What to watch on Facebook."""

    page_id: str
    page_name: str
    posts: tuple[str, ...] = ()
    every: dict[str, timedelta] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MastodonSettings:
    """What to watch on Mastodon: the brand account on its instance."""

    instance: str  # "https://mastodon.example"
    account_id: str  # the brand's account id on that instance
    acct: str  # its username there ("acmecoffee")
    tracked_links: str | None = None
    every: dict[str, timedelta] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlatformPolicy:
    """Which event types may earn on one platform, and which are allowed but flagged risky."""

    earn: frozenset[str]
    risky: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ConnectorSettings:
    """The whole file."""

    x: XSettings | None = None
    facebook: FacebookSettings | None = None
    mastodon: MastodonSettings | None = None
    policy: dict[str, PlatformPolicy] = field(default_factory=dict)
    require_link: bool = True

    def scoring_policy(self) -> ScoringPolicy:
        """The engine's view of the policy."""
        return ScoringPolicy(self.require_link, {p: pol.earn for p, pol in self.policy.items()})


DEFAULT_EVERY = {
    "mentions": timedelta(minutes=2),
    "search": timedelta(minutes=5),
    "posts": timedelta(minutes=2),
    "deletions": timedelta(hours=6),
    "tagged": timedelta(minutes=15),
}


def credentials(platform: str) -> str | None:
    """The platform's token from the environment (never from a file)."""
    return os.environ.get(ENV[platform]) or None


def load_settings(path: str | Path) -> tuple[ConnectorSettings | None, list[ConfigError]]:
    """Read and check connectors.yaml."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [
            ConfigError(1, 1, "", f"cannot read the file: {exc}", "a readable UTF-8 file", path.name)
        ]
    return load_settings_text(text, path.name)


def load_settings_text(
    text: str, filename: str = FILENAME
) -> tuple[ConnectorSettings | None, list[ConfigError]]:
    """Check YAML text; settings only when there is no error at all."""
    doc, errors = parse_yaml(text, filename)
    if errors:
        return None, errors
    check = Checker(filename)
    holder = CommentedMap({"": doc})
    top = check.mapping(holder, "", "", doc, ("version", *PLATFORMS, "policy", "consent"), ("version",))
    if top is None:
        return None, check.errors
    if "version" in top and top["version"] != 1:
        check.error(top, "version", "version", f"unknown version {top['version']!r}", "1")
    _no_secrets(check, top, "")
    settings = ConnectorSettings(
        x=_x(check, top["x"]) if top.get("x") is not None else None,
        facebook=_facebook(check, top["facebook"]) if top.get("facebook") is not None else None,
        mastodon=_mastodon(check, top["mastodon"]) if top.get("mastodon") is not None else None,
        policy=_policy(check, top),
        require_link=_consent(check, top),
    )
    errors = sorted(check.errors)
    return (settings if not errors else None), errors


def _no_secrets(check: Checker, node: Any, path: str) -> None:
    """Credentials belong in the environment; a key that looks like one is an error."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if any(word in str(key).lower() for word in SECRET_WORDS):
                check.error(
                    node,
                    key,
                    join(path, str(key)),
                    "credentials must not be in this file",
                    "set them in the environment (" + ", ".join(ENV.values()) + ")",
                    of_key=True,
                )
            _no_secrets(check, value, join(path, str(key)))


def _texts(check: Checker, node: Any, key: str, path: str) -> tuple[str, ...]:
    if key not in node:
        return ()
    items = check.seq(node, key, join(path, key)) or []
    out = []
    for index, _ in enumerate(items):
        value = check.text(node[key], index, join(join(path, key), index))
        if value is not None:
            out.append(value.lstrip("#@"))
    return tuple(out)


def _every(check: Checker, node: Any, path: str) -> dict[str, timedelta]:
    every = dict(DEFAULT_EVERY)
    if "every" not in node:
        return every
    block = check.mapping(node, "every", join(path, "every"), node["every"], DEFAULT_EVERY)
    for key in block or {}:
        if key in DEFAULT_EVERY:
            value = check.duration(block, key, join(join(path, "every"), key))
            if value is not None:
                every[key] = value
    if every["deletions"] > timedelta(hours=24) and block is not None and "deletions" in block:
        check.error(
            block,
            "deletions",
            join(path, "every.deletions"),
            "deleted posts must be removed within 24 hours",
            "at most 24h",
        )
    return every


def _account(
    check: Checker, node: Any, key: str, path: str, fields: tuple[str, str]
) -> tuple[str, str] | None:
    block = check.mapping(node, key, join(path, key), node.get(key), fields, fields) if key in node else None
    if key not in node:
        check.error(node, None, path, f"missing key '{key}'", f"'{key}' is required")
    if block is None or any(f not in block for f in fields):
        return None
    first, second = (check.text(block, f, join(join(path, key), f)) for f in fields)
    return (first, second) if first and second else None


def _x(check: Checker, node: Any) -> XSettings | None:
    keys = ("brand", "posts", "hashtags", "links", "tracked_links", "every", "monthly_budget_usd")
    block = check.mapping(CommentedMap({"x": node}), "x", "x", node, keys, ("brand",))
    if block is None:
        return None
    brand = _account(check, block, "brand", "x", ("id", "handle"))
    budget = (
        check.number(block, "monthly_budget_usd", "x.monthly_budget_usd")
        if "monthly_budget_usd" in block
        else Decimal("25")
    )
    tracked = check.text(block, "tracked_links", "x.tracked_links") if "tracked_links" in block else None
    every = _every(check, block, "x")
    if brand is None or budget is None:
        return None
    return XSettings(
        brand[0],
        brand[1].lstrip("@"),
        _texts(check, block, "posts", "x"),
        _texts(check, block, "hashtags", "x"),
        _texts(check, block, "links", "x"),
        tracked,
        every,
        budget,
    )


def _facebook(check: Checker, node: Any) -> FacebookSettings | None:
    block = check.mapping(
        CommentedMap({"facebook": node}), "facebook", "facebook", node, ("page", "posts", "every"), ("page",)
    )
    if block is None:
        return None
    page = _account(check, block, "page", "facebook", ("id", "name"))
    every = _every(check, block, "facebook")
    if page is None:
        return None
    return FacebookSettings(page[0], page[1], _texts(check, block, "posts", "facebook"), every)


def _mastodon(check: Checker, node: Any) -> MastodonSettings | None:
    keys = ("instance", "brand", "tracked_links", "every")
    block = check.mapping(
        CommentedMap({"mastodon": node}), "mastodon", "mastodon", node, keys, ("instance", "brand")
    )
    if block is None:
        return None
    instance = check.text(block, "instance", "mastodon.instance") if "instance" in block else None
    if instance is not None and not instance.startswith("https://"):
        check.error(
            block,
            "instance",
            "mastodon.instance",
            f"{instance!r} is not an https URL",
            "https://your.instance",
        )
        instance = None
    brand = _account(check, block, "brand", "mastodon", ("id", "acct"))
    tracked = (
        check.text(block, "tracked_links", "mastodon.tracked_links") if "tracked_links" in block else None
    )
    every = _every(check, block, "mastodon")
    if instance is None or brand is None:
        return None
    return MastodonSettings(instance.rstrip("/"), brand[0], brand[1].lstrip("@"), tracked, every)


def _policy(check: Checker, top: Any) -> dict[str, PlatformPolicy]:
    policy = {p: PlatformPolicy(DEFAULT_EARN[p], DEFAULT_RISKY.get(p, frozenset())) for p in PLATFORMS}
    if "policy" not in top:
        return policy
    block = check.mapping(top, "policy", "policy", top["policy"], PLATFORMS) or {}
    for platform in (p for p in block if p in PLATFORMS):
        path = f"policy.{platform}"
        entry = check.mapping(block, platform, path, block[platform], ("earn", "risky"), ("earn",))
        if entry is None or "earn" not in entry:
            continue
        earn = _types(check, entry, "earn", path)
        risky = (
            _types(check, entry, "risky", path)
            if "risky" in entry
            else DEFAULT_RISKY.get(platform, frozenset())
        )
        if platform == "facebook" and earn & {"like", "share"}:
            check.error(
                entry,
                "earn",
                f"{path}.earn",
                "Facebook's platform policy forbids rewarding likes and shares of a Page",
                "comment and mention only",
            )
        policy[platform] = PlatformPolicy(earn, risky & earn)
    return policy


def _types(check: Checker, node: Any, key: str, path: str) -> frozenset[str]:
    names = _texts(check, node, key, path)
    for index, name in enumerate(names):
        if name not in SOCIAL_TYPES:
            check.error(
                node[key],
                index,
                f"{path}.{key}[{index}]",
                f"'{name}' is not a social event type",
                " | ".join(t for t in EVENT_TYPES if t in SOCIAL_TYPES),
            )
    return frozenset(n for n in names if n in SOCIAL_TYPES)


def _consent(check: Checker, top: Any) -> bool:
    if "consent" not in top:
        return True
    block = check.mapping(top, "consent", "consent", top["consent"], ("require_link",), ("require_link",))
    if block is None or "require_link" not in block:
        return True
    value = block["require_link"]
    if value is not True:
        check.error(
            block,
            "require_link",
            "consent.require_link",
            "only profiles whose owners linked them may be scored",
            "true",
        )
    return True
