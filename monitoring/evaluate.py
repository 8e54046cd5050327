"""How right the scorer is: accuracy and macro-F1 on labelled posts, against TextBlob and VADER.

Two labelled sets, each split in two halves by a hash of the post id:

- `vader-tweets`: the 4,200 tweets of VADER's paper (Hutto and Gilbert, ICWSM 2014), each
  rated by 20 people from -4 to +4. They ship in the vaderSentiment source package
  (additional_resources/hutto_ICWSM_2014.tar.gz), which `pip download` fetches into
  the cache directory. A mean rating of +0.5 or more is positive, -0.5 or less negative,
  anything between neutral.
- `fan-posts`: 240 German and English posts in the style of football-club and coffee-brand
  fans (monitoring/data/social_eval.tsv), labelled by the rules in docs/monitoring.md.

The scorer's word lists and rules were adjusted looking at the `dev` halves only; the
`test` halves are held out. Run: `python -m monitoring.evaluate [--cache DIR]`.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitoring.sentiment import LABELS, Sentiment, label_for, score, textblob_score

ROOT = Path(__file__).resolve().parent.parent
FAN_POSTS = Path(__file__).resolve().parent / "data" / "social_eval.tsv"
VADER_PACKAGE = "vaderSentiment==3.3.2"
TWEETS_MEMBER = "hutto_ICWSM_2014/tweets_GroundTruth.txt"
RATING_BAND = 0.5  # mean human rating (-4..4) nearer to 0 than this is neutral


@dataclass(frozen=True, slots=True)
class Labelled:
    """One post with its human label and the half it belongs to."""

    id: str
    text: str
    label: str
    language: str = "en"

    @property
    def split(self) -> str:
        """ "dev" or "test", fixed by the id (the same post is always in the same half)."""
        return "test" if zlib.crc32(self.id.encode()) % 2 else "dev"


@dataclass(frozen=True, slots=True)
class Figures:
    """Accuracy and macro-F1 of one scorer on one set of posts."""

    n: int
    accuracy: float
    macro_f1: float


def figures(gold: list[str], predicted: list[str]) -> Figures:
    """Accuracy and the unweighted mean of the per-label F1 over positive/neutral/negative."""
    pairs = list(zip(gold, predicted, strict=True))
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    f1s = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return Figures(len(pairs), accuracy, sum(f1s) / len(LABELS))


def fan_posts(path: Path = FAN_POSTS) -> list[Labelled]:
    """The hand-labelled fan posts."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            ident, language, label, text = line.split("\t", 3)
            rows.append(Labelled(ident, text, label, language))
    return rows


def vader_tweets(cache: Path) -> list[Labelled]:
    """The paper's rated tweets, from the vaderSentiment source package (downloaded once)."""
    sdist = _vader_sdist(cache)
    with tarfile.open(sdist) as outer:
        inner_name = next(n for n in outer.getnames() if n.endswith("hutto_ICWSM_2014.tar.gz"))
        inner_bytes = outer.extractfile(inner_name).read()  # type: ignore[union-attr]
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        raw = inner.extractfile(TWEETS_MEMBER).read().decode("latin-1")  # type: ignore[union-attr]
    return [_tweet(line) for line in raw.splitlines() if line.strip()]


def _tweet(line: str) -> Labelled:
    ident, rating, text = line.split("\t", 2)
    value = float(rating)
    label = "positive" if value >= RATING_BAND else "negative" if value <= -RATING_BAND else "neutral"
    return Labelled(f"tweet-{ident}", text, label)


def _vader_sdist(cache: Path) -> Path:
    found = sorted(cache.glob("vaderSentiment-*.tar.gz"))
    if found:
        return found[-1]
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*command, "-q", "-d", str(cache), VADER_PACKAGE], check=True)
    return sorted(cache.glob("vaderSentiment-*.tar.gz"))[-1]


def scorers() -> dict[str, Callable[[str], Sentiment]]:
    """The three scorers compared: TextBlob alone, VADER alone, Fanfare's scorer."""
    vader = SentimentIntensityAnalyzer()

    def vader_only(text: str) -> Sentiment:
        polarity = vader.polarity_scores(text)["compound"]
        return Sentiment(polarity, label_for(polarity))

    return {"textblob": textblob_score, "vader": vader_only, "fanfare": score}


def evaluate(posts: Iterable[Labelled], scorer: Callable[[str], Sentiment]) -> Figures:
    """Score every post and compare with its label."""
    posts = list(posts)
    return figures([p.label for p in posts], [scorer(p.text).label for p in posts])


def table(sets: dict[str, list[Labelled]]) -> list[str]:
    """A Markdown table: one row per set and half, one column pair per scorer."""
    named = scorers()
    header = "| set | half | n | " + " | ".join(f"{n} acc | {n} F1" for n in named) + " |"
    lines = [header, "|" + "---|" * (3 + 2 * len(named))]
    for set_name, posts in sets.items():
        for half in ("dev", "test"):
            part = [p for p in posts if p.split == half]
            cells = [evaluate(part, scorer) for scorer in named.values()]
            values = " | ".join(f"{f.accuracy:.3f} | {f.macro_f1:.3f}" for f in cells)
            lines.append(f"| {set_name} | {half} | {len(part)} | {values} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Print the figures table (the one docs/monitoring.md quotes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "instance" / "eval-data")
    args = parser.parse_args(argv)
    posts = fan_posts()
    sets = {
        "vader-tweets": vader_tweets(args.cache),
        "fan-posts": posts,
        "fan-posts de": [p for p in posts if p.language == "de"],
        "fan-posts en": [p for p in posts if p.language == "en"],
    }
    print("\n".join(table(sets)))


if __name__ == "__main__":
    main()
