"""The community managers' pages: influencer list, one-click reviews, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.rules.registry import CampaignRegistry
from jobs import monitoring_update_job
from monitoring.scoring import default_scorer
from pipeline import ingest_events
from storage.models.monitoring import InfluencerFlag, InfluencerReview
from tests.web.community_seed import COMMUNITY_YAML, post, seed


@pytest.fixture
def cm_app(app, tmp_path):  # type: ignore[no-untyped-def]
    """The app with two monitored campaigns in force and three flagged authors stored."""
    path = tmp_path / "campaigns.yaml"
    path.write_text(COMMUNITY_YAML, encoding="utf-8")
    app.config["CAMPAIGNS_PATH"] = str(path)
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    seed(app)
    return app


def _authors(page: str) -> list[str]:
    return re.findall(r'<tbody class="author" id="a-\d+" data-author="([^"]+)">', page)


def _cells(page: str, author: str) -> list[str]:
    """The first row's cells of one author: status, score, followers, positive, posts, flagged."""
    block = page.split(f'data-author="{author}">', 1)[1].split("</tr>", 1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", block, re.S)]


def test_the_list_shows_each_flagged_author_with_figures_reasons_and_posts(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/influencers").text
    assert _authors(page) == ["x:anna", "x:ben", "x:@carl"]  # score, best first
    assert re.search(r"<th scope=\"row\" id=\"author-\d+\">@anna · X</th>", page)  # as people write it
    today = datetime.now(UTC).date().isoformat()
    assert _cells(page, "x:anna")[:5] == ["flagged", "71.5", "42000", "100 %", "4"]
    assert _cells(page, "x:ben")[:5] == ["flagged", "55.0", "15000", "67 %", "3"]  # 2 of 3 positive
    assert _cells(page, "x:@carl")[:5] == ["flagged", "48.2", "2500", "100 %", "3"]
    assert _cells(page, "x:anna")[5] == today
    assert "<strong>Why:</strong> 42k followers, 4 posts this week, 100% positive" in page
    assert "3 authors" in page
    ben = page.split('data-author="x:ben">', 1)[1].split("</tbody>", 1)[0]
    assert re.search(r"negative -0\.46</span>\s*<span class=\"muted\">[^<]+</span> The coffee was cold", ben)
    assert "positive +0.87" in ben and ben.count("<li>") == 3


def test_an_author_posting_a_script_tag_is_shown_escaped(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/influencers").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Great derby, love it!" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=followers&order=asc", ["x:@carl", "x:ben", "x:anna"]),
        ("sort=author&order=asc", ["x:@carl", "x:anna", "x:ben"]),
        ("sort=sentiment", ["x:@carl", "x:anna", "x:ben"]),  # 100 % ties by name, then 67 %
        ("sort=flagged&order=asc", ["x:@carl", "x:ben", "x:anna"]),
        ("min_score=50", ["x:anna", "x:ben"]),
        ("min_followers=10000&min_score=60", ["x:anna"]),
        ("min_positive=70", ["x:anna", "x:@carl"]),
        ("campaign=coffee", ["x:ben"]),
        ("campaign=derby&sort=score&order=asc", ["x:@carl", "x:anna"]),
        ("campaign=nope&min_score=abc&sort=nope", ["x:anna", "x:ben", "x:@carl"]),  # ignored
        ("status=approved", []),
    ],
)
def test_filters_and_sorting(cm_app, client, login, query, expected) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    assert _authors(client.get(f"/influencers?{query}").text) == expected


def test_column_headings_sort_and_say_so(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    page = client.get("/influencers?sort=followers&min_score=40").text
    followers = re.search(r'<th scope="col" aria-sort="descending">\s*<a href="([^"]+)">Followers', page)
    assert followers is not None  # the current column; its link turns the order around
    assert followers[1].replace("&amp;", "&") == "/influencers?min_score=40&sort=followers&order=asc"


def test_approve_dismiss_and_note_are_stored_with_who_and_when(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    account = login("community_manager")
    before = datetime.now(UTC)
    response = client.post(
        "/influencers/review",
        data={"author": "x:anna", "decision": "approve", "next": "/influencers?status=flagged"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/influencers?status=flagged"
    page = client.get("/influencers?status=flagged").text
    assert _authors(page) == ["x:ben", "x:@carl"]
    assert "@anna · X approved: invite them to the ambassador programme." in page
    client.post("/influencers/review", data={"author": "x:ben", "decision": "dismiss"})
    client.post(
        "/influencers/review", data={"author": "x:ben", "decision": "note", "note": "Ask again in spring"}
    )
    with cm_app.extensions["db_sessions"]() as session:
        flags = {f.author: f.status for f in session.scalars(select(InfluencerFlag))}
        records = list(session.scalars(select(InfluencerReview).order_by(InfluencerReview.id)))
    assert flags == {"x:anna": "approved", "x:ben": "dismissed", "x:@carl": "flagged"}
    assert [(r.author, r.decision, r.note, r.by, r.score) for r in records] == [
        ("x:anna", "approve", "", str(account.id), 71.5),
        ("x:ben", "dismiss", "", str(account.id), 55.0),
        ("x:ben", "note", "Ask again in spring", str(account.id), 55.0),
    ]
    assert all(before <= r.at.replace(tzinfo=UTC) <= datetime.now(UTC) for r in records)
    all_page = client.get("/influencers").text
    assert _cells(all_page, "x:anna")[0] == "approved" and _cells(all_page, "x:ben")[0] == "dismissed"
    ben = all_page.split('data-author="x:ben">', 1)[1]
    assert re.search(r"<li>note · Community_Manager · [\d-]+ [\d:]+: Ask again in spring</li>", ben)


def test_bad_reviews_change_nothing(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    unknown = client.post("/influencers/review", data={"author": "x:nobody", "decision": "approve"})
    assert unknown.status_code == 302
    client.post("/influencers/review", data={"author": "x:anna", "decision": "promote"})
    client.post("/influencers/review", data={"author": "x:anna", "decision": "note", "note": "  "})
    away = client.post(
        "/influencers/review",
        data={"author": "x:anna", "decision": "note", "note": "x", "next": "//evil.example/"},
    )
    assert away.headers["Location"] == "/influencers"  # never off the site
    page = client.get("/influencers").text
    assert "x:nobody has not been flagged." in page
    with cm_app.extensions["db_sessions"]() as session:
        records = list(session.scalars(select(InfluencerReview)))
        statuses = {f.status for f in session.scalars(select(InfluencerFlag))}
    assert [(r.decision, r.note) for r in records] == [("note", "x")] and statuses == {"flagged"}


def test_the_forms_carry_a_csrf_token_and_a_post_without_one_is_refused(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    cm_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/influencers").text
    assert page.count('name="csrf_token"') == 1 + 3 * 3  # log-out + approve, dismiss, note per author
    refused = client.post("/influencers/review", data={"author": "x:anna", "decision": "approve"})
    assert refused.status_code == 400


def test_csv_export_of_the_filtered_list(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("community_manager")
    response = client.get("/influencers.csv?min_followers=2000&sort=followers&order=asc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="influencers-')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "author", "handle", "status", "score", "followers", "posts",
        "positive_share", "reasons", "flagged_at", "reviewed_at",
    ]  # fmt: skip
    assert [r[:7] for r in rows[1:]] == [
        ["x:@carl", "'@carl", "flagged", "48.2", "2500", "3", "1.00"],
        ["x:ben", "ben", "flagged", "55.0", "15000", "3", "0.67"],
        ["x:anna", "anna", "flagged", "71.5", "42000", "4", "1.00"],
    ]
    assert [r[7] for r in rows[1:]] == [
        "'=2.5k followers; 3 posts this week; 100% positive",  # a formula-looking cell is quoted
        "15k followers; 3 posts this week; 67% positive",
        "42k followers; 4 posts this week; 100% positive",
    ]
    assert all(r[9] == "" for r in rows[1:])
    assert response.text.endswith("\r\n") and response.text.count("\r\n") == 4


@pytest.mark.parametrize("role", ["fan", "marketer"])
def test_other_roles_are_refused(cm_app, client, login, role) -> None:  # type: ignore[no-untyped-def]
    login(role)
    assert client.get("/influencers").status_code == 403
    assert client.get("/influencers.csv").status_code == 403
    assert (
        client.post("/influencers/review", data={"author": "x:anna", "decision": "approve"}).status_code
        == 403
    )


def test_admins_may_review_too(cm_app, client, login) -> None:  # type: ignore[no-untyped-def]
    login("admin")
    client.post("/influencers/review", data={"author": "x:anna", "decision": "dismiss"})
    assert _cells(client.get("/influencers").text, "x:anna")[0] == "dismissed"


def test_a_dismissed_author_stays_dismissed_when_the_job_runs_again(app, tmp_path, client, login) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "campaigns.yaml"
    path.write_text(COMMUNITY_YAML, encoding="utf-8")
    app.extensions["campaigns"] = CampaignRegistry(path, interval=0)
    seed(app, flags=False)
    assert monitoring_update_job(app).endswith("3 newly flagged")  # scored and flagged for real
    login("community_manager")
    client.post("/influencers/review", data={"author": "x:ben", "decision": "dismiss"})
    more = [post("b3", 1, "ben", "Best coffee in town, love it!", tags=("AcmeAutumn",), followers=15_000)]
    campaigns = app.extensions["campaigns"].current()
    ingest_events(
        app.extensions["db_sessions"],
        campaigns,
        more,
        source="t",
        now=datetime.now(UTC),
        scorer=default_scorer(),
    )
    assert monitoring_update_job(app).endswith(
        "1 new event(s), 0 retraction(s), 3 author(s) ranked, 0 newly flagged"
    )
    page = client.get("/influencers").text
    assert _cells(page, "x:ben")[0] == "dismissed" and _cells(page, "x:ben")[4] == "4"  # the new post counts
    assert _authors(client.get("/influencers?status=flagged").text) == ["x:anna", "x:@carl"]


def test_long_lists_come_in_pages_with_the_filters_kept(cm_app, client, login, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("web.community.PAGE_SIZE", 2)
    login("community_manager")
    first = client.get("/influencers?min_followers=100").text
    assert _authors(first) == ["x:anna", "x:ben"] and "3 authors · page 1 of 2" in first
    assert 'href="/influencers?page=2&amp;min_followers=100&amp;sort=score&amp;order=desc">Next' in first
    assert _authors(client.get("/influencers?min_followers=100&page=2").text) == ["x:@carl"]
    assert _authors(client.get("/influencers?min_followers=100&page=99").text) == ["x:@carl"]
    csv_rows = client.get("/influencers.csv?min_followers=100").text.strip().split("\r\n")
    assert len(csv_rows) == 4  # the export holds every page
