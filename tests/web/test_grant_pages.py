"""Bulk grants from the admin page, the CSV command, and a fan's birthday opt-in."""

from __future__ import annotations

import io

from sqlalchemy import select

from storage.models.core import Fan
from storage.models.loyalty import FanProfile
from tests.loyalty_fixtures import make_fan


def _points(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.extensions["db_sessions"]() as session:
        return {f.id: f.lifetime_points for f in session.scalars(select(Fan))}


def test_an_admin_uploads_a_list_and_bad_lists_grant_nothing(
    loyalty_app, loyalty_client, loyalty_login
) -> None:  # type: ignore[no-untyped-def]
    anna = make_fan(loyalty_app)
    loyalty_login("admin")
    bad = loyalty_client.post(
        "/admin/grants", data={"csv_text": f"fan,points,reason\n{anna},10,ok\nghost,5,x\n"}
    )
    assert bad.status_code == 400 and "line 3: no fan account &#39;ghost&#39;" in bad.text
    assert _points(loyalty_app) == {anna: 0}
    upload = (io.BytesIO(f"fan,points,reason\n{anna},10,Welcome back\n".encode()), "welcome.csv")
    good = loyalty_client.post("/admin/grants", data={"csv_file": upload}, content_type="multipart/form-data")
    assert good.status_code == 200 and "Granted 10 points in 1 row(s)" in good.text
    segment = loyalty_client.post(
        "/admin/grants",
        data={"segment": "all", "points": 5, "reason": "Thank you", "campaign": "acme-autumn"},
    )
    assert segment.status_code == 200
    assert _points(loyalty_app) == {anna: 15}


def test_the_bulk_command_reports_every_bad_line(loyalty_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    anna = make_fan(loyalty_app)
    path = tmp_path / "list.csv"
    path.write_text(f"fan,points,reason\n{anna},x,ok\n{anna},5,\n")
    runner = loyalty_app.test_cli_runner()
    result = runner.invoke(args=["grants", "bulk", str(path)])
    assert result.exit_code == 1
    assert "line 2: points must be a whole number, got 'x'" in result.output and "line 3:" in result.output
    path.write_text(f"fan,points,reason\n{anna},7,ok\n")
    assert runner.invoke(args=["grants", "bulk", str(path)]).output.startswith("granted 7 points in 1 row(s)")


def test_a_fan_opts_in_to_birthday_points_and_the_job_grants_them(
    loyalty_app, loyalty_client, loyalty_login
) -> None:  # type: ignore[no-untyped-def]
    account = loyalty_login("fan")
    assert loyalty_client.post("/me/profile", data={"day": 31, "month": 4}).status_code == 400
    assert loyalty_client.post("/me/profile", data={"day": 24, "month": 11}).status_code == 200
    with loyalty_app.extensions["db_sessions"]() as session:
        saved = session.get(FanProfile, account.fan_id)
        assert (saved.birthday_month, saved.birthday_day) == (11, 24)  # type: ignore[union-attr]
    runner = loyalty_app.test_cli_runner()
    assert "1 new yearly grant(s)" in runner.invoke(args=["grants", "yearly", "--date", "2026-11-24"]).output
    assert "0 new yearly grant(s)" in runner.invoke(args=["grants", "yearly", "--date", "2026-11-25"]).output
    assert _points(loyalty_app) == {account.fan_id: 50}
