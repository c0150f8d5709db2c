#!/usr/bin/env python3
"""Stage 0 of recipes/synth_en: the sentence pool and its train/dev/test split.

  prepare_text.py --conf conf/data.conf --out data/local/text

Sources (all from Debian packages, nothing downloaded):
  fortune   English sentences from the `fortunes` package, filtered (printable
            ASCII, 3-20 words, no tables/code/URLs/abbreviations, every word in
            the `wamerican` dictionary) and normalized;
  digits    digit strings ("the code is four one seven");
  number    numbers in context ("it costs three hundred twelve dollars");
  timedate  times and dates ("at seven thirty", "march third");
  command   short commands ("turn on the kitchen light");
  wordseq   sequences of common dictionary words.
Every sentence is normalized with ../utils/text_norm.py (attend's normalizer),
deduplicated on its normalized form, shuffled with the seed and split, so no
sentence is in two sets. Writes OUT/{train,dev,test}.txt (`sentid sentence`,
sentid = kind letter + number) and OUT/stats.tsv; prints the same statistics.
"""
import argparse
import collections
import glob
import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "utils"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_conf import Conf  # noqa: E402
from text_norm import normalize, spell_number  # noqa: E402

FORTUNE_DIR = "/usr/share/games/fortunes"
DICT = "/usr/share/dict/american-english"
KIND_PREFIX = {"fortune": "f", "digits": "d", "number": "n", "timedate": "t",
               "command": "c", "wordseq": "w"}

# Abbreviations a synthesizer expands ("dr" -> "doctor") while the text keeps them.
ABBREVIATIONS = set("mr mrs ms dr st jr sr vs etc ft lb oz co inc ltd esq gen col lt sgt "
                    "prof rev ca pp vol no jan feb mar apr jun jul aug sep sept oct nov dec "
                    "mon tue wed thu fri sat sun am pm tv ok".split())
CODE_CHARS = re.compile(r"[{}\[\]<>|\\/=_@#$%^&*~`+]")
URL = re.compile(r"https?:|www\.|\.(com|org|net|edu|gov)\b|ftp\.", re.I)


# --------------------------------------------------------------------- fortunes
def load_dictionary():
    """(accepted words, common-word candidates): dictionary words usable in text."""
    accepted, lower_alpha = set(), set()
    with open(DICT, encoding="utf-8", errors="replace") as f:
        for w in f:
            w = w.strip()
            if not w or not w.isascii():
                continue
            # All-caps entries (IBM, UNIX) are read letter by letter or not at all.
            if len(w) > 1 and w.upper() == w:
                continue
            lw = w.lower()
            if lw in ABBREVIATIONS or (len(lw) == 1 and lw not in ("a", "i")):
                continue
            accepted.add(lw)
            if w.isalpha() and w.islower():
                lower_alpha.add(w)
    accepted |= {"a", "i"}
    return accepted, lower_alpha


def fortune_texts():
    for path in sorted(glob.glob(os.path.join(FORTUNE_DIR, "*"))):
        if "." in os.path.basename(path) or not os.path.isfile(path):
            continue
        if os.path.basename(path) in ("art", "ascii-art", "translate-me", "perl"):
            continue  # ASCII drawings, non-English, code
        with open(path, encoding="latin-1") as f:
            yield from f.read().split("\n%\n")


def fortune_sentences(fortune):
    """Candidate sentences (raw text) of one fortune."""
    lines = []
    for line in fortune.split("\n"):
        stripped = line.strip()
        if not stripped:
            lines.append("")
            continue
        if stripped.startswith("--") or stripped.startswith("-- "):
            continue  # attribution
        if "\t" in line.strip() or "   " in stripped:
            return []  # tables, aligned dialogue, poems laid out in columns
        lines.append(stripped)
    for paragraph in " ".join(x if x else "\n" for x in lines).split("\n"):
        for sent in re.split(r'(?<=[.!?])["\')]*\s+', paragraph.strip()):
            sent = sent.strip()
            if sent:
                yield sent


def keep_fortune_sentence(raw, norm, words, accepted, min_words, max_words):
    if not raw.isascii() or not raw.isprintable():
        return False
    if CODE_CHARS.search(raw) or URL.search(raw):
        return False
    if not re.match(r'^["\'(]*[A-Z]', raw) or not re.search(r'[.!?]["\')]*$', raw):
        return False  # fragments from a bad split, headers without a full stop
    if re.search(r"\d[A-Za-z]|[A-Za-z]\d|\d[.,:]\d", raw):
        return False  # 2nd, 4b, 3.14, 1,000, 7:30: read differently from the text
    if re.search(r"\b[A-Za-z]\.[A-Za-z]?\.?", raw):
        return False  # initials and abbreviations with dots (J. R., e.g.)
    if re.search(r":", raw):
        return False  # "Q:", "Knucklehead:", speaker labels and lists
    caps = re.findall(r"\b[A-Z]{2,}\b", raw)
    if caps and raw.upper() != raw:
        return False  # acronyms inside normal text
    if not (min_words <= len(words) <= max_words):
        return False
    return all(w in accepted or w in NUMBER_WORDS for w in words)


NUMBER_WORDS = set("zero one two three four five six seven eight nine ten eleven twelve "
                   "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty "
                   "thirty forty fifty sixty seventy eighty ninety hundred thousand million "
                   "billion trillion".split())


def fortune_pool(conf, accepted):
    """Normalized fortunes sentences and the word counts of all fortunes text."""
    min_w, max_w = conf.int("fortune_min_words"), conf.int("fortune_max_words")
    sentences, counts = [], collections.Counter()
    for fortune in fortune_texts():
        counts.update(re.findall(r"[a-z]+", fortune.lower()))
        for raw in fortune_sentences(fortune):
            norm = normalize(raw)
            words = norm.split()
            if keep_fortune_sentence(raw, norm, words, accepted, min_w, max_w):
                sentences.append(norm)
    return sentences, counts


# ------------------------------------------------------------------- generators
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
            "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NAMES = ["anna", "ben", "carol", "david", "emma", "frank", "grace", "henry", "jack", "kate",
         "laura", "mark", "nina", "oliver", "paul", "rachel", "sam", "tom", "victor", "william",
         "mom", "dad", "grandma", "the office", "the doctor", "my brother", "my sister"]


def ordinal(n):
    if n <= 20:
        return ORDINALS[n - 1]
    tens = spell_number(str(n - n % 10))
    if n % 10 == 0:
        return tens[:-1] + "ieth"  # twenty -> twentieth, thirty -> thirtieth
    return tens + " " + ORDINALS[n % 10 - 1]


def year_words(rng, y):
    """Years as people say them: nineteen eighty four, two thousand seven, twenty twenty."""
    hi, lo = divmod(y, 100)
    if 2000 <= y <= 2009 or rng.random() < 0.2:
        return spell_number(str(y))
    if lo == 0:
        return spell_number(str(hi)) + " hundred"
    if lo < 10:
        return spell_number(str(hi)) + " oh " + spell_number(str(lo))
    return spell_number(str(hi)) + " " + spell_number(str(lo))


def gen_digits(rng):
    n = rng.randint(3, 10)
    digits = " ".join(str(rng.randint(0, 9)) for _ in range(n))
    return rng.choice([
        "{}", "{}", "my phone number is {}", "the code is {}", "dial {}", "enter {}",
        "the pin is {}", "account number {}", "call me at {}", "the number is {}",
        "flight {}", "order number {}", "type {} and press enter", "my zip code is {}",
    ]).format(digits)


def gen_number(rng):
    magnitude = rng.choice([2, 2, 3, 3, 4, 5, 7])
    n = rng.randint(0, 10 ** magnitude - 1)
    small = rng.randint(2, 99)
    return rng.choice([
        "{n}", "it costs {n} dollars", "there are {n} people in the room", "page {s}",
        "room {n}", "the total is {n}", "we drove {n} miles", "add {s} and {n}",
        "the population is {n}", "about {n} years ago", "chapter {s}", "bus number {s}",
        "i need {s} more", "the score was {s} to {s2}", "it weighs {n} grams",
        "the temperature is {s} degrees", "set the volume to {s}", "{s} percent",
        "in the year {n}", "buy {s} eggs", "the answer is {n}", "track {s}",
    ]).format(n=n, s=small, s2=rng.randint(0, 9))


def gen_time(rng):
    h = rng.randint(1, 12)
    hw = spell_number(str(h))
    m = rng.choice([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, rng.randint(1, 59)])
    style = rng.random()
    if m == 0:
        t = rng.choice([hw + " o'clock", hw, hw + " o'clock sharp"])
    elif style < 0.6:
        t = hw + (" oh " + spell_number(str(m)) if m < 10 else " " + spell_number(str(m)))
    elif m == 15:
        t = "quarter past " + hw
    elif m == 30:
        t = "half past " + hw
    elif m == 45:
        t = "quarter to " + spell_number(str(h % 12 + 1))
    elif m < 30:
        t = spell_number(str(m)) + " past " + hw
    else:
        t = spell_number(str(60 - m)) + " to " + spell_number(str(h % 12 + 1))
    if rng.random() < 0.3:
        t += " " + rng.choice(["in the morning", "in the afternoon", "in the evening",
                               "at night", "tonight", "tomorrow"])
    if rng.random() < 0.05:
        t = rng.choice(["noon", "midnight"])
    return rng.choice([
        "at {}", "{}", "wake me up at {}", "the meeting is at {}", "set an alarm for {}",
        "the train leaves at {}", "it is {}", "see you at {}", "dinner is at {}",
        "remind me at {}", "the store opens at {}", "the movie starts at {}",
    ]).format(t)


def gen_date(rng):
    mi = rng.randrange(12)
    d = rng.randint(1, DAYS_IN_MONTH[mi])
    month, day = MONTHS[mi], ordinal(d)
    date = rng.choice(["{m} {d}", "the {d} of {m}", "{m} the {d}"]).format(m=month, d=day)
    r = rng.random()
    if r < 0.25:
        date = rng.choice(WEEKDAYS) + " " + date
    elif r < 0.5:
        date += " " + year_words(rng, rng.randint(1900, 2030))
    return rng.choice([
        "{}", "on {}", "my birthday is on {}", "the party is on {}", "it was {}",
        "the deadline is {}", "we arrive on {}", "schedule it for {}", "born on {}",
        "the shop closes on {}", "next holiday is {}",
    ]).format(date)


def gen_command(rng):
    device = rng.choice(["light", "lights", "lamp", "fan", "heater", "radio", "television",
                         "music", "oven", "coffee machine", "air conditioner", "alarm",
                         "camera", "computer", "printer", "dishwasher", "washing machine"])
    room = rng.choice(["kitchen", "bedroom", "living room", "bathroom", "garage", "office",
                       "hallway", "garden", "basement", "dining room"])
    n = rng.randint(1, 90)
    genre = rng.choice(["jazz", "rock", "classical", "pop", "country", "blues", "folk",
                        "some relaxing", "dance", "piano"])
    when = rng.choice(["today", "tomorrow", "tonight", "this weekend", "next week",
                       "on monday", "in the morning", "this afternoon"])
    task = rng.choice(["buy milk", "call the bank", "water the plants", "feed the cat",
                       "take out the trash", "pay the rent", "send the letter", "book a table",
                       "pick up the kids", "clean the car", "check the mail", "walk the dog"])
    t = rng.choice([
        "turn on the {device}", "turn off the {device}", "turn on the {room} {device}",
        "turn off the {device} in the {room}", "switch on the {device}", "switch off the {room} light",
        "dim the lights in the {room}", "set the temperature to {n} degrees",
        "set the {room} thermostat to {n}", "set a timer for {n} minutes",
        "play {genre} music", "play {genre} music in the {room}", "stop the music",
        "call {name}", "send a message to {name}", "what is the weather {when}",
        "will it rain {when}", "remind me to {task} {when}", "remind me to {task}",
        "open the {room} door", "close the {room} window", "lock the front door",
        "turn the volume up", "turn the volume down", "pause", "next song", "skip this track",
        "add {task2} to my list", "what time is it", "how long until {when}",
        "start the {device}", "stop the {device}", "is the {device} on",
        "show me the {room} camera", "cancel my alarm", "increase the brightness to {n} percent",
    ])
    return t.format(device=device, room=room, n=n, genre=genre, name=rng.choice(NAMES),
                    when=when, task=task, task2=rng.choice(["milk", "bread", "eggs", "apples",
                                                            "coffee", "rice", "butter"]))


def generated(rng, kind, count, make, seen, out):
    """Appends up to `count` new distinct normalized sentences of one kind."""
    added, attempts = 0, 0
    while added < count and attempts < 50 * count + 1000:
        attempts += 1
        s = normalize(make(rng))
        if s and s not in seen:
            seen.add(s)
            out.append((kind, s))
            added += 1
    return added


# ------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conf", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    conf = Conf(args.conf)
    rng = random.Random(conf.int("seed"))

    accepted, lower_alpha = load_dictionary()
    fortunes, counts = fortune_pool(conf, accepted)
    seen, pool = set(), []
    for s in fortunes:
        if s not in seen:
            seen.add(s)
            pool.append(("fortune", s))
    common = sorted(w for w in lower_alpha
                    if counts[w] >= conf.int("common_word_min_count") and (len(w) > 1 or w in "ai"))
    lo, hi = (int(x) for x in conf.list("word_sequence_length"))

    def gen_wordseq(r):
        return " ".join(r.choice(common) for _ in range(r.randint(lo, hi)))

    def gen_timedate(r):
        return gen_time(r) if r.random() < 0.5 else gen_date(r)

    wanted = [("digits", conf.int("num_digit_strings"), gen_digits),
              ("number", conf.int("num_numbers"), gen_number),
              ("timedate", conf.int("num_times_dates"), gen_timedate),
              ("command", conf.int("num_commands"), gen_command),
              ("wordseq", conf.int("num_word_sequences"), gen_wordseq)]
    for kind, count, make in wanted:
        got = generated(rng, kind, count, make, seen, pool)
        if got < count:
            print(f"prepare_text: only {got} distinct '{kind}' sentences (asked {count})",
                  file=sys.stderr)

    ids = collections.Counter()
    numbered = []
    for kind, s in pool:
        ids[kind] += 1
        numbered.append((f"{KIND_PREFIX[kind]}{ids[kind]:06d}", kind, s))
    rng.shuffle(numbered)
    n_dev, n_test = conf.int("num_dev_sentences"), conf.int("num_test_sentences")
    if n_dev + n_test >= len(numbered):
        raise SystemExit(f"prepare_text: pool of {len(numbered)} is too small for "
                         f"{n_dev} dev + {n_test} test sentences")
    splits = {"dev": numbered[:n_dev], "test": numbered[n_dev:n_dev + n_test],
              "train": numbered[n_dev + n_test:]}

    os.makedirs(args.out, exist_ok=True)
    for name, items in splits.items():
        with open(os.path.join(args.out, name + ".txt"), "w", encoding="utf-8") as f:
            for sid, _, s in sorted(items):
                f.write(f"{sid} {s}\n")
    # Statistics: sentences per kind per split, words, common-word list size.
    kinds = list(KIND_PREFIX)
    rows = [["split"] + kinds + ["total", "words", "mean_words"]]
    for name in ("train", "dev", "test"):
        c = collections.Counter(k for _, k, _ in splits[name])
        words = sum(len(s.split()) for _, _, s in splits[name])
        rows.append([name] + [str(c[k]) for k in kinds] +
                    [str(len(splits[name])), str(words), f"{words / len(splits[name]):.1f}"])
    with open(os.path.join(args.out, "stats.tsv"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"prepare_text: {len(numbered)} distinct sentences; {len(common)} common words; "
          f"{len(accepted)} dictionary words", file=sys.stderr)
    for r in rows:
        print("  " + "".join(x.ljust(10) for x in r), file=sys.stderr)


if __name__ == "__main__":
    main()
