"""Plan documents on disk: stored by SHA-256, typed by their bytes, read with permission.

The client's file name never reaches the file system: the bytes are written to
``<documents dir>/<first two hex digits>/<sha256>`` and the name is kept only (cleaned) as
the download name.  The type comes from the content's magic bytes — PDF, DOCX (a zip with
``word/document.xml``), PNG, JPEG — never from the name or the client's content type.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import Plan, PlanDocument
from responder.services import audit
from responder.services import plans as plan_service
from responder.services.actors import Actor
from responder.vocabulary import PLAN_MATERIALS

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", PNG: ".png", JPEG: ".jpg"}


def sniff(content: bytes) -> str | None:
    """The content type of ``content`` judged by its bytes, or None if not accepted."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04") and _is_docx(content):
        return DOCX
    return None


def _is_docx(content: bytes) -> bool:
    """A zip whose directory names a Word main part (reads the directory only, so a zip
    bomb costs nothing)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def clean_filename(name: str | None, content_type: str) -> str:
    """A display name safe in a Content-Disposition header: the last path component,
    without control characters, separators or leading dots, with the extension of the
    detected type.  Path tricks (``../../etc/passwd``, ``C:\\x``) reduce to a plain name."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*]', "_", base).strip().lstrip(".")
    stem = os.path.splitext(base)[0][:150].strip() or "document"
    return stem + EXTENSIONS[content_type]


def storage_path(root: Path, sha256: str) -> Path:
    """Where the bytes with this hash live (the hash is our own hex, never client text)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256 hex digest")
    return root / sha256[:2] / sha256


def store(
    session: Session,
    actor: Actor,
    plan: Plan,
    *,
    content: bytes,
    filename: str | None,
    root: Path,
    max_bytes: int,
    material: str = "other",
) -> PlanDocument:
    """Validate and keep one uploaded document of ``plan``; ``material`` says which filing
    material it is (办法 Art 27: plan text, review opinion, ...)."""
    plan_service.require_on(session, actor, "plans.submit", plan)
    if material not in PLAN_MATERIALS:
        raise InvalidInput(f"unknown material '{material}'", field="material")
    if plan.status not in plan_service.EDITABLE_STATUSES:
        raise Conflict(
            f"a {plan.status} plan's documents are fixed; revise it for a new version",
            field="file",
        )
    if not content:
        raise InvalidInput("the file is empty", field="file")
    if len(content) > max_bytes:
        raise InvalidInput(
            f"the file is {len(content)} bytes; the limit is {max_bytes}",
            field="file",
            code="too_large",
        )
    content_type = sniff(content)
    if content_type is None:
        raise InvalidInput(
            "only PDF, DOCX, PNG and JPEG files are accepted (judged by their content)",
            field="file",
            code="unsupported_type",
        )
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalar(
        select(PlanDocument).where(PlanDocument.plan_id == plan.id, PlanDocument.sha256 == digest)
    )
    if existing is not None:
        if existing.material != material:
            before = {"document_id": existing.id, "material": existing.material}
            existing.material = material
            session.flush()
            audit.record(
                session,
                actor,
                "relabel_document",
                "plan",
                plan.id,
                before=before,
                after={"document_id": existing.id, "material": material},
            )
        return existing
    write_once(storage_path(root, digest), content)
    document = PlanDocument(
        plan_id=plan.id,
        sha256=digest,
        size=len(content),
        content_type=content_type,
        filename=clean_filename(filename, content_type),
        uploaded_by=actor.username,
        material=material,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        actor,
        "upload",
        "plan",
        plan.id,
        after={
            "document_id": document.id,
            "sha256": digest,
            "size": len(content),
            "material": material,
        },
    )
    return document


def write_once(path: Path, content: bytes) -> None:
    """Write atomically (temp file + rename); identical bytes already there are kept."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def for_download(
    session: Session, actor: Actor, plan: Plan, document_id: int, *, root: Path
) -> tuple[PlanDocument, Path]:
    """The document record and its file, if ``actor`` may read ``plan``."""
    plan_service.require_on(session, actor, "plans.read", plan)
    document = session.get(PlanDocument, document_id)
    if document is None or document.plan_id != plan.id:
        raise NotFound(f"document {document_id} of plan {plan.id} not found")
    path = storage_path(root, document.sha256)
    if not path.is_file():
        raise NotFound(f"the file of document {document_id} is missing from storage")
    return document, path
