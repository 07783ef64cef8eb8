"""Zip containers (XLSX, DOCX) checked before any parser sees them.

A 5 MB .xlsx whose sheet expands to 1.2 GB was parsed in full (146 s, +3.4 GB) before being
refused. Here the central directory is read first (entry count, declared sizes, ratios), then
every entry is inflated in small chunks and counted, so a lying header is caught too, and
nothing is ever held in memory beyond one chunk.
"""
from __future__ import annotations

import io
import zipfile

MAX_ENTRIES = 200
MAX_TOTAL = 64 * 1024 * 1024        # all entries together, uncompressed
MAX_ENTRY = 48 * 1024 * 1024        # one entry, uncompressed
MAX_RATIO = 150                     # uncompressed / compressed, for entries past RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024           # small entries (styles, empty sheets) may compress better
CHUNK = 64 * 1024


class ZipRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_TOO_BIG = ("Tệp nén bên trong quá lớn hoặc có dấu hiệu «bom nén» (giải nén ra hàng trăm MB); "
            "hệ thống từ chối đọc. Hãy dùng tệp mẫu và chỉ nhập số dòng cho phép.")


def check(data: bytes) -> None:
    """Raise ZipRejected (Vietnamese message) unless the archive is sane to open."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ZipRejected("Tệp bị hỏng hoặc không phải tệp nén hợp lệ.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ZipRejected(f"Tệp có {len(infos)} thành phần bên trong, quá nhiều cho một tệp Excel/Word.")
        declared = 0
        for info in infos:
            declared += info.file_size
            if info.file_size > MAX_ENTRY or declared > MAX_TOTAL:
                raise ZipRejected(_TOO_BIG)
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise ZipRejected(_TOO_BIG)
        actual = 0
        for info in infos:
            actual += _inflated_size(archive, info, MAX_TOTAL - actual)


def _inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Inflate one entry chunk by chunk; stop at once past its declared size or the budget."""
    limit = min(info.file_size, budget)
    seen = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                seen += len(chunk)
                if seen > limit:
                    raise ZipRejected(_TOO_BIG)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
        raise ZipRejected("Tệp bị hỏng hoặc không đọc được.") from None
    return seen
