"""Sentiment throughput on one core: `sentiment score`'s path against TextBlob alone.

    .venv/bin/python -m bench.sentiment [--posts 50000]   (or: make bench-sentiment)

Builds distinct posts (the labelled fan posts, each with a different ending so no cache
helps), then in this one process times:
  fanfare    JSON Lines in, the scorer, JSON Lines out (what `sentiment score` runs; goal >= 5,000 posts/s)
  textblob   TextBlob's default analyzer on the same texts, no JSON (the baseline)
and prints posts/s for both and their ratio.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time

from monitoring.commands import score_stream
from monitoring.evaluate import fan_posts
from monitoring.sentiment import textblob_score

ENDINGS = ("", "!", " 😍", " #Matchday", " @club", " lol", " 🔥🔥", "...", " :(", " heute")
GOAL = 5000


def posts(count: int, seed: int = 7) -> list[str]:
    """`count` distinct posts built from the labelled ones."""
    rng = random.Random(seed)
    texts = [p.text for p in fan_posts()]
    return [f"{rng.choice(texts)}{rng.choice(ENDINGS)} {i}" for i in range(count)]


def main(argv: list[str] | None = None) -> None:
    """Print posts/s for the scorer (through JSON Lines) and for TextBlob alone."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50_000)
    args = parser.parse_args(argv)
    texts = posts(args.posts)
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)]
    from monitoring.sentiment import score

    score("warm up: lexicons load once")
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    score_stream(lines, out, err)
    ours = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in texts:
        textblob_score(text)
    baseline = len(texts) / (time.perf_counter() - started)
    print(f"posts: {len(texts)}")
    verdict = "met" if ours >= GOAL else "MISSED"
    print(f"fanfare (JSON in/out):  {ours:10,.0f} posts/s  (goal >= {GOAL:,}: {verdict})")
    print(f"textblob alone:         {baseline:10,.0f} posts/s")
    print(f"ratio fanfare/textblob: {ours / baseline:10.2f}")


if __name__ == "__main__":
    main()
