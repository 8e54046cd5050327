"""The loyalty CLI, run as an operator would."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.keys import digest
from storage.models.loyalty import ApiKey, Partner


def test_partners_create_approve_keys_revoke(app, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=[
            "partners",
            "create",
            "acme-shop",
            "--name",
            "Acme",
            "--kind",
            "shop",
            "--email",
            "a@example.org",
        ]
    )
    assert result.exit_code == 0, result.output
    sandbox_key = result.output.split("keep it secret): ")[1].strip()
    assert sandbox_key.startswith("ffk_sandbox_")

    refused = runner.invoke(args=["partners", "keys", "acme-shop", "--new", "live"])
    assert refused.exit_code == 1 and "approved" in refused.output
    assert runner.invoke(args=["partners", "approve", "acme-shop"]).output == "acme-shop is live\n"
    result = runner.invoke(args=["partners", "keys", "acme-shop", "--new", "live"])
    live_key = result.output.split("keep it secret): ")[1].strip()
    assert f"{sandbox_key[:16]}…\tsandbox\tactive" in result.output

    assert runner.invoke(args=["partners", "revoke", live_key[:16]]).exit_code == 0
    with app.extensions["db_sessions"]() as session:
        partner = session.scalars(select(Partner)).one()
        rows = {k.key_hash: k for k in session.scalars(select(ApiKey))}
    assert partner.status == "live"
    assert rows[digest(live_key)].revoked_at is not None
    assert rows[digest(sandbox_key)].revoked_at is None
    assert runner.invoke(args=["partners", "revoke", live_key[:16]]).exit_code == 1


def test_create_refuses_an_unknown_campaign(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=[
            "partners",
            "create",
            "acme-shop",
            "--name",
            "Acme",
            "--kind",
            "shop",
            "--email",
            "a@example.org",
            "--campaign",
            "no-such-campaign",
        ]
    )
    assert result.exit_code == 1 and "unknown campaign 'no-such-campaign'" in result.output


def test_an_admin_sets_a_partner_s_campaigns(app, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(
        args=["partners", "create", "acme-shop", "--name", "A", "--kind", "shop", "--email", "a@example.org"]
    )
    assert runner.invoke(args=["partners", "campaigns", "acme-shop", "acme-autumn"]).exit_code == 0
    assert (
        "unknown campaign 'nope'" in runner.invoke(args=["partners", "campaigns", "acme-shop", "nope"]).output
    )
    with app.extensions["db_sessions"]() as session:
        assert session.scalars(select(Partner)).one().campaigns == ["acme-autumn"]
