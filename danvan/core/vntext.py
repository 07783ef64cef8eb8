"""Vietnamese text: NFC normalisation, accent-folded search keys, dates and numbers."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_SPACES = re.compile(r"\s+")


def nfc(value):
    """NFC-normalise a string; other values pass through untouched."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def clean(value: str | None) -> str:
    """NFC, trimmed, inner runs of spaces collapsed (not newlines in long text)."""
    if value is None:
        return ""
    return nfc(value).strip()


def fold(value: str | None) -> str:
    """Search key: lower case, no diacritics, đ → d, single spaces. 'Dân vận khéo' → 'dan van kheo'."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_words(query: str | None) -> list[str]:
    """The folded words of a query, each once: 'Dân  vận dân' → ['dan', 'van']."""
    return list(dict.fromkeys(fold(query).split()))


def matches(query: str | None, *columns):
    """SQL condition: every folded word of the query occurs, in any order, in one of the folded
    search columns ('dan van kheo nong thon moi' finds 'Dân vận khéo trong xây dựng nông thôn
    mới'). None when the query has no word, so callers add no WHERE at all."""
    words = search_words(query)
    if not words or not columns:
        return None
    return sa.and_(*(sa.or_(*(col.like(f"%{_escape_like(w)}%", escape="\\") for col in columns))
                     for w in words))


class NFCMultiDict(ImmutableMultiDict):
    """Request args/form storage that NFC-normalises every key and value on arrival.

    Set as Request.parameter_storage_class, so no form or query parameter can reach a view
    in decomposed form (decomposed marks break search, uniqueness and printing).
    """

    def __init__(self, mapping=None):
        if mapping is not None:
            if isinstance(mapping, MultiDict):
                items = mapping.items(multi=True)
            elif isinstance(mapping, dict):
                items = mapping.items()
            else:
                items = mapping
            mapping = [(nfc(k), nfc(v)) for k, v in items]
        super().__init__(mapping)


def now_utc() -> datetime:
    return datetime.now(UTC)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite returns naive datetimes; we store UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ)


def today_local() -> date:
    return now_utc().astimezone(TZ).date()


def fmt_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, in Vietnam's time zone for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M %d/%m/%Y")


def fmt_duration(delta: timedelta) -> str:
    """'2 ngày 3 giờ', '45 phút', 'dưới 1 phút' (time spent in a workflow state)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {mins} phút" if mins else f"{hours} giờ"
    return f"{mins} phút" if mins else "dưới 1 phút"


# The smallest integer column on both databases (PostgreSQL INTEGER): ids and years beyond it
# made the driver raise (a 500) instead of matching nothing.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def int_or_none(value, lo: int = INT_MIN, hi: int = INT_MAX) -> int | None:
    """A whole number from a query or form value within [lo, hi], else None (missing, empty, not a
    number, out of range, or thousands of digits that int() refuses)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or len(text) > 12:
        return None
    try:
        number = int(text)
    except ValueError:
        return None
    return number if lo <= number <= hi else None


def parse_date(text: str | None) -> date | None:
    """Strict dd/mm/yyyy (also the HTML date input's yyyy-mm-dd). Two-digit years are refused."""
    text = clean(text)
    if not text:
        return None
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", text):
        raise ValueError("Năm phải có đủ 4 chữ số, ví dụ 05/03/2024.")
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed.year < 1900:
            raise ValueError("Năm phải có đủ 4 chữ số, ví dụ 05/03/2024.")
        if parsed.year > 2100:  # date arithmetic near 9999 overflows; nothing here is that far
            raise ValueError("Năm phải trước 2100.")
        return parsed
    raise ValueError("Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/03/2024.")


def fmt_number(value: int | float | None, decimals: int = 0) -> str:
    """2.011 and 12,5: Vietnamese thousands and decimal separators."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# Typed the Vietnamese way: a comma before the decimals, dots only between groups of three
# digits (15,5; 1.234,5; 1234). "12.5" is refused rather than guessed (it read as 125 once).
_VN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
NUMBER_MESSAGE = "Phải là một số, ví dụ 12,5."
DOT_DECIMAL_MESSAGE = ("Dùng dấu phẩy trước phần thập phân, ví dụ 12,5; dấu chấm chỉ để ngăn cách hàng "
                       "nghìn, ví dụ 1.234,5.")


def parse_decimal(text, message: str = NUMBER_MESSAGE) -> Decimal | None:
    """'15,5' → 15.5, '1.234,5' → 1234.5, '' → None. Anything else (1e1, inf, nan, 12.5, 1,2,3)
    raises ValueError carrying a Vietnamese message."""
    if text is None:
        return None
    text = re.sub(r"[\s\u00a0\u202f]", "", nfc(str(text)))
    if not text:
        return None
    if len(text) > 40 or not _VN_NUMBER.fullmatch(text):
        dotted = re.fullmatch(r"[+-]?\d+\.\d+", text) is not None
        raise ValueError(DOT_DECIMAL_MESSAGE if dotted else message)
    return Decimal(text.replace(".", "").replace(",", "."))


def fmt_decimal(value, places: int = 2) -> str:
    """A score or threshold as people write it: 81,2 and 90 (not 81.20, 90.00); '' for None."""
    if value is None:
        return ""
    text = fmt_number(value, places)
    return text.rstrip("0").rstrip(",") if "," in text else text


def fmt_count(value: int) -> str:
    """Counts under ten are written with a leading zero in Party documents: 07 mô hình."""
    return f"{value:02d}" if 0 <= value < 10 else fmt_number(value)


def date_line(place: str, value: date) -> str:
    """'Bắc Kạn, ngày 05 tháng 3 năm 2023': days under 10 and months 1–2 take a leading zero."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"
