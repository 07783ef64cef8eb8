"""Vietnamese text: NFC normalisation, accent-folded search keys, dates and numbers."""
from __future__ import annotations

import functools
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


# Vietnamese alphabetical order, as ICU's "vi" collation orders it (PostgreSQL's "vi-VN-x-icu" is the
# reference in tests): letters a ă â b c d đ e ê … ơ … ư … y at the first level, tones at the second
# (none, huyền, hỏi, ngã, sắc, nặng), case at the third. sort_key() encodes the three levels in one
# string whose plain byte order is that order, so both databases sort it with a binary collation
# (SQLite's BINARY, PostgreSQL's "C") and need no ICU: SQLite has none, PyICU is a long build.
_PUNCT = "\t \xa0_-–—,;:!?….·'‘’\"“”«»()[]{}§@*/\\&#%`^°+<=>|~$№"   # ICU root order of these
_LETTERS = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
            "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_PRIMARY_BASE = 0x100   # primary weights are characters from here up; everything below is a level mark
_OTHER_SYMBOL = len(_PUNCT)                        # lead weight of symbols not in the table
_DIGIT0 = _OTHER_SYMBOL + 1
_LETTER0 = _DIGIT0 + 10
_OTHER_LETTER = _LETTER0 + len(_LETTERS)            # lead weight of letters outside the alphabet
_WEIGHT = {ch: i for i, ch in enumerate(_PUNCT)} | {ch: _LETTER0 + i for i, ch in enumerate(_LETTERS)}
# Marks that make a letter of the alphabet (a + breve = ă), and the five tones in their order.
_LETTER_MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
                 ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}   # huyền hỏi ngã sắc nặng
_LEVEL, _COMMON, _UPPER = "!", "0", "1"


def _wchar(weight: int) -> str:
    return chr(_PRIMARY_BASE + weight)


def _codepoint(ch: str) -> str:
    """A character's own code point as an order-preserving weight character (surrogates skipped)."""
    n = ord(ch) + 0x1000
    return chr(n if n < 0xD800 else min(n + 0x800, 0x10FFFF))


def _other_mark(mark: str) -> str:
    """Secondary weight of a mark Vietnamese does not use (ç, ü): after the five tones."""
    return chr(0x40 + ord(mark) % 0x40)


@functools.lru_cache(maxsize=8192)
def _char_weights(ch: str) -> tuple[str, str, str]:
    """(first, second, third level) of one NFC character: 'Á' → (a, common + sắc, upper). A lone
    combining mark gives ('', its mark, ''): it joins the character before it."""
    primary = secondary = tertiary = ""
    for part in unicodedata.normalize("NFD", ch):
        if unicodedata.combining(part):
            letter = _LETTER_MARKS.get((_LETTER_OF.get(primary, ""), part))
            if letter is not None:      # a + breve: the letter ă, a different first-level weight
                primary = _wchar(_WEIGHT[letter])
            else:
                secondary += _TONES.get(part) or _other_mark(part)
            continue
        lower = part.lower()
        if lower in _WEIGHT:
            primary = _wchar(_WEIGHT[lower])
        elif (digit := unicodedata.decimal(part, None)) is not None:
            primary = _wchar(_DIGIT0 + digit)
        elif unicodedata.category(part)[0] in "LN":
            primary = _wchar(_OTHER_LETTER) + _codepoint(lower)
        elif unicodedata.category(part)[0] == "C":
            continue                    # control characters are ignored, as ICU does
        else:
            primary = _wchar(_OTHER_SYMBOL) + _codepoint(part)
        secondary = _COMMON + secondary
        tertiary = _UPPER if part != lower else _COMMON
    return primary, secondary, tertiary


def sort_key(value: str | None) -> str:
    """A string whose binary order is Vietnamese alphabetical order: sort_key('Bắc Kạn') > sort_key('Ba Bể')."""
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    for ch in unicodedata.normalize("NFC", value or ""):
        first, second, third = _char_weights(ch)
        if first:
            primary.append(first)
            tertiary.append(third)
        elif not primary:
            continue                    # a mark with nothing before it, or a control character
        secondary.append(second)
    # Trailing common weights are dropped: the level separator sorts below them, so order is kept.
    return _LEVEL.join(("".join(primary), "".join(secondary).rstrip(_COMMON), "".join(tertiary).rstrip(_COMMON)))


_LETTER_OF = {_wchar(_WEIGHT[ch]): ch for ch in "aeou"}
