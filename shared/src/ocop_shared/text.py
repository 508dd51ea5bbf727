"""Vietnamese text at the boundary: one rule for what users type, one fold for search.

Two halves, both kernel rules every service applies the same way:

- **Input** (`Text`, `MultilineText`, `clean_text`): trimmed, NFC (a name typed on a keyboard
  that sends decomposed marks is stored and shown composed), and no control characters. A
  single-line field refuses every C0/C1 control, DEL and the invisible bidirectional
  overrides; a multi-line field allows line breaks and tabs (CRLF and CR become LF).
- **Search** (`fold`, `words`, `tokens`, `matches`): no diacritics, đ → d, lower case, letters
  from other alphabets or full-width keyboards that look Latin read as Latin, word order
  irrelevant.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

_WORD = re.compile(r"[a-z0-9]+")

# ---------------------------------------------------------------------------------------------
# Input: the rule for every text field a person or a spreadsheet sends
# ---------------------------------------------------------------------------------------------

# Format characters that reorder or hide text (Trojan-source style) are refused like controls.
_INVISIBLE = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
_MULTILINE_ALLOWED = frozenset("\n\t")


def _forbidden(char: str, *, multiline: bool) -> bool:
    if multiline and char in _MULTILINE_ALLOWED:
        return False
    return unicodedata.category(char) == "Cc" or char in _INVISIBLE


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters ``text`` may not hold, as ``U+0003`` codes (empty when it is clean)."""
    seen: dict[str, None] = {}
    for char in text:
        if _forbidden(char, multiline=multiline):
            seen[f"U+{ord(char):04X}"] = None
    return list(seen)


def normalise_text(text: str, *, multiline: bool = False) -> str:
    """Trimmed NFC text; line endings LF in multi-line text. Does not check controls."""
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


class TextRefusedError(ValueError):
    """``clean_text`` refused a value; the message is Vietnamese and names the field."""


def clean_text(value: str, *, field: str | None = None, multiline: bool = False) -> str:
    """``value`` trimmed and in NFC, or :class:`TextRefusedError` when it holds control characters.

    ``field`` is the Vietnamese label (or name) of the field, used in the message.
    """
    text = normalise_text(value, multiline=multiline)
    bad = control_characters(text, multiline=multiline)
    if bad:
        raise TextRefusedError(refusal_message(field, bad, multiline=multiline))
    return text


def refusal_message(field: str | None, codes: list[str], *, multiline: bool) -> str:
    where = f"«{field}»" if field else "Nội dung"
    allowed = " (chỉ được xuống dòng và tab)" if multiline else ""
    return f"{where} chứa ký tự điều khiển không được phép{allowed}: {', '.join(codes)}"


def _validator(*, multiline: bool) -> Any:
    def check(value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value  # pydantic's own type check answers for non-text
        text = normalise_text(value, multiline=multiline)
        bad = control_characters(text, multiline=multiline)
        if bad:
            # Named by the field here; problem+json names it by its Vietnamese label
            # (``ocop_shared.validation_vi``), and forms by theirs.
            raise PydanticCustomError(
                "text_control_characters",
                refusal_message(info.field_name, bad, multiline=multiline),
                {"codes": bad, "multiline": multiline},
            )
        return text

    check.ocop_text_rule = True  # type: ignore[attr-defined]  # found by unchecked_text_fields
    return check


Text = Annotated[str, BeforeValidator(_validator(multiline=False))]
"""A single-line text input: trimmed, NFC, no control characters (not even tab or newline)."""

MultilineText = Annotated[str, BeforeValidator(_validator(multiline=True))]
"""A multi-line text input (notes, reasons, descriptions): like `Text`, but keeps LF and tab."""


def _has_rule(item: Any) -> bool:
    return getattr(getattr(item, "func", None), "ocop_text_rule", False) is True


def _walk(annotation: Any) -> tuple[bool, bool, list[Any]]:
    """(holds str, every str under the text rule, nested models) of one annotation."""
    if annotation is str:
        return True, False, []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False, True, [annotation]
    args = get_args(annotation)
    if get_origin(annotation) is Annotated:
        base, *metadata = args
        if base is str:
            return True, any(_has_rule(m) for m in metadata), []
        return _walk(base)
    holds, checked, models = False, True, []
    for arg in args:
        arg_holds, arg_checked, arg_models = _walk(arg)
        holds = holds or arg_holds
        checked = checked and (arg_checked or not arg_holds)
        models += arg_models
    return holds, checked, models


def unchecked_text_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Fields of an input model (and the models nested in it) that take text without the
    text rule: a test asserts this is empty for every command and form a service accepts."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        holds, checked, models = _walk(info.annotation)
        if holds and not checked and not any(_has_rule(m) for m in info.metadata):
            found.append(f"{prefix}{name}")
        for nested in models:
            found += unchecked_text_fields(nested, f"{prefix}{name}.")
    return found


# ---------------------------------------------------------------------------------------------
# Search: one fold for every search box and matcher
# ---------------------------------------------------------------------------------------------


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# Every precomposed Latin letter with marks (Vietnamese uses U+00C0–U+1EF9) → its bare
# letter, so folding is one C-level translate instead of a Python loop per character.
_FOLD = {
    code: _strip_marks(chr(code))
    for code in range(0x00C0, 0x1EFA)
    if unicodedata.category(chr(code)).startswith("L") and _strip_marks(chr(code)) != chr(code)
}
_FOLD.update({ord("đ"): "d", ord("Đ"): "D", ord("Ð"): "D", ord("ɖ"): "d", ord("Ɖ"): "D"})

# Letters of other alphabets that look like Latin ones: a name typed on a Russian or Greek
# layout (or pasted from a document that used one) must still be found.
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ї": "I", "Ј": "J", "Ѕ": "S", "Һ": "H",
    "Ԁ": "D", "Ү": "Y",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "η": "n", "μ": "u", "ω": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin variants
    "ı": "i", "ſ": "s", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
}  # fmt: skip
_FOLD.update({ord(k): v for k, v in _LOOKALIKES.items()})


def fold(text: str) -> str:
    """'Bưởi Đoan Hùng' → 'buoi doan hung': no diacritics, đ → d, lower case.

    Full-width and other compatibility forms (NFKC), combining marks whether precomposed or
    not, and Cyrillic/Greek letters that look Latin all fold to the plain Latin letter.
    """
    folded = unicodedata.normalize("NFKC", text)
    if not folded.isascii():
        folded = folded.translate(_FOLD)
    if not folded.isascii():  # combining marks NFKC could not compose, other scripts
        folded = _strip_marks(folded).translate(_FOLD)
    return folded.lower()


def words(text: str | None) -> list[str]:
    """Folded words in order, repeats kept ('Trà bưởi' → ['tra', 'buoi'])."""
    return _WORD.findall(fold(text or ""))


def tokens(*texts: str | None) -> list[str]:
    """Distinct folded words of all texts, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen[word] = None
    return list(seen)


def matches(query: str | None, *texts: str | None) -> bool:
    """Every folded word of ``query`` begins a word of one of ``texts``, in any order.

    'doan hung buoi' finds 'Bưởi Đoan Hùng'; 'buoi doan h' too (the last word still being
    typed). An empty query matches everything.
    """
    wanted = words(query)
    if not wanted:
        return True
    have = tokens(*texts)
    return all(any(word.startswith(w) for word in have) for w in wanted)
