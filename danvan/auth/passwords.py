"""Password rules (OWASP ASVS 2.1): at least 10 characters, not a common password, not the
username, not the current one. No composition rules and no forced rotation (ASVS 2.1.9, 2.1.10)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from danvan.core.vntext import fold

MIN_LENGTH = 10
MAX_LENGTH = 200
_DATA = Path(__file__).with_name("data")
LISTS = ("common-passwords.txt", "common-passwords-vi.txt")  # sources: data/README.md


@cache
def common_passwords() -> frozenset[str]:
    words: set[str] = set()
    for name in LISTS:
        words.update(line.strip().lower() for line in (_DATA / name).read_text("utf-8").splitlines())
    words.discard("")
    return frozenset(words)


def problem(password: str, username: str = "", current_hash_check=None) -> str | None:
    """The Vietnamese reason a new password is refused, or None when it is acceptable.

    `current_hash_check(password) -> bool` tells whether it equals the current password."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu quá dài (tối đa {MAX_LENGTH} ký tự)."
    if username and fold(username) in fold(password) and len(fold(password)) - len(fold(username)) < 4:
        return "Mật khẩu không được trùng hoặc gần trùng tên đăng nhập."
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        return "Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác (nên dùng một câu dễ nhớ)."
    if current_hash_check is not None and current_hash_check(password):
        return "Mật khẩu mới phải khác mật khẩu hiện tại."
    return None
