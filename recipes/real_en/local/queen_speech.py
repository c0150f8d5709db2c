"""How a spoken line of Flight of the Amazon Queen is cut into voice files.

A line is split at `*XX` stage commands (two characters after `*`; `*XY` is
followed by 11 more, a position like `00(237,112)`). Each command ends a segment;
segment k (0-based) is voiced by the file `<prefix><k+1 in hex>`. `*GD` and `*GM`
(Joe grabs down / mid) use up a segment number but play no file. The text after
the last command, if any, is the last segment.

Voice file names: the prefix (talk key, line id, P/J, or JOE%04d, or a cutscene
name) plus the segment digit; spaces in the first 8 characters become `0`, letters
are upper case, and `.SB` is appended.
"""

SILENT_COMMANDS = ("GD", "GM")
XY_ARGUMENT_CHARS = 11


def split_segments(line):
    """[(segment number 1.., text, voiced)] for one script line.

    voiced is False for the segment ended by `*GD`/`*GM` (no voice file). Empty
    segments (a command at the start, two commands in a row) are listed too, with
    text "": the game asks for their file, which usually does not exist.
    """
    out = []
    index = 0
    start = 0
    i = 0
    n = len(line)
    while i < n:
        if line[i] != "*":
            i += 1
            continue
        text = line[start:i]
        code = line[i + 1:i + 3]
        i += 3
        if code == "XY":
            i += XY_ARGUMENT_CHARS
        out.append((index + 1, text, code not in SILENT_COMMANDS))
        index += 1
        start = i
    if start < n:
        out.append((index + 1, line[start:], True))
    return out


def voice_file_name(prefix, segment):
    """The .SB entry name for segment `segment` (1-based) of a line with `prefix`."""
    name = prefix + "%x" % segment
    name = name[:8].replace(" ", "0") + name[8:]
    return name.upper() + ".SB"


def dialogue_prefix(talk_key, line_id, who):
    """Prefix of a conversation line: talk key `%2d`, line id `%4x` (or the
    strings "SSSS" / "XXXX"), then who speaks: "P" (the other person) or "J" (Joe)."""
    ident = line_id if isinstance(line_id, str) else "%4x" % line_id
    return "%2d%s%s" % (talk_key, ident, who)


def joe_prefix(number):
    """Prefix of Joe's response (1-40) or object description (40 + its number)."""
    return "JOE%04d" % number
