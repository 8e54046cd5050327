"""Load campaigns.yaml into a `CampaignSet`, or every error in it at once.

The whole file is checked before anything is returned: unknown keys, wrong types,
duplicate ids, unknown event types, badges on unknown boards, `ends` before
`starts`, timezones that do not exist. Callers keep the campaigns in force when
errors come back (see `engine.rules.registry`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap

from engine.events import RULE_TYPES
from engine.rules import model as m
from engine.rules.checker import Checker, describe, join, quote, to_decimal
from engine.rules.errors import ConfigError
from engine.rules.parts import read_badges, read_challenges, read_conditions, read_during, read_on
from engine.rules.yaml_source import parse_yaml
from monitoring.config import read_monitoring

SUPPORTED_VERSIONS = (1,)
TOP_KEYS = ("version", "timezone", "levels", "rewards", "campaigns", "monitoring")
CAMPAIGN_KEYS = (
    "id",
    "name",
    "brand",
    "starts",
    "ends",
    "timezone",
    "content",
    "rules",
    "boosts",
    "badges",
    "leaderboards",
    "challenges",
)
RULE_KEYS = ("id", "on", "if", "points", "max", "during")
BOOST_KEYS = ("factor", "starts", "ends", "during", "if")
UTC = ZoneInfo("UTC")


def load_campaigns(path: str | Path) -> tuple[m.CampaignSet | None, list[ConfigError]]:
    """Read and check a campaigns file; errors name it by its file name."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [
            ConfigError(1, 1, "", f"cannot read the file: {exc}", "a readable UTF-8 file", path.name)
        ]
    return load_campaigns_text(text, path.name)


def load_campaigns_text(
    text: str, filename: str = "campaigns.yaml"
) -> tuple[m.CampaignSet | None, list[ConfigError]]:
    """Check YAML text; a `CampaignSet` only when there is no error at all."""
    doc, errors = parse_yaml(text, filename)
    if errors:
        return None, errors
    check = Checker(filename)
    result = _read_file(check, doc)
    errors = sorted(check.errors)
    return (result if not errors else None), errors


def _read_file(check: Checker, doc: Any) -> m.CampaignSet | None:
    holder = CommentedMap({"": doc})
    top = check.mapping(holder, "", "", doc, TOP_KEYS, required=("version", "campaigns"))
    if top is None:
        return None
    version = _read_version(check, top)
    tz = check.timezone(top, "timezone", "timezone") if "timezone" in top else UTC
    levels = _read_levels(check, top) if "levels" in top else ()
    rewards = _read_rewards(check, top) if "rewards" in top else ()
    campaigns = _read_campaigns(check, top, tz or UTC) if "campaigns" in top else ()
    monitoring = top.get("monitoring") or {}
    if "monitoring" in top:
        read_monitoring(check, top)
    if not isinstance(monitoring, dict):
        monitoring = {}
    if version is None or tz is None:
        return None
    return m.CampaignSet(version, tz, campaigns, levels, rewards, _plain(monitoring))


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read_version(check: Checker, top: dict[str, Any]) -> int | None:
    if "version" not in top:
        return None
    version = top["version"]
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        check.error(
            top,
            "version",
            "version",
            f"unsupported version {quote(version)}",
            "one of " + ", ".join(map(str, SUPPORTED_VERSIONS)),
        )
        return None
    return int(version)


def _read_levels(check: Checker, top: dict[str, Any]) -> tuple[m.Level, ...]:
    items = check.seq(top, "levels", "levels") or []
    levels: list[m.Level] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(items):
        path = f"levels[{i}]"
        item = check.mapping(top["levels"], i, path, raw, ("name", "points"), ("name", "points"))
        if item is None or "name" not in item or "points" not in item:
            continue
        name = check.text(item, "name", join(path, "name"))
        points = check.integer(item, "points", join(path, "points"), minimum=0)
        if name in seen:
            check.error(
                item,
                "name",
                join(path, "name"),
                f"duplicate level '{name}'",
                f"names unique (first used at line {seen[name]})",
            )
        elif name is not None and points is not None:
            seen[name] = item.lc.line + 1
            levels.append(m.Level(name, points))
    return tuple(sorted(levels, key=lambda lvl: lvl.points))


def _read_rewards(check: Checker, top: dict[str, Any]) -> tuple[m.Reward, ...]:
    keys = ("id", "name", "cost", "stock", "per_fan", "tags", "description", "image", "partner")
    items = check.seq(top, "rewards", "rewards") or []
    rewards, seen = [], {}
    for i, raw in enumerate(items):
        path = f"rewards[{i}]"
        item = check.mapping(top["rewards"], i, path, raw, keys, ("id", "name", "cost"))
        if item is None or not {"id", "name", "cost"} <= set(item):
            continue
        rid = _unique_id(check, item, path, seen, "reward")
        name = check.text(item, "name", join(path, "name"))
        cost = check.integer(item, "cost", join(path, "cost"), minimum=0)
        stock = check.integer(item, "stock", join(path, "stock"), minimum=0) if "stock" in item else None
        per_fan = (
            check.integer(item, "per_fan", join(path, "per_fan"), minimum=1) if "per_fan" in item else None
        )
        tags = _strings(check, item, "tags", join(path, "tags")) if "tags" in item else ()
        partner = check.slug(item, "partner", join(path, "partner")) if "partner" in item else None
        if rid and name and cost is not None:
            rewards.append(m.Reward(rid, name, cost, stock, per_fan, tuple(tags), partner))
    return tuple(rewards)


def _unique_id(
    check: Checker, item: dict[str, Any], path: str, seen: dict[str, int], what: str
) -> str | None:
    ident = check.slug(item, "id", join(path, "id"))
    if ident is None:
        return None
    if ident in seen:
        check.error(
            item,
            "id",
            join(path, "id"),
            f"duplicate {what} id '{ident}'",
            f"ids unique (first used at line {seen[ident]})",
        )
        return None
    seen[ident] = item.lc.line + 1
    return ident


def _strings(check: Checker, parent: Any, key: str, path: str) -> list[str]:
    items = check.seq(parent, key, path, allow_scalar=True) or []
    out = []
    for i, value in enumerate(items):
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            out.append(str(value))
        else:
            where = parent[key] if not isinstance(parent[key], str) else None
            check.error(
                where if where is not None else parent,
                i if where is not None else key,
                f"{path}[{i}]",
                f"{describe(value)} is not a text",
                "a text",
            )
    return out


def _read_campaigns(check: Checker, top: dict[str, Any], tz: ZoneInfo) -> tuple[m.Campaign, ...]:
    items = check.seq(top, "campaigns", "campaigns") or []
    seen: dict[str, int] = {}
    campaigns = []
    for i, raw in enumerate(items):
        campaign = _read_campaign(check, top["campaigns"], i, raw, tz, seen)
        if campaign is not None:
            campaigns.append(campaign)
    return tuple(campaigns)


def _read_campaign(
    check: Checker, parent: Any, i: int, raw: Any, default_tz: ZoneInfo, seen: dict[str, int]
) -> m.Campaign | None:
    path = f"campaigns[{i}]"
    item = check.mapping(parent, i, path, raw, CAMPAIGN_KEYS, ("id",))
    if item is None:
        return None
    cid = _unique_id(check, item, path, seen, "campaign") if "id" in item else None
    name = check.text(item, "name", join(path, "name")) if "name" in item else cid
    tz = check.timezone(item, "timezone", join(path, "timezone")) if "timezone" in item else default_tz
    zone = tz or default_tz
    starts = check.moment(item, "starts", join(path, "starts"), zone, end=False) if "starts" in item else None
    ends = check.moment(item, "ends", join(path, "ends"), zone, end=True) if "ends" in item else None
    if starts and ends and ends < starts:
        check.error(
            item,
            "ends",
            join(path, "ends"),
            f"ends {item['ends']} is before starts {item['starts']}",
            "ends on or after starts",
        )
    content = _read_content(check, item, join(path, "content")) if "content" in item else None
    rules = _read_rules(check, item, path, zone) if "rules" in item else ()
    boosts = _read_boosts(check, item, path, zone) if "boosts" in item else ()
    boards = _read_leaderboards(check, item, path) if "leaderboards" in item else ()
    badges = read_badges(check, item, path, boards) if "badges" in item else ()
    challenges = read_challenges(check, item, path, zone) if "challenges" in item else ()
    brand = check.text(item, "brand", join(path, "brand")) if "brand" in item else None
    if cid is None or name is None or tz is None:
        return None
    index = {t: tuple(r for r in rules if r.on is None or t in r.on) for t in RULE_TYPES}
    index["retract"] = tuple(r for r in rules if r.on is not None and "retract" in r.on)
    return m.Campaign(
        cid, name, zone, brand, starts, ends, content, rules, boosts, badges, boards, challenges, index
    )


def _read_content(check: Checker, parent: Any, path: str) -> m.Content | None:
    item = check.mapping(
        parent, "content", path, parent["content"], ("hashtags", "mentions", "links", "posts")
    )
    if item is None:
        return None
    tags = _strings(check, item, "hashtags", join(path, "hashtags")) if "hashtags" in item else []
    names = _strings(check, item, "mentions", join(path, "mentions")) if "mentions" in item else []
    links = _strings(check, item, "links", join(path, "links")) if "links" in item else []
    posts = []
    for j, ref in enumerate(_strings(check, item, "posts", join(path, "posts")) if "posts" in item else []):
        platform, _, post_id = ref.partition(":")
        if platform and post_id:
            posts.append((platform, post_id))
        else:
            check.error(
                item["posts"],
                j,
                f"{path}.posts[{j}]",
                f"{quote(ref)} is not a post reference",
                "PLATFORM:POST_ID such as x:1460323737035677698",
            )
    return m.Content(
        hashtags=frozenset(t.lstrip("#").casefold() for t in tags),
        mentions=frozenset(n.lstrip("@").casefold() for n in names),
        links=tuple(links),
        posts=frozenset(posts),
    )


def _read_rules(check: Checker, campaign: Any, cpath: str, tz: ZoneInfo) -> tuple[m.Rule, ...]:
    items = check.seq(campaign, "rules", join(cpath, "rules")) or []
    rules, seen = [], {}
    for i, raw in enumerate(items):
        rule = _read_rule(check, campaign["rules"], i, raw, f"{cpath}.rules[{i}]", seen)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _read_rule(
    check: Checker, parent: Any, i: int, raw: Any, path: str, seen: dict[str, int]
) -> m.Rule | None:
    item = check.mapping(parent, i, path, raw, RULE_KEYS, ("id", "on", "points"))
    if item is None:
        return None
    rid = _unique_id(check, item, path, seen, "rule") if "id" in item else None
    on = read_on(check, item, path) if "on" in item else False
    points = _read_points(check, item, join(path, "points")) if "points" in item else None
    conditions = read_conditions(check, item, join(path, "if")) if "if" in item else ()
    during = read_during(check, item, join(path, "during")) if "during" in item else None
    cap = _read_cap(check, item, join(path, "max")) if "max" in item else None
    if rid is None or on is False or points is None or conditions is None or during is False or cap is False:
        return None
    return m.Rule(rid, on, points, conditions, during or None, cap or None)  # type: ignore[arg-type]


def _read_points(check: Checker, item: Any, path: str) -> int | m.PerAttr | None:
    value = item["points"]
    if isinstance(value, CommentedMap):
        spec = check.mapping(item, "points", path, value, ("per", "rate"), ("per", "rate"))
        if spec is None or not {"per", "rate"} <= set(spec):
            return None
        attr = check.text(spec, "per", join(path, "per"))
        rate = check.number(spec, "rate", join(path, "rate"))
        return m.PerAttr(attr, rate) if attr and rate is not None else None
    if isinstance(value, bool) or not isinstance(value, int):
        check.error(item, "points", path, f"{quote(value)} is not an integer", "an integer or {per, rate}")
        return None
    return int(value)


def _read_cap(check: Checker, item: Any, path: str) -> m.Cap | bool:
    spec = check.mapping(item, "max", path, item["max"], ("count", "points", "per"), ("per",))
    if spec is None or "per" not in spec:
        return False
    per = check.choice(spec, "per", join(path, "per"), m.PERIODS, "period")
    count = check.integer(spec, "count", join(path, "count"), minimum=0) if "count" in spec else None
    points = check.integer(spec, "points", join(path, "points"), minimum=0) if "points" in spec else None
    if "count" not in spec and "points" not in spec:
        check.error(
            item, "max", path, "a cap needs 'count' or 'points'", "{count: N, per: P} or {points: N, per: P}"
        )
        return False
    if per is None or ("count" in spec and count is None) or ("points" in spec and points is None):
        return False
    return m.Cap(per, count, points)


def _read_boosts(check: Checker, campaign: Any, cpath: str, tz: ZoneInfo) -> tuple[m.Boost, ...]:
    items = check.seq(campaign, "boosts", join(cpath, "boosts")) or []
    boosts = []
    for i, raw in enumerate(items):
        path = f"{cpath}.boosts[{i}]"
        item = check.mapping(campaign["boosts"], i, path, raw, BOOST_KEYS, ("factor",))
        if item is None or "factor" not in item:
            continue
        factor = check.number(item, "factor", join(path, "factor"))
        starts = (
            check.moment(item, "starts", join(path, "starts"), tz, end=False) if "starts" in item else None
        )
        ends = check.moment(item, "ends", join(path, "ends"), tz, end=True) if "ends" in item else None
        during = read_during(check, item, join(path, "during")) if "during" in item else None
        conditions = read_conditions(check, item, join(path, "if")) if "if" in item else ()
        if factor is not None and factor < 0:
            check.error(
                item, "factor", join(path, "factor"), f"{factor} is negative", "a factor of 0 or more"
            )
            continue
        if factor is not None and during is not False and conditions is not None:
            boosts.append(m.Boost(factor, starts, ends, during or None, conditions))
    return tuple(boosts)


def _read_leaderboards(check: Checker, campaign: Any, cpath: str) -> tuple[m.Leaderboard, ...]:
    items = check.seq(campaign, "leaderboards", join(cpath, "leaderboards")) or []
    boards, seen = [], {}
    for i, raw in enumerate(items):
        path = f"{cpath}.leaderboards[{i}]"
        item = check.mapping(campaign["leaderboards"], i, path, raw, ("id", "period", "name"), ("id",))
        if item is None or "id" not in item:
            continue
        bid = _unique_id(check, item, path, seen, "leaderboard")
        period = None
        if "period" in item:
            period = check.choice(item, "period", join(path, "period"), m.BOARD_PERIODS, "period")
            if period is None:
                continue
        if bid:
            boards.append(m.Leaderboard(bid, period))
    return tuple(boards)


__all__ = ["load_campaigns", "load_campaigns_text", "to_decimal"]
