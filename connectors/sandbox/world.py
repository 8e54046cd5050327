"""What the sandbox platforms hold: posts, users, engagement, and scripted failures.

A `World` is plain data behind one lock. The sandbox server reads it to answer
requests; tests and the demo's activity script change it (a new quote, an
un-retweet, a deleted comment) and queue failures (`Fault`) for a route. It starts
from the recorded payloads in `payloads/`, in the platforms' documented shapes.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Response

PAYLOADS = Path(__file__).with_name("payloads")
BRAND_X_ID = "1432281941406646272"
BRAND_X_POST = "2107108545131447506"
FB_PAGE = "104857392817465"
FB_POST = "104857392817465_1290045583271104"
MASTODON_BRAND = "109348211274630185"  # @acmecoffee on mastodon.example
MASTODON_STATUS = "115327044120511233"  # its Autumn Blend status
WINDOW = 900  # X rate-limit window: 15 minutes
MASTODON_WINDOW = 300  # Mastodon: 300 requests per 5 minutes per account
MASTODON_LIMIT = 300

# Requests per 15-minute window per app, as documented (platforms README §1.2).
X_LIMITS = {
    "x.mentions": 450,
    "x.quote_tweets": 75,
    "x.retweeted_by": 75,
    "x.search_recent": 450,
    "x.tweets_lookup": 3500,
    "x.user_by_username": 300,
}


@dataclass(slots=True)
class Fault:
    """A scripted answer for the next request to a route.

    `status` with `body` (JSON) and `headers`; `hang_seconds` delays the answer
    (a timeout for a client with a shorter one); `reached` is set when the request
    arrives, so a test can act at that moment; `raw` sends a non-JSON body;
    `serve` answers normally after the delay (a slow but correct answer).
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 0.0
    reached: threading.Event | None = None
    raw: str | None = None
    serve: bool = False

    def play(self, answer: Callable[[Any, int, dict[str, str]], Response]) -> Response:
        """Signal arrival, hang if scripted, then answer through the platform's `answer`.

        With `serve` the returned 204 is only a marker: the caller goes on and answers
        normally, after the delay.
        """
        if self.reached is not None:
            self.reached.set()
        if self.hang_seconds:
            time.sleep(self.hang_seconds)
        if self.serve:
            return Response(status=204)
        if self.raw is not None:
            return Response(self.raw, status=self.status, mimetype="application/json")
        return answer(self.body if self.body is not None else {}, self.status, self.headers)


def load_payload(*parts: str) -> Any:
    """One recorded payload, parsed."""
    return json.loads(PAYLOADS.joinpath(*parts).read_text(encoding="utf-8"))


class World:
    """The platforms' state as the sandbox serves it; every method holds the lock."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.x_users: dict[str, dict[str, Any]] = {}
        self.x_tweets: dict[str, dict[str, Any]] = {}
        self.x_retweeters: dict[str, list[str]] = defaultdict(list)  # post -> user ids, newest first
        self.fb_posts: dict[str, dict[str, Any]] = {}
        self.fb_edges: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.m_statuses: dict[str, dict[str, Any]] = {}
        self.m_notifications: list[dict[str, Any]] = []  # oldest first
        self.m_reblogs: dict[str, list[dict[str, Any]]] = defaultdict(
            list
        )  # status -> accounts, newest first
        self.m_favourites: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.usage: dict[str, list[float]] = {}  # route -> [window start, requests used]
        self.requests: list[tuple[str, dict[str, str]]] = []  # (route, query), for tests
        self.tokens: dict[str, int] = {}  # pagination token -> offset

    # -- X ---------------------------------------------------------------------------

    def add_x_user(self, user: dict[str, Any]) -> None:
        """Add or replace a user."""
        with self.lock:
            self.x_users[str(user["id"])] = copy.deepcopy(user)

    def add_tweet(self, tweet: dict[str, Any], author: dict[str, Any] | None = None) -> None:
        """Publish a post (and its author)."""
        with self.lock:
            if author is not None:
                self.add_x_user(author)
            self.x_tweets[str(tweet["id"])] = copy.deepcopy(tweet)

    def delete_tweet(self, tweet_id: str) -> None:
        """The author deleted the post: it vanishes from every list and lookup."""
        with self.lock:
            self.x_tweets.pop(tweet_id, None)

    def delete_x_user(self, user_id: str) -> None:
        """The account is gone; its posts stay listed but the user is no longer expanded."""
        with self.lock:
            self.x_users.pop(user_id, None)

    def retweet(self, post_id: str, user: dict[str, Any]) -> None:
        """A user reposts a post (the newest reposter comes first)."""
        with self.lock:
            self.add_x_user(user)
            users = self.x_retweeters[post_id]
            if user["id"] not in users:
                users.insert(0, str(user["id"]))

    def unretweet(self, post_id: str, user_id: str) -> None:
        """A user undoes a repost."""
        with self.lock:
            if user_id in self.x_retweeters[post_id]:
                self.x_retweeters[post_id].remove(user_id)

    # -- Facebook --------------------------------------------------------------------

    def add_fb_item(self, object_id: str, edge: str, item: dict[str, Any]) -> None:
        """Add a comment, reaction, shared post or tagged post under an object's edge."""
        with self.lock:
            items = self.fb_edges[(object_id, edge)]
            items[:] = [i for i in items if i.get("id") != item.get("id")]
            items.append(copy.deepcopy(item))

    def remove_fb_item(self, object_id: str, edge: str, item_id: str) -> None:
        """A comment deleted, a reaction taken back, a post removed."""
        with self.lock:
            items = self.fb_edges[(object_id, edge)]
            items[:] = [i for i in items if i.get("id") != item_id]

    # -- Mastodon --------------------------------------------------------------------

    def add_notification(self, notification: dict[str, Any]) -> None:
        """Deliver a notification to the brand account (and keep its status, reblogger or favouriter)."""
        with self.lock:
            item = copy.deepcopy(notification)
            status = item.get("status")
            if isinstance(status, dict) and status.get("id"):
                self.m_statuses.setdefault(str(status["id"]), status)
            lists = {"reblog": self.m_reblogs, "favourite": self.m_favourites}
            if item.get("type") in lists and isinstance(status, dict):
                accounts = lists[item["type"]][str(status["id"])]
                if all(a["id"] != item["account"]["id"] for a in accounts):
                    accounts.insert(0, item["account"])
            self.m_notifications = [n for n in self.m_notifications if n["id"] != item["id"]]
            self.m_notifications.append(item)
            self.m_notifications.sort(key=lambda n: int(n["id"]))

    def undo(self, kind: str, status_id: str, account_id: str) -> None:
        """An un-reblog (`kind="reblog"`) or un-favourite: gone from the list and its notification too."""
        with self.lock:
            lists = {"reblog": self.m_reblogs, "favourite": self.m_favourites}
            lists[kind][status_id] = [a for a in lists[kind][status_id] if a["id"] != account_id]
            self.m_notifications = [
                n
                for n in self.m_notifications
                if not (
                    n["type"] == kind
                    and (n.get("status") or {}).get("id") == status_id
                    and n["account"]["id"] == account_id
                )
            ]

    def delete_status(self, status_id: str) -> None:
        """The author deleted a status: lookups answer 404 and its notifications disappear."""
        with self.lock:
            self.m_statuses.pop(status_id, None)
            self.m_notifications = [
                n for n in self.m_notifications if (n.get("status") or {}).get("id") != status_id
            ]

    # -- keeping it across restarts ------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """What the platforms hold (posts, users, lists), as JSON-ready data: not the
        scripted failures, rate windows or request log, which belong to one run."""
        with self.lock:
            return copy.deepcopy(
                {
                    "x_users": self.x_users,
                    "x_tweets": self.x_tweets,
                    "x_retweeters": dict(self.x_retweeters),
                    "fb_posts": self.fb_posts,
                    "fb_edges": [[obj, edge, items] for (obj, edge), items in self.fb_edges.items()],
                    "m_statuses": self.m_statuses,
                    "m_notifications": self.m_notifications,
                    "m_reblogs": dict(self.m_reblogs),
                    "m_favourites": dict(self.m_favourites),
                }
            )

    def restore(self, content: dict[str, Any]) -> None:
        """Hold exactly what `content()` gave."""
        data = copy.deepcopy(content)
        with self.lock:
            self.x_users, self.x_tweets = data["x_users"], data["x_tweets"]
            self.x_retweeters = defaultdict(list, data["x_retweeters"])
            self.fb_posts = data["fb_posts"]
            self.fb_edges = defaultdict(list, {(obj, edge): items for obj, edge, items in data["fb_edges"]})
            self.m_statuses, self.m_notifications = data["m_statuses"], data["m_notifications"]
            self.m_reblogs = defaultdict(list, data["m_reblogs"])
            self.m_favourites = defaultdict(list, data["m_favourites"])

    # -- failures and limits ---------------------------------------------------------

    def script(self, route: str, *faults: Fault) -> None:
        """Queue answers for the next requests to `route` (e.g. "x.mentions", "fb.comments")."""
        with self.lock:
            self.faults[route].extend(faults)

    def next_fault(self, route: str) -> Fault | None:
        """The scripted answer for this request, if any."""
        with self.lock:
            queue = self.faults.get(route)
            return queue.popleft() if queue else None

    def spend(self, route: str, limit: int, window: int = WINDOW) -> tuple[int, int, int]:
        """Count one request in the route's window; (limit, remaining, reset epoch seconds)."""
        with self.lock:
            now = self.clock()
            start, used = self.usage.get(route, [now, 0])
            if now >= start + window:
                start, used = now, 0
            used += 1
            self.usage[route] = [start, used]
            return limit, max(0, limit - int(used)), int(start + window)

    def token_for(self, route: str, offset: int) -> str:
        """An opaque pagination token for an offset into a listing."""
        with self.lock:
            token = f"7140dibdnow9c7btw4b1{abs(hash((route, offset, len(self.tokens)))) % 36**12:012x}"
            self.tokens[token] = offset
            return token

    def offset_of(self, token: str | None) -> int | None:
        """The offset a token stands for (None when unknown)."""
        if not token:
            return 0
        with self.lock:
            return self.tokens.get(token)


def recorded_world(clock: Callable[[], float] = time.time) -> World:
    """A world holding every recorded payload: the Acme Coffee brand on X, Facebook and Mastodon."""
    world = World(clock)
    _load_x(world)
    _load_graph(world)
    _load_mastodon(world)
    return world


def _load_x(world: World) -> None:
    pages = ["mentions_page1.json", "mentions_page2.json", "quote_tweets.json", "search_recent.json"]
    for name in [*pages, "users_tweets.json"]:
        page = load_payload("x", name)
        for user in page.get("includes", {}).get("users", []):
            world.add_x_user(user)
        for tweet in [*page.get("includes", {}).get("tweets", []), *page.get("data", [])]:
            world.add_tweet(tweet)
    world.add_x_user(load_payload("x", "user_by_username.json")["data"])
    for name in ("retweeted_by_page2.json", "retweeted_by_page1.json"):  # oldest first: newest ends first
        for user in reversed(load_payload("x", name)["data"]):
            world.retweet(BRAND_X_POST, user)


def _load_graph(world: World) -> None:
    post = load_payload("graph", "post_engagement.json")
    world.fb_posts[post["id"]] = post
    for name in ("comments_page1.json", "comments_page2.json"):
        for comment in load_payload("graph", name)["data"]:
            world.add_fb_item(FB_POST, "comments", comment)
    for edge in ("reactions", "sharedposts"):
        for item in load_payload("graph", f"{edge}.json")["data"]:
            world.add_fb_item(FB_POST, edge, item)
    for item in load_payload("graph", "tagged.json")["data"]:
        world.add_fb_item(FB_PAGE, "tagged", item)


def _load_mastodon(world: World) -> None:
    for name in ("notifications_older.json", "notifications.json"):
        for notification in load_payload("mastodon", name):
            world.add_notification(notification)
