"""Vietnamese names folded for search: without accents, case or extra spaces.

"Lạp xưởng Cần Đước" folds to "lap xuong can duoc", so a search typed on a keyboard
without Vietnamese input finds it. Unicode decomposition (NFD) separates the base letters
from their tone and vowel marks, which are dropped; but "đ"/"Đ" (d with stroke) is a
letter of its own that NFD does not decompose, so it is mapped to "d" explicitly
(a transliteration table such as unidecode's is not needed for that, and is not used).
"""
import re
import unicodedata

_STROKED_D = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"\w+")


def folded(text):
    """``text`` lower-cased, without combining marks, "đ" as "d", words single-spaced."""
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED_D))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(bare.casefold()))


def words(text):
    """The distinct folded words of ``text``, as a search index keeps them."""
    return sorted(set(folded(text).split()))
