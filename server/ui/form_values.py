"""Values of the "Proponi modifica" form: numbers in Italian notation, lists one item per line."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation


def show_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format(Decimal(value).normalize(), "f").replace(".", ",") if value % 1 else str(int(value))
    return str(value)


def parse_number(text: str):
    """'12.500,50', '12500,5', '12500.50', '1.500' (Italian thousands) → Decimal; else None."""
    text = text.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def lines(value) -> str:
    return "\n".join(value or [])


def split(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def amount(text: str, path: str, errors: dict):
    if not text.strip():
        return None
    value = parse_number(text)
    if value is None:
        errors[path] = "Scrivere un importo in euro, ad esempio 12500,50."
        return text
    return value


def number_or_text(text: str):
    if not text.strip():
        return None
    value = parse_number(text)
    return value if value is not None else text.strip()


def year(text: str, path: str, errors: dict):
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        errors[path] = "Scrivere l'anno con quattro cifre, ad esempio 2026."
        return text
    return int(text)


def indexed_rows(form, prefix: str, keys) -> list[dict]:
    """The rows `prefix.N.key` of a submitted form, in the order of N; each row keeps its N as "_i"."""
    indices = sorted({int(m.group(1)) for k in form.keys() if (m := re.match(re.escape(prefix) + r"\.(\d+)\.", k))})
    return [{key: form.get(f"{prefix}.{i}.{key}", "") for key in keys} | {"_i": i} for i in indices]


def compact(value: dict) -> dict:
    return {k: v for k, v in value.items() if v not in (None, "", [], {})}
