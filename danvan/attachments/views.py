"""Attachment download: scoped by the attachment's unit; never a static URL."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from danvan.core import access
from danvan.core.access import requires
from danvan.core.files import Attachment

bp = Blueprint("attachments", __name__, url_prefix="/tep")


@bp.route("/<int:attachment_id>")
@requires("files.download")
def download(attachment_id: int):
    attachment = access.get_scoped_or_404(Attachment, attachment_id, current_user)
    if not access.can(current_user, "download", attachment):
        abort(404)
    # Always named for its detected kind (older rows kept the user's extension).
    return attachment.download()
