"""Files a unit sends with its reply (photos of the repair, a PDF, an office document): checked by name and by
content, limited in number and size by settings (JINGZHI_REPLY_ATTACHMENTS), stored like the request's own
attachments (under MEDIA_ROOT, served only through the case's download view, which checks visibility).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from jingzhi.cases.models import Attachment, Case, ReplyDraft
from jingzhi.core.errors import ValidationFailed
from jingzhi.org.models import User

# Each accepted extension and the content it must have: a renamed executable or script is refused.
_JPEG, _PNG, _GIF, _WEBP, _PDF, _OLE, _OOXML = "jpeg", "png", "gif", "webp", "pdf", "ole", "ooxml"
REPLY_TYPES: dict[str, str] = {
    ".jpg": _JPEG, ".jpeg": _JPEG, ".png": _PNG, ".gif": _GIF, ".webp": _WEBP, ".pdf": _PDF,
    ".doc": _OLE, ".xls": _OLE, ".ppt": _OLE, ".docx": _OOXML, ".xlsx": _OOXML, ".pptx": _OOXML,
}
_MAGIC: dict[str, tuple[bytes, ...]] = {
    _JPEG: (b"\xff\xd8\xff",),
    _PNG: (b"\x89PNG\r\n\x1a\n",),
    _GIF: (b"GIF87a", b"GIF89a"),
    _PDF: (b"%PDF-",),
    _OLE: (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),  # the compound file of Word 97 / Excel 97
    _OOXML: (b"PK\x03\x04",),
}


def limits() -> tuple[int, int]:
    """(files per reply, bytes per file), from the settings (the environment)."""
    conf = settings.JINGZHI_REPLY_ATTACHMENTS
    return int(conf["MAX_FILES"]), int(conf["MAX_BYTES"])


def total_limit() -> int:
    """Bytes all the files of one reply may add up to."""
    return int(settings.JINGZHI_REPLY_ATTACHMENTS.get("MAX_TOTAL_BYTES", 18 * 1024 * 1024))


def _content_matches(f: Any, family: str) -> bool:
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    if family == _WEBP:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not any(head.startswith(sig) for sig in _MAGIC[family]):
        return False
    if family == _OOXML:
        # Any zip starts with PK: an Office document also names its parts in [Content_Types].xml.
        try:
            with zipfile.ZipFile(f) as z:
                return "[Content_Types].xml" in z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            f.seek(0)
    return True


def check_reply_files(files: Sequence[UploadedFile]) -> list[UploadedFile]:
    """The files, if every one is an accepted type whose content matches its name and within the limits."""
    files = [f for f in files if f]
    max_files, max_bytes = limits()
    if len(files) > max_files:
        msg = _("Attach at most %(max)d files (you chose %(n)d).") % {"max": max_files, "n": len(files)}
        raise ValidationFailed(msg, fields={"attachments": msg})
    total = sum(f.size or 0 for f in files)
    if total > total_limit():
        msg = _("The files may add up to at most %(max)s MB (yours: %(n).1f MB).") % {
            "max": f"{total_limit() / (1024 * 1024):g}", "n": total / (1024 * 1024)}
        raise ValidationFailed(msg, fields={"attachments": msg})
    for f in files:
        name = (f.name or "")[:200]
        suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        family = REPLY_TYPES.get(suffix)
        if family is None:
            msg = _("“%(name)s” is not an accepted file type (photos, PDF, Office documents).") % {"name": name}
            raise ValidationFailed(msg, fields={"attachments": msg})
        if (f.size or 0) > max_bytes:
            msg = _("“%(name)s” is larger than %(max)s MB.") % {"name": name, "max": f"{max_bytes / (1024 * 1024):g}"}
            raise ValidationFailed(msg, fields={"attachments": msg})
        if not (f.size or 0) or not _content_matches(f, family):
            msg = _("“%(name)s” is not the kind of file its name says; save it again as a photo, PDF or Office document.") % {
                "name": name}
            raise ValidationFailed(msg, fields={"attachments": msg})
    return files


def store_reply_files(*, case: Case, files: Sequence[UploadedFile], actor: User, draft: ReplyDraft | None = None) -> list[str]:
    """Keep checked files with the case (inside the caller's transaction); returns their names for the event."""
    names = []
    for f in files:
        name = (f.name or "")[:200]
        Attachment.objects.create(case=case, file=f, name=name, size=f.size or 0, uploaded_by=actor,
                                  purpose=Attachment.Purpose.REPLY, draft=draft)
        names.append(name)
    return names
