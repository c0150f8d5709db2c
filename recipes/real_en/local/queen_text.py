"""Script text of Flight of the Amazon Queen to the recipe's normalized text.

On top of datadir.normalize_script: `(sigh)`, `(gulp)`, `(UNGH)` are stage
directions like `<gulp>`; years are read as years ("1844" -> eighteen forty
four, "1940's" -> nineteen forties); "13th" is an ordinal; "19:00 Hours" is
nineteen hundred hours.
"""
import re

from datadir import normalize_script

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth",
            "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}

_PAREN_TAG = re.compile(r"\(([A-Za-z]+)\)")
_ONLY_TAGS = re.compile(r"^(\s*<[^<>]*>\s*[.,!?]*)+\s*$")
_YEAR = re.compile(r"\b(1[1-9])(\d\d)('?s)?\b")
_ORDINAL_NUMBER = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b")
_HOURS = re.compile(r"\b(\d{1,2}):00(?= [Hh]ours\b)")


def two_digits(n):
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])


def _plural(words):
    last = words.split()[-1]
    return words[: -len(last)] + (last[:-1] + "ies" if last.endswith("y") else last + "s")


def year_words(century, rest, plural=False):
    """1844 -> "eighteen forty four", 1900 -> "nineteen hundred", 1905 -> "nineteen oh five"."""
    if rest == 0:
        words = two_digits(century) + " hundred"
    elif rest < 10:
        words = two_digits(century) + " oh " + _ONES[rest]
    else:
        words = two_digits(century) + " " + two_digits(rest)
    return _plural(words) if plural else words


def ordinal_words(n):
    words = two_digits(n).split()
    last = words[-1]
    if last in _ORDINAL:
        last = _ORDINAL[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join(words[:-1] + [last])


def spoken_form(raw):
    """The raw script line with the game's own conventions spelled out."""
    text = _PAREN_TAG.sub(r"<\1>", raw)
    text = _YEAR.sub(lambda m: year_words(int(m.group(1)), int(m.group(2)), bool(m.group(3))), text)
    text = _ORDINAL_NUMBER.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = _HOURS.sub(lambda m: two_digits(int(m.group(1))) + " hundred", text)
    return text


def script_text(raw):
    """The normalized words of one script segment ("" when it holds none)."""
    return normalize_script(spoken_form(raw))


def is_non_speech(raw):
    """Whether the segment's whole text is stage tags (`<laugh>`, `(sigh)`)."""
    return bool(_ONLY_TAGS.match(_PAREN_TAG.sub(r"<\1>", raw)))
