#!/usr/bin/env python3
"""The recipe's text normalizer: a line-for-line port of attend's C++ normalizer
(decoder/text_normalizer.{h,cc}, TextNormalizer with its default options), so the
text the recipe writes is already in the form `attend` trains on and scores with.

Steps, in order: digit runs spelled out in English ("1905" -> "one thousand nine
hundred five"; runs longer than 15 digits digit by digit), ASCII lowercase, ASCII
punctuation dropped except apostrophes between two ASCII letters, whitespace runs
collapsed to one space and trimmed. Bytes >= 0x80 pass through unchanged.

Usage as a filter:  text_norm.py [--has-key] < in > out
  --has-key: lines are Kaldi `key text`; the key is kept as is.
recipes/utils/check_text_norm.sh compares this with the C++ implementation on a corpus.
"""
import sys

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ["", "thousand", "million", "billion", "trillion"]
_SPACE = frozenset(b" \t\n\v\f\r")
_PUNCT = frozenset(b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _is_alpha(c):
    return 65 <= c <= 90 or 97 <= c <= 122


def _is_digit(c):
    return 48 <= c <= 57


def _below_thousand(n, out):
    if n >= 100:
        out += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        out.append(_TENS[n // 10])
        n %= 10
        if n > 0:
            out.append(_ONES[n])
    elif n > 0:
        out.append(_ONES[n])


def spell_number(digits):
    """English words for a non-negative integer given as a digit string."""
    d = digits.lstrip("0")
    if not d:
        return "zero"
    if len(d) > 15:
        return " ".join(_ONES[int(c)] for c in digits)
    out = []
    groups = (len(d) + 2) // 3
    pos = 0
    for g in range(groups - 1, -1, -1):
        length = len(d) - pos - 3 * g
        value = int(d[pos:pos + length])
        pos += length
        if value == 0:
            continue
        _below_thousand(value, out)
        if g > 0:
            out.append(_SCALES[g])
    return " ".join(out)


def normalize(text):
    """The normalized form of `text` (str in, str out; UTF-8 semantics as in C++)."""
    b = text.encode("utf-8", "surrogateescape")
    s = bytearray()
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        if _is_digit(c):
            j = i
            while j < n and _is_digit(b[j]):
                j += 1
            s += b" " + spell_number(b[i:j].decode("ascii")).encode("ascii") + b" "
            i = j
            continue
        if c in _SPACE:
            s.append(32)
        elif c in _PUNCT:
            in_word = (c == 39 and i > 0 and i + 1 < n and _is_alpha(b[i - 1])
                       and _is_alpha(b[i + 1]))
            s.append(39 if in_word else 32)
        elif 65 <= c <= 90:
            s.append(c + 32)
        else:
            s.append(c)
        i += 1
    return _collapse(bytes(s))


def _collapse(s):
    # Only the ASCII space separates here: other whitespace was mapped to it in pass 1.
    return " ".join(p for p in s.decode("utf-8", "surrogateescape").split(" ") if p)


def main():
    has_key = "--has-key" in sys.argv[1:]
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", errors="surrogateescape",
                 newline="\n")
    stdout = open(sys.stdout.fileno(), "w", encoding="utf-8", errors="surrogateescape")
    for line in stdin:
        line = line.rstrip("\n")
        if has_key:
            key, _, rest = line.partition(" ")
            stdout.write(key + " " + normalize(rest) + "\n")
        else:
            stdout.write(normalize(line) + "\n")
    stdout.flush()


if __name__ == "__main__":
    main()
