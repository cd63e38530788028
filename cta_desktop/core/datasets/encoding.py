"""Text encoding detection from a bounded sample of a file.

A BOM or a NUL-byte pattern means UTF-16; otherwise the sample is checked as strict UTF-8. A
mostly-UTF-8 sample keeps UTF-8 and reads the odd bytes as Windows-1252; a single-byte sample gets
whichever of Windows-1252 / Mac Roman yields the more plausible characters (letters inside words,
typographic quotes; not control characters, undefined bytes or stray symbols). UTF-8 is always read
with the Windows-1252 fallback handler, so a stray byte after the sample costs one character, not
the import: the file is never read a second time just to check its encoding.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 1024 * 1024  # the bounded sample every preview reads (encoding, format, layout)

# Characters that are normal in tweets written in Western European languages.
_PLAUSIBLE_SYMBOLS = frozenset("€£¥©®™°§¶•·…–—‘’‚“”„«»¡¿×")


def _register_error_handlers() -> None:
    def latin1_bytes(exc: UnicodeError) -> tuple[str, int]:
        # Bytes a codec cannot map (cp1252 leaves five undefined) are kept as the Latin-1 character.
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        return exc.object[exc.start : exc.end].decode("latin-1"), exc.end

    def cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
        # For a mostly-UTF-8 file: invalid UTF-8 bytes are read as Windows-1252.
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        return exc.object[exc.start : exc.end].decode("cp1252", "cta-latin1"), exc.end

    codecs.register_error("cta-latin1", latin1_bytes)
    codecs.register_error("cta-cp1252", cp1252_bytes)


_register_error_handlers()


@dataclass(frozen=True)
class DetectedEncoding:
    codec: str  # what Python opens the file with
    errors: str  # the decode error handler
    label: str  # what we tell the user, e.g. "utf-8", "utf-8 (BOM)", "mac_roman"


def _plausibility(text: str) -> float:
    """Score decoded text: high when its non-ASCII characters look like real writing."""
    score = 0.0
    n = len(text)
    for i, ch in enumerate(text):
        if ch < "\x80":
            continue
        cat = unicodedata.category(ch)
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if ch == "\ufffd" or cat in ("Cc", "Cn", "Co", "Cs"):
            score -= 10
        elif cat[0] == "L":
            prev_lower = prev.isalpha() and prev.islower()
            if cat == "Ll" and (prev_lower or (nxt.isalpha() and nxt.islower())):
                score += 2
            elif cat == "Lu" and prev_lower:
                score -= 2
            else:
                score += 0.25
        elif ch in _PLAUSIBLE_SYMBOLS:
            score += 1.5 if ch in "’‘" and prev.isalpha() and nxt.isalpha() else 1
        elif cat != "Zs":
            score -= 1
    return score


def _score_single_byte(sample: bytes) -> str:
    """Windows-1252 or Mac Roman? Bytes cp1252 leaves undefined never occur in real cp1252 text."""
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "mac_roman"
    cp = _plausibility(sample.decode("cp1252", "replace"))
    mac = _plausibility(sample.decode("mac_roman", "replace"))
    return "cp1252" if cp >= mac else "mac_roman"


def _looks_utf16(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul > 0.3 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


def detect_encoding_of(head: bytes, complete: bool = True) -> DetectedEncoding:
    """The encoding of a file whose first bytes are `head` (`complete`: head is the whole file)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return DetectedEncoding("utf-32", "replace", "utf-32 (BOM)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DetectedEncoding("utf-16", "replace", "utf-16 (BOM)")
    if (u16 := _looks_utf16(head)) is not None:
        return DetectedEncoding(u16, "replace", u16)
    codec, label = ("utf-8-sig", "utf-8 (BOM)") if head.startswith(codecs.BOM_UTF8) else ("utf-8", "utf-8")
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=complete)
        return DetectedEncoding(codec, "cta-cp1252", label)
    except UnicodeDecodeError:
        pass
    # Not UTF-8 throughout. Count valid multi-byte characters against invalid bytes (no global
    # error handler: the preview may run on several threads at once).
    decoded = head.decode("utf-8", "ignore")
    invalid = len(head) - len(decoded.encode("utf-8"))
    valid_multibyte = len(decoded) - len(decoded.encode("ascii", "ignore"))
    if valid_multibyte > invalid:
        return DetectedEncoding(codec, "cta-cp1252", label + " (some bytes read as cp1252)")
    choice = _score_single_byte(head)
    return DetectedEncoding(choice, "cta-latin1", choice)


def detect_encoding(path: str | Path) -> DetectedEncoding:
    """Detect a file's text encoding from its first `HEAD_BYTES` (see the module docstring)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        complete = not fh.read(1)
    return detect_encoding_of(head, complete)
