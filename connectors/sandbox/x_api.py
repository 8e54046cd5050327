"""The X API v2 endpoints the connector uses, answered from a `World`.

Each route follows the documented behaviour: fields and expansions as requested,
`since_id`, `max_results` bounds, opaque pagination tokens (`next_token` for
search, `pagination_token` elsewhere), reverse chronological order, empty pages
as `{"meta": {"result_count": 0}}`, `errors` beside `data` for posts whose author
is gone, rate-limit headers on every answer, and at most 100 reposters per post.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from connectors.sandbox.world import X_LIMITS, World, load_payload

bp = Blueprint("sandbox_x", __name__)
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER_FIELDS = ("id", "name", "username")
RETWEETERS_CAP = 100  # the endpoint never lists more than the 100 most recent reposters


def world() -> World:
    """The world this sandbox serves."""
    return current_app.config["WORLD"]  # type: ignore[no-any-return]


def answer(route: str, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer with the route's rate-limit headers."""
    limit, remaining, reset = world().spend(route, X_LIMITS[route])
    response = jsonify(body)
    response.status_code = status
    response.headers.update(
        {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(reset),
        }
    )
    response.headers.update(headers or {})
    return response


def gate(route: str) -> Response | None:
    """Auth, scripted faults, and exhausted windows; None when the request may go on."""
    w = world()
    w.requests.append((route, dict(request.args)))
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return answer(route, load_payload("x", "error_401.json"), 401)
    fault = w.next_fault(route)
    if fault is not None:
        answered = fault.play(lambda body, status, headers: answer(route, body, status, headers))
        if not fault.serve:
            return answered
    start, used = w.usage.get(route, [0, 0])
    if used >= X_LIMITS[route] and w.clock() < start + 900:
        return answer(route, load_payload("x", "error_429_rate_limit.json"), 429)
    return None


def _bad_request(route: str, name: str, value: str, problem: str) -> Response:
    body = {
        "errors": [{"parameters": {name: [value]}, "message": problem}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.x.com/2/problems/invalid-request",
    }
    return answer(route, body, 400)


def _max_results(route: str, low: int, high: int, default: int) -> int | Response:
    raw = request.args.get("max_results")
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        problem = f"The `max_results` query parameter value [{raw}] is not between {low} and {high}"
        return _bad_request(route, "max_results", raw, problem)
    return int(raw)


def _prelude(route: str, low: int, high: int, default: int) -> int | Response:
    """The page size, or the answer that ends the request (auth, fault, limit, bad size)."""
    blocked = gate(route)
    return blocked if blocked is not None else _max_results(route, low, high, default)


def _fields(name: str, default: tuple[str, ...]) -> set[str]:
    return set(default) | {f for f in request.args.get(name, "").split(",") if f}


def _shape(item: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in fields}


def _includes(tweets: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Expansions of a page of posts, and `errors` for authors that no longer exist."""
    w, expansions = world(), set(request.args.get("expansions", "").split(","))
    user_fields = _fields("user.fields", DEFAULT_USER_FIELDS)
    tweet_fields = _fields("tweet.fields", DEFAULT_TWEET_FIELDS)
    user_ids: list[str] = []
    referenced: list[dict[str, Any]] = []
    if "author_id" in expansions:
        user_ids += [t["author_id"] for t in tweets if "author_id" in t]
    if "referenced_tweets.id" in expansions:
        for ref in (r for t in tweets for r in t.get("referenced_tweets", [])):
            if ref["id"] in w.x_tweets and all(x["id"] != ref["id"] for x in referenced):
                referenced.append(w.x_tweets[ref["id"]])
    if "referenced_tweets.id.author_id" in expansions:
        user_ids += [t["author_id"] for t in referenced if "author_id" in t]
    users, errors, seen = [], [], set()
    for user_id in user_ids:
        if user_id in seen:
            continue
        seen.add(user_id)
        if user_id in w.x_users:
            users.append(_shape(w.x_users[user_id], user_fields))
        else:
            errors.append(_not_found("user", user_id, "author_id"))
    includes: dict[str, Any] = {}
    if users:
        includes["users"] = users
    if referenced:
        includes["tweets"] = [_shape(t, tweet_fields) for t in referenced]
    return includes, errors


def _not_found(kind: str, value: str, parameter: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {kind} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": kind,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def tweet_page(
    route: str, tweets: list[dict[str, Any]], size: int, token_param: str, *, full_meta: bool
) -> Response:
    """One page of posts, newest first, after `since_id`, from the token's offset."""
    since = request.args.get("since_id")
    chosen = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
    if since:
        chosen = [t for t in chosen if int(t["id"]) > int(since)]
    offset = world().offset_of(request.args.get(token_param))
    if offset is None:
        value = request.args.get(token_param, "")
        return _bad_request(
            route, token_param, value, f"The `{token_param}` query parameter value is invalid"
        )
    page = chosen[offset : offset + size]
    if not page:
        return answer(route, {"meta": {"result_count": 0}})
    meta: dict[str, Any] = {"result_count": len(page)}
    if full_meta:
        meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
    if offset + size < len(chosen):
        meta["next_token"] = world().token_for(route, offset + size)
    fields = _fields("tweet.fields", DEFAULT_TWEET_FIELDS)
    includes, errors = _includes(page)
    body: dict[str, Any] = {"data": [_shape(t, fields) for t in page]}
    if includes:
        body["includes"] = includes
    if errors:
        body["errors"] = errors
    body["meta"] = meta
    return answer(route, body)


def _mentions_of(tweet: dict[str, Any], user_id: str) -> bool:
    return any(m.get("id") == user_id for m in tweet.get("entities", {}).get("mentions", []))


def _quotes(tweet: dict[str, Any], post_id: str) -> bool:
    return any(r["type"] == "quoted" and r["id"] == post_id for r in tweet.get("referenced_tweets", []))


@bp.get("/2/users/<user_id>/mentions")
def mentions(user_id: str) -> Response:
    """GET /2/users/:id/mentions."""
    route = "x.mentions"
    size = _prelude(route, 5, 100, 10)
    if isinstance(size, Response):
        return size
    tweets = [t for t in list(world().x_tweets.values()) if _mentions_of(t, user_id)]
    return tweet_page(route, tweets, size, "pagination_token", full_meta=True)


@bp.get("/2/tweets/<post_id>/quote_tweets")
def quote_tweets(post_id: str) -> Response:
    """GET /2/tweets/:id/quote_tweets (meta: result_count and next_token only)."""
    route = "x.quote_tweets"
    size = _prelude(route, 10, 100, 10)
    if isinstance(size, Response):
        return size
    tweets = [t for t in list(world().x_tweets.values()) if _quotes(t, post_id)]
    return tweet_page(route, tweets, size, "pagination_token", full_meta=False)


@bp.get("/2/tweets/search/recent")
def search_recent() -> Response:
    """GET /2/tweets/search/recent with the operators the connector uses."""
    route = "x.search_recent"
    size = _prelude(route, 10, 100, 10)
    if isinstance(size, Response):
        return size
    query = request.args.get("query", "")
    tweets = [t for t in list(world().x_tweets.values()) if matches(query, t)]
    return tweet_page(route, tweets, size, "next_token", full_meta=True)


@bp.get("/2/tweets/<post_id>/retweeted_by")
def retweeted_by(post_id: str) -> Response:
    """GET /2/tweets/:id/retweeted_by: users only, at most the 100 most recent."""
    route = "x.retweeted_by"
    size = _prelude(route, 1, 100, 100)
    if isinstance(size, Response):
        return size
    w = world()
    ids = [u for u in w.x_retweeters.get(post_id, []) if u in w.x_users][:RETWEETERS_CAP]
    offset = w.offset_of(request.args.get("pagination_token"))
    if offset is None:
        value = request.args.get("pagination_token", "")
        return _bad_request(route, "pagination_token", value, "The `pagination_token` value is invalid")
    page = ids[offset : offset + size]
    if not page:
        return answer(route, {"meta": {"result_count": 0}})
    meta: dict[str, Any] = {"result_count": len(page)}
    if offset + size < len(ids):
        meta["next_token"] = w.token_for(route, offset + size)
    if offset:
        meta["previous_token"] = w.token_for(route, max(0, offset - size))
    fields = _fields("user.fields", DEFAULT_USER_FIELDS)
    return answer(route, {"data": [_shape(w.x_users[u], fields) for u in page], "meta": meta})


@bp.get("/2/tweets")
def tweets_lookup() -> Response:
    """GET /2/tweets?ids=: the posts that still exist, `errors` for the others."""
    route = "x.tweets_lookup"
    blocked = gate(route)
    if blocked is not None:
        return blocked
    ids = [i for i in request.args.get("ids", "").split(",") if i]
    if not 1 <= len(ids) <= 100:
        return _bad_request(
            route,
            "ids",
            str(len(ids)),
            f"The number of values in the `ids` query parameter list [{len(ids)}] is not between 1 and 100",
        )
    w, fields = world(), _fields("tweet.fields", DEFAULT_TWEET_FIELDS)
    found = [w.x_tweets[i] for i in ids if i in w.x_tweets]
    body: dict[str, Any] = {}
    if found:
        body["data"] = [_shape(t, fields) for t in found]
        includes, _ = _includes(found)
        if includes:
            body["includes"] = includes
    missing = [_not_found("tweet", i, "ids") for i in ids if i not in w.x_tweets]
    if missing:
        body["errors"] = missing
    return answer(route, body)


@bp.get("/2/users/by/username/<username>")
def user_by_username(username: str) -> Response:
    """GET /2/users/by/username/:username (unknown names: 200 with only `errors`)."""
    route = "x.user_by_username"
    blocked = gate(route)
    if blocked is not None:
        return blocked
    w, fields = world(), _fields("user.fields", DEFAULT_USER_FIELDS)
    user = next((u for u in w.x_users.values() if u.get("username", "").lower() == username.lower()), None)
    if user is None:
        return answer(route, {"errors": [_not_found("user", username, "username")]})
    return answer(route, {"data": _shape(user, fields)})


# -- search operators -------------------------------------------------------------------

_TERM = re.compile(r'-?(?:[a-z_]+:"[^"]*"|[a-z_]+:\S+|"[^"]*"|\S+)')


def matches(query: str, tweet: dict[str, Any]) -> bool:
    """Whether a post matches `a OR b OR c -is:retweet` built from the operators below."""
    terms = [t for t in _TERM.findall(query.replace("(", " ").replace(")", " ")) if t != "OR"]
    negative = [t[1:] for t in terms if t.startswith("-")]
    positive = [t for t in terms if not t.startswith("-")]
    if any(_term(t, tweet) for t in negative):
        return False
    return any(_term(t, tweet) for t in positive)


def _term(term: str, tweet: dict[str, Any]) -> bool:
    entities = tweet.get("entities", {})
    refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets", [])}
    key, _, value = term.partition(":") if ":" in term and not term.startswith(("#", "@")) else ("", "", "")
    value = value.strip('"')
    if term.startswith("#"):
        return any(h["tag"].lower() == term[1:].lower() for h in entities.get("hashtags", []))
    if term.startswith("@"):
        return any(m["username"].lower() == term[1:].lower() for m in entities.get("mentions", []))
    if key == "url":
        return any(value in u.get("expanded_url", u.get("url", "")) for u in entities.get("urls", []))
    if key == "conversation_id":
        return tweet.get("conversation_id") == value and tweet.get("id") != value
    if key == "in_reply_to_tweet_id":
        return refs.get("replied_to") == value
    if key == "quotes_of_tweet_id":
        return refs.get("quoted") == value
    if key == "is":
        return {"retweet": "retweeted", "reply": "replied_to", "quote": "quoted"}.get(value, "?") in refs
    return term.strip('"').lower() in tweet.get("text", "").lower()
