"""Write demo/events.jsonl: eight weeks of believable fan activity for the demo campaign.

Deterministic (a fixed seed), so the committed file can be regenerated and reviewed:
    .venv/bin/python -m demo.generate > demo/events.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta

BRAND_POST = "2107108545131447506"
FB_POST = "104857392817465_1290045583271104"
START = datetime(2026, 10, 1, 7, tzinfo=UTC)
DAYS = 55

FANS = [
    ("latte_lena", "Lena Vogt"),
    ("mocha_mika", "Mika Brandt"),
    ("brewbrian", "Brian O'Neill"),
    ("coffeecritic", "The Coffee Critic"),
    ("kaffeeklatsch_kim", "Kim Weber"),
    ("espresso_ela", "Ela Yilmaz"),
    ("bohnen_ben", "Ben Hoffmann"),
    ("crema_clara", "Clara Schulz"),
    ("filter_finn", "Finn Becker"),
    ("cold_brew_cem", "Cem Aydın"),
    ("roast_rosa", "Rosa Klein"),
    ("aeropress_anton", "Anton Wolf"),
    ("chai_chiara", "Chiara Rossi"),
    ("milchschaum_mia", "Mia Neumann"),
    ("barista_bo", "Bo Lindqvist"),
    ("pourover_paula", "Paula Richter"),
    ("decaf_dan", "Dan Meyer"),
    ("kanne_karl", "Karl Fischer"),
]
WORDS_GOOD = [
    "Morning ritual with @acmecoffee #AcmeAutumn ☕😍",
    "Best autumn blend ever, @acmecoffee! 🍂",
    "Geiler Kaffee, danke @acmecoffee! #AcmeAutumn",
    "@acmecoffee your baristas are the nicest :)",
    "Tried the #AcmeAutumn blend: baked apple & pecan. Love it!",
    "Super lecker, @acmecoffee 👍",
]
WORDS_MEH = ["@acmecoffee open on Sunday?", "Anyone tried the new @acmecoffee beans? #AcmeAutumn"]
WORDS_BAD = ["@acmecoffee my order hasn't shipped yet :(", "Leider kalt serviert, @acmecoffee. Enttäuscht 😡"]


def _actor(index: int) -> dict:
    handle, name = FANS[index]
    return {
        "id": str(1_000_000 + index),
        "handle": handle,
        "name": name,
        "followers": 40 + (index * 997) % 25_000,
    }


def _social(rng: random.Random, index: int, at: datetime, n: int) -> dict:
    kind = rng.choices(["mention", "quote", "reply", "retweet", "comment", "like"], [5, 3, 3, 4, 2, 2])[0]
    platform = "facebook" if kind in {"comment", "like"} else "x"
    actor = _actor(index)
    text = rng.choice(rng.choices([WORDS_GOOD, WORDS_MEH, WORDS_BAD], [6, 2, 1])[0])
    event = {
        "id": f"{platform}:{kind}:{n}:{actor['id']}",
        "platform": platform,
        "type": kind,
        "at": at.isoformat().replace("+00:00", "Z"),
        "actor": actor,
    }
    if kind != "mention":
        event["post"] = {"id": FB_POST if platform == "facebook" else BRAND_POST, "author": "acmecoffee"}
    if kind in {"mention", "quote", "reply", "comment"}:
        event["text"] = text
        event["hashtags"] = ["AcmeAutumn"] if "#AcmeAutumn" in text else []
        event["mentions"] = ["acmecoffee"] if "@acmecoffee" in text else []
    if kind == "like":
        event["attrs"] = {"reaction": rng.choice(["like", "love"])}
    return event


def _offline(rng: random.Random, index: int, at: datetime, n: int) -> dict:
    fan = f"fan-{FANS[index][0]}"
    stamp = at.isoformat().replace("+00:00", "Z")
    if rng.random() < 0.6:
        amount = f"{rng.choice([4.5, 8.9, 12.5, 17.8, 24.0, 39.9])}"
        return {
            "id": f"partner:acme-shop:order-{n}",
            "platform": "partner",
            "type": "purchase",
            "at": stamp,
            "fan": fan,
            "attrs": {"amount": amount, "currency": "EUR", "partner": "acme-shop", "order": str(n)},
        }
    return {
        "id": f"web:checkin:{n}",
        "platform": "web",
        "type": "checkin",
        "at": stamp,
        "fan": fan,
        "attrs": {"code": f"C{n:05d}", "partner": "acme-cafe-mitte"},
    }


def _quiz_and_undo(rng: random.Random, lines: list[dict]) -> list[dict]:
    """Quiz answers (right, wrong, late) and un-retweets a day after the retweet."""
    extra = []
    for index, answer in enumerate(["colombia", "Brasilien", " KOLUMBIEN ", "Äthiopien", "Colombia"]):
        at = START + timedelta(days=10 + index, hours=rng.randint(1, 10))
        extra.append(
            {
                "id": f"web:quiz:origin:{index}",
                "platform": "web",
                "type": "quiz_answer",
                "at": at.isoformat().replace("+00:00", "Z"),
                "fan": f"fan-{FANS[index][0]}",
                "attrs": {"challenge": "origin", "answer": answer},
            }
        )
    retweets = [e for e in lines if e["type"] == "retweet"]
    for event in rng.sample(retweets, k=min(3, len(retweets))):
        at = datetime.fromisoformat(event["at"].replace("Z", "+00:00")) + timedelta(days=1)
        extra.append(
            {
                "id": f"x:unretweet:{event['id']}",
                "platform": "x",
                "type": "retract",
                "at": at.isoformat().replace("+00:00", "Z"),
                "attrs": {"retracts": event["id"]},
            }
        )
    return extra


def generate(seed: int = 7) -> list[str]:
    """The demo's event lines, in time order, with two bad lines to show the quarantine."""
    rng = random.Random(seed)
    lines = []
    for index, (handle, _) in enumerate(FANS[:12]):  # two thirds of the fans linked their X profile
        at = START + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 12))
        lines.append(
            {
                "id": f"web:link:{handle}",
                "platform": "web",
                "type": "profile_linked",
                "at": at.isoformat().replace("+00:00", "Z"),
                "fan": f"fan-{handle}",
                "attrs": {"profile": f"x:{1_000_000 + index}"},
            }
        )
    n = 0
    for day in range(DAYS):
        for _ in range(rng.randint(4, 14)):
            n += 1
            at = START + timedelta(days=day, minutes=rng.randint(0, 14 * 60))
            index = min(int(rng.paretovariate(1.2)) - 1, len(FANS) - 1)
            lines.append(_offline(rng, index, at, n) if rng.random() < 0.15 else _social(rng, index, at, n))
    lines.extend(_quiz_and_undo(rng, lines))
    lines.sort(key=lambda e: e["at"])
    out = [json.dumps(e, ensure_ascii=False) for e in lines]
    out.insert(40, '{"id": "x:mention:broken", "platform": "x", "type": "mention", "at": "yesterday"}')
    out.insert(90, "not json at all")
    return out


if __name__ == "__main__":
    sys.stdout.write("\n".join(generate()) + "\n")
