"""Party personal data: masked names and salted hashes of ID numbers, never the clear values.

The same formulas run in SQL in the import (``importer``, DuckDB in process): the clear values stay in
the import's memory and never reach the database; ``tests`` prove both give identical results.
"""
from __future__ import annotations

import hashlib

from django.conf import settings


_salt_cache: dict[str, str] = {}


def salt() -> str:
    """Per installation, derived from the secret key unless set explicitly (same salt → hashes comparable)."""
    key = settings.SECRET_KEY
    if key not in _salt_cache:
        _salt_cache[key] = _derive()
    return _salt_cache[key]


def _derive() -> str:
    explicit = getattr(settings, "FAZHI_PERSONAL_DATA_SALT", "")
    if explicit:
        return explicit
    return hashlib.sha256(f"fazhi.enforcement.party|{settings.SECRET_KEY}".encode()).hexdigest()[:32]


def hash_id(value: str) -> str:
    value = (value or "").strip().upper()
    if not value:
        return ""
    return hashlib.sha256(f"{salt()}{value}".encode()).hexdigest()


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧*: the first character and one star (个人信息保护法 第二十八条 敏感信息最小化)."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else ""
