"""Plans and filing over HTTP: the workflow, documents, rates, lists and exports."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from responder.models import Plan, PlanDocument, User, db
from responder.services.documents import PDF as PDF_TYPE
from responder.services.documents import clean_filename
from responder.services.workdays import today_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes(*, word: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if word else "xl/workbook.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def people(region, login_as, make_enterprise):
    """A west enterprise with its staff member, a west clerk and an east clerk."""
    enterprise = make_enterprise("hazchem_storage", name="西区化工", grades=(2,))
    db.session.commit()
    staff = login_as("enterprise_staff")
    staff_id = db.session.scalar(select(User.id).where(User.role == "enterprise_staff"))
    west_clerk = login_as("clerk", "330102")
    linked = west_clerk.post(
        "/api/v1/plans/staff", json={"user_id": staff_id, "enterprise_id": enterprise.id}
    )
    assert linked.status_code == 201, linked.json
    return enterprise, staff, west_clerk, login_as("clerk", "330103")


def plan_body(enterprise, **extra):
    return {
        "enterprise_id": enterprise.id,
        "title": "综合应急预案",
        "plan_type": "comprehensive",
        "incident_types": ["hazchem_leak"],
        "published_on": "2024-05-06",
        **extra,
    }


def test_workflow_over_http(people, region):
    enterprise, staff, clerk, east_clerk = people
    created = staff.post("/api/v1/plans", json=plan_body(enterprise))
    assert created.status_code == 201, created.json
    plan = created.json
    assert plan["status"] == "draft" and plan["jurisdiction_id"] == region.west.id
    assert created.headers["Location"].endswith(f"/api/v1/plans/{plan['id']}")
    url = f"/api/v1/plans/{plan['id']}"
    # Two materials only: the submission is accepted but incomplete and cannot be filed.
    for material in ("plan_text", "application_form"):
        assert (
            upload(staff, plan["id"], PDF + material.encode(), "a.pdf", material).status_code == 201
        )
    submitted = staff.post(f"{url}/submit").json
    assert submitted["status"] == "submitted" and submitted["filing_state"] == "incomplete"
    assert submitted["missing_materials"] == [
        "review_opinion",
        "risk_assessment",
        "resource_survey",
    ]
    assert submitted["deemed_filed_on"] is None  # no check window for an incomplete one
    incomplete = clerk.post(f"{url}/file", json={})
    assert incomplete.status_code == 422 and incomplete.json["error"]["field"] == "documents"
    assert clerk.post(f"{url}/return", json={"reason": "缺评审意见等"}).status_code == 200
    for material in ("review_opinion", "risk_assessment", "resource_survey"):
        assert (
            upload(staff, plan["id"], PDF + material.encode(), "b.pdf", material).status_code == 201
        )
    resubmitted = staff.post(f"{url}/submit").json
    assert (
        resubmitted["filing_state"] == "awaiting_check" and resubmitted["missing_materials"] == []
    )
    assert resubmitted["deemed_filed_on"] is not None and resubmitted["check_deadline"]
    refused = east_clerk.post(f"{url}/file", json={})
    assert refused.status_code == 403 and refused.json["error"]["field"] == "jurisdiction"
    filed = clerk.post(f"{url}/file", json={})
    assert filed.status_code == 200, filed.json
    body = filed.json
    year = today_in("Asia/Shanghai").year
    assert body["filing_number"] == f"330102-{year}-0001"
    # Published Mon 6 May 2024: the make-up Saturday 11 May counts, so 20 working days end
    # on Fri 31 May; submitted today, long after, so late (judged on the submission day).
    assert body["filed_late"] is True and body["filing_deadline"] == "2024-05-31"
    assert body["next_evaluation_due"] == "2027-05-06"  # hazchem storage: 办法 Art 35
    assert body["next_drill_due"] == "2024-11-06"  # an 条例 Art 7 unit: half-yearly
    again = clerk.post(f"{url}/file", json={})
    assert again.status_code == 409 and again.json["error"]["field"] == "status"
    revised = staff.post(f"{url}/revise", json={"version": "2.0"})
    assert revised.status_code == 201 and revised.json["supersedes_id"] == plan["id"]
    listed = clerk.get("/api/v1/plans?status=filed").json
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    assert east_clerk.get("/api/v1/plans").json["total"] == 0  # outside their county


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"plan_type": "poem"}, "plan_type"),
        ({"incident_types": ["alien_invasion"]}, "incident_types.0"),
        ({"enterprise_id": None}, "enterprise_id"),
        ({"enterprise_id": 99999}, "enterprise_id"),
        ({"hazard_source_ids": [99999]}, "hazard_source_ids"),
        ({"published_on": "2999-01-01"}, "published_on"),
        ({"team_needs": [{"specialty": "fire", "count": 0}]}, "team_needs.0.count"),
        (
            {"material_needs": [{"material_id": 99999, "quantity": 1}]},
            "material_needs.0.material_id",
        ),
        ({"title": ""}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_plan_input_names_the_field_and_stores_nothing(people, overrides, field):
    enterprise, staff, _clerk, _east = people
    response = staff.post("/api/v1/plans", json=plan_body(enterprise, **overrides))
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert db.session.scalar(select(func.count(Plan.id))) == 0


def test_return_needs_a_reason(people):
    enterprise, staff, clerk, _east = people
    plan = staff.post("/api/v1/plans", json=plan_body(enterprise)).json
    staff.post(f"/api/v1/plans/{plan['id']}/submit")
    missing = clerk.post(f"/api/v1/plans/{plan['id']}/return", json={})
    assert missing.status_code == 422 and missing.json["error"]["field"] == "reason"
    returned = clerk.post(f"/api/v1/plans/{plan['id']}/return", json={"reason": "缺附件"})
    assert returned.json["status"] == "returned" and returned.json["status_note"] == "缺附件"


def fetch(client, url):
    """GET and close (a streamed file response must be closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def upload(client, plan_id, content, name, material="other"):
    return client.post(
        f"/api/v1/plans/{plan_id}/documents",
        data={"file": (io.BytesIO(content), name), "material": material},
        content_type="multipart/form-data",
    )


def test_documents_upload_and_permission_checked_download(people, login_as, app):
    enterprise, staff, clerk, east_clerk = people
    plan = staff.post("/api/v1/plans", json=plan_body(enterprise)).json
    stored = upload(staff, plan["id"], PDF, "预案.pdf")
    assert stored.status_code == 201, stored.json
    document = stored.json
    assert document["content_type"] == "application/pdf" and document["filename"] == "预案.pdf"
    download = fetch(clerk, document["url"])
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    assert fetch(east_clerk, document["url"]).status_code == 403
    assert fetch(login_as("viewer", "330102"), document["url"]).status_code == 200
    other_staff = login_as("enterprise_staff")
    assert fetch(other_staff, document["url"]).status_code == 403
    assert (
        upload(staff, plan["id"], docx_bytes(), "a.docx")
        .json["content_type"]
        .endswith("wordprocessingml.document")
    )
    assert upload(staff, plan["id"], PNG, "scan.png").json["content_type"] == "image/png"
    assert upload(east_clerk, plan["id"], PDF, "x.pdf").status_code == 403
    again = upload(staff, plan["id"], PDF, "copy.pdf")  # the same bytes are kept once
    assert again.status_code == 201 and again.json["id"] == document["id"]
    files = [p for p in app.config["DOCUMENTS_DIR"].rglob("*") if p.is_file()]
    assert len(files) == 3


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"MZ\x90\x00 not a pdf", "report.pdf", "unsupported_type"),  # the name lies
        (docx_bytes(word=False), "book.docx", "unsupported_type"),  # a zip, but not Word
        (b"<html><script>alert(1)</script>", "page.png", "unsupported_type"),
        (b"", "empty.pdf", "invalid"),
    ],
)
def test_uploads_are_typed_by_content(people, content, name, code):
    enterprise, staff, _clerk, _east = people
    plan = staff.post("/api/v1/plans", json=plan_body(enterprise)).json
    response = upload(staff, plan["id"], content, name)
    assert response.status_code == 422 and response.json["error"]["field"] == "file"
    assert response.json["error"]["code"] == code
    assert db.session.scalar(select(func.count(PlanDocument.id))) == 0


def test_oversize_upload_is_refused(people, app):
    enterprise, staff, _clerk, _east = people
    plan = staff.post("/api/v1/plans", json=plan_body(enterprise)).json
    app.config["MAX_DOCUMENT_MB"] = 0.01  # 10,485 bytes
    big = PDF + b"0" * 10_500
    response = upload(staff, plan["id"], big, "big.pdf")
    assert response.status_code == 422 and response.json["error"]["code"] == "too_large"
    assert not app.config["DOCUMENTS_DIR"].exists() or not any(
        app.config["DOCUMENTS_DIR"].rglob("*")
    )
    missing = staff.post(
        f"/api/v1/plans/{plan['id']}/documents", data={}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and missing.json["error"]["field"] == "file"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.exe", None),  # the transport may eat the \\
        ("/absolute/path/report", "report.pdf"),
        ("..", "document.pdf"),
        ('a"\r\nSet-Cookie: x=1.pdf', None),
    ],
)
def test_path_tricks_in_names_do_not_matter(people, app, tmp_path, name, shown):
    enterprise, staff, clerk, _east = people
    plan = staff.post("/api/v1/plans", json=plan_body(enterprise)).json
    response = upload(staff, plan["id"], PDF, name)
    assert response.status_code == 201, response.json
    filename = response.json["filename"]
    assert filename == shown or shown is None
    assert not {"/", "\\", "\r", "\n"} & set(filename) and filename.endswith(".pdf")
    assert not filename.startswith(".")
    root = app.config["DOCUMENTS_DIR"]
    stored = [p for p in tmp_path.rglob("*") if p.is_file() and p.read_bytes() == PDF]
    assert len(stored) == 1 and stored[0].parent.parent == root
    assert stored[0].name == response.json["sha256"]
    download = fetch(clerk, response.json["url"])
    assert download.status_code == 200 and "\n" not in download.headers["Content-Disposition"]


def test_clean_filename_keeps_only_a_plain_name():
    assert clean_filename("..\\..\\windows\\evil.exe", PDF_TYPE) == "evil.pdf"
    assert clean_filename("C:\\Users\\x\\预案 v2.docx", PDF_TYPE) == "预案 v2.pdf"
    assert clean_filename("\x00\x1b[31m.hidden.pdf", PDF_TYPE) == "[31m.hidden.pdf"
    assert clean_filename(None, PDF_TYPE) == "document.pdf"
    assert clean_filename('a"\r\nSet-Cookie: x=1.pdf', PDF_TYPE) == "a_Set-Cookie_ x=1.pdf"


def test_rates_lists_and_exports(people, region, make_enterprise, make_plan, login_as):
    _enterprise, _staff, clerk, east_clerk = people
    covered = make_enterprise("coal_mine", county="west", name='=HYPERLINK("x")')
    make_plan(covered, filed_on=date(2024, 1, 5))
    make_enterprise("fireworks", county="east", name="东区烟花")
    db.session.commit()
    city_clerk = login_as("clerk", "330100")
    table = city_clerk.get("/api/v1/filing/rates?by=industry&as_of=2024-06-30").json
    assert table["target"] == 1.0 and table["jurisdiction_id"] == region.city.id
    rows = {row["key"]: row for row in table["rows"]}
    assert rows["coal_mine"]["rate"] == 1.0 and rows["coal_mine"]["meets_target"] is True
    assert rows["hazchem_storage"]["label"] == "危险化学品储存"
    assert table["total"]["required"] == 3 and table["total"]["filed"] == 1
    by_place = city_clerk.get("/api/v1/filing/rates?by=jurisdiction&as_of=2024-06-30").json
    assert [(r["label"], r["required"], r["filed"]) for r in by_place["rows"]] == [
        ("测试市", 3, 1),
        ("西区", 2, 1),
        ("东区", 1, 0),
    ]
    grade = clerk.get("/api/v1/filing/rates?by=grade&as_of=2024-06-30").json
    assert {r["key"]: r["missing"] for r in grade["rows"]} == {"2": 1, "none": 0}
    earlier = city_clerk.get("/api/v1/filing/rates?as_of=2023-12-31").json
    assert earlier["total"]["filed"] == 0

    outside = clerk.get(f"/api/v1/filing/rates?jurisdiction_id={region.east.id}")
    assert outside.status_code == 403 and outside.json["error"]["field"] == "jurisdiction_id"
    bad = clerk.get("/api/v1/filing/rates?by=colour")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "by"
    assert login_as("enterprise_staff").get("/api/v1/filing/rates").status_code == 403

    missing = city_clerk.get("/api/v1/filing/lists/missing?as_of=2024-06-30").json
    assert {item["enterprise"] for item in missing["items"]} == {"西区化工", "东区烟花"}
    assert east_clerk.get("/api/v1/filing/lists/missing?as_of=2024-06-30").json["total"] == 1

    csv_response = city_clerk.get("/api/v1/filing/lists/missing.csv?as_of=2024-06-30")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    text = csv_response.data.decode("utf-8-sig").splitlines()
    assert text[0].startswith("企业编号,企业,统一社会信用代码,行业") and len(text) == 3
    assert "煤矿" in text[1] + text[2] or "危险化学品储存" in text[1] + text[2]  # words, not codes
    english = city_clerk.get("/api/v1/filing/lists/missing.csv?as_of=2024-06-30&lang=en")
    assert english.data.decode("utf-8-sig").startswith("Enterprise ID,Enterprise,Credit code")
    xlsx = city_clerk.get("/api/v1/filing/lists/missing.xlsx?as_of=2024-06-30")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert len(values) == 3 and {row[1] for row in values[1:]} == {"西区化工", "东区烟花"}
    everyone = city_clerk.get("/api/v1/filing/lists/filed_late.xlsx?as_of=2024-06-30")
    assert everyone.status_code == 200


def test_export_cells_cannot_run_formulas(people, make_enterprise, login_as):
    make_enterprise("coal_mine", county="west", name='=HYPERLINK("http://x")')
    db.session.commit()
    city_clerk = login_as("clerk", "330100")
    rows = city_clerk.get("/api/v1/filing/lists/missing.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in rows
    book = load_workbook(io.BytesIO(city_clerk.get("/api/v1/filing/lists/missing.xlsx").data))
    names = [row[1] for row in book.active.values]
    assert '\'=HYPERLINK("http://x")' in names


def test_trend(people, make_enterprise, make_plan, login_as, app):
    enterprise, _staff, clerk, _east = people
    make_plan(enterprise, filed_on=date(2024, 3, 10))
    db.session.commit()
    trend = clerk.get("/api/v1/filing/trend?from=2024-01&to=2024-04").json
    assert [(p["day"], p["rate"]) for p in trend["points"]] == [
        ("2024-01-31", 0.0),
        ("2024-02-29", 0.0),
        ("2024-03-31", 1.0),
        ("2024-04-30", 1.0),
    ]
    bad = clerk.get("/api/v1/filing/trend?from=2024-13")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "from"
    this_month = today_in(app.config["TIMEZONE"])
    start = (this_month.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    recent = clerk.get(f"/api/v1/filing/trend?from={start}").json["points"]
    assert recent[-1]["day"] == this_month.isoformat()
