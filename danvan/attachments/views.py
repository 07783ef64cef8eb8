"""Attachment download: scoped by the attachment's unit; never a static URL."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from danvan.core import access
from danvan.core.access import requires
from danvan.core.files import Attachment, named_for_kind

bp = Blueprint("attachments", __name__, url_prefix="/tep")


@bp.route("/<int:attachment_id>")
@requires("files.download")
def download(attachment_id: int):
    attachment = access.get_scoped_or_404(Attachment, attachment_id, current_user)
    if attachment.archived_at is not None or not attachment.path.is_file():
        abort(404)
    # Always an attachment named for its detected kind (older rows kept the user's extension);
    # Werkzeug writes both an ASCII filename and a quoted UTF-8 filename*.
    return send_file(attachment.path, mimetype=attachment.mimetype, as_attachment=True,
                     download_name=named_for_kind(attachment.filename, attachment.kind), max_age=0)
