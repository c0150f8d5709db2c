"""The game's text: Huffman-coded sections, and text numbers to speech files.

A text section file (60600 + 8 x language + section; English 60600-60607) starts
with two u16 offsets: the per-line skip table and the bit data. Between them,
from byte 4, a u16 size per block of 32 lines (all blocks but the last). The skip table has one byte per
line (so the section has offset2 - offset1 lines); a byte with bit 7 set stands
for (byte & 0x7F) x 8. Sizes and skips are in units of 2 bits. A line's bits
start at (sum of the sizes of the blocks before it + the skips of the lines
before it in its block) 2-bit units into the bit data, read from the most
significant bit, and are Huffman codes (a 1 bit goes right) up to the code for
0. The tree is fixed per game version and not in the data.
"""
import struct

TEXT_FILE_0 = 60600
SECTIONS = 8
SPEECH_FILE_0 = 50000
# First speech file (minus 50000) of each text section: speech = 50000 +
# offset[section] + line, for text number section * 4096 + line.
SPEECH_SECTION_OFFSETS = (0, 600, 1100, 2430, 3380, 4530, 5080, 5230)

# The Huffman tree of game version 0.0372 (the CD version), as the engine has it
# compiled in: per node (left child, right child, character); a leaf has no
# children. Nodes are numbered in preorder (a node's left child is the next node).
HUFF_TREE_0372 = (
    (1, 20, 0), (2, 7, 0), (3, 4, 0), (0, 0, 0x20), (5, 6, 0),             # 0
    (0, 0, 0x65), (0, 0, 0x61), (8, 15, 0), (9, 12, 0), (10, 11, 0),        # 5
    (0, 0, 0x6F), (0, 0, 0x73), (13, 14, 0), (0, 0, 0x74), (0, 0, 0x6E),    # 10
    (16, 19, 0), (17, 18, 0), (0, 0, 0x2E), (0, 0, 0x69), (0, 0, 0x72),     # 15
    (21, 44, 0), (22, 31, 0), (23, 28, 0), (24, 27, 0), (25, 26, 0),        # 20
    (0, 0, 0x00), (0, 0, 0x45), (0, 0, 0x75), (29, 30, 0), (0, 0, 0x6D),    # 25
    (0, 0, 0x41), (32, 39, 0), (33, 36, 0), (34, 35, 0), (0, 0, 0x6C),      # 30
    (0, 0, 0x49), (37, 38, 0), (0, 0, 0x64), (0, 0, 0x52), (40, 43, 0),     # 35
    (41, 42, 0), (0, 0, 0x4E), (0, 0, 0x53), (0, 0, 0x54), (45, 68, 0),     # 40
    (46, 55, 0), (47, 52, 0), (48, 51, 0), (49, 50, 0), (0, 0, 0x4F),       # 45
    (0, 0, 0x68), (0, 0, 0x63), (53, 54, 0), (0, 0, 0x44), (0, 0, 0x67),    # 50
    (56, 63, 0), (57, 60, 0), (58, 59, 0), (0, 0, 0x4C), (0, 0, 0x43),      # 55
    (61, 62, 0), (0, 0, 0x70), (0, 0, 0x55), (64, 67, 0), (65, 66, 0),      # 60
    (0, 0, 0x21), (0, 0, 0x79), (0, 0, 0x4D), (69, 88, 0), (70, 79, 0),     # 65
    (71, 76, 0), (72, 75, 0), (73, 74, 0), (0, 0, 0x50), (0, 0, 0x76),      # 70
    (0, 0, 0x48), (77, 78, 0), (0, 0, 0x3F), (0, 0, 0x62), (80, 85, 0),     # 75
    (81, 84, 0), (82, 83, 0), (0, 0, 0x27), (0, 0, 0x66), (0, 0, 0x2C),     # 80
    (86, 87, 0), (0, 0, 0x47), (0, 0, 0x42), (89, 108, 0), (90, 99, 0),     # 85
    (91, 96, 0), (92, 95, 0), (93, 94, 0), (0, 0, 0x56), (0, 0, 0x6B),      # 90
    (0, 0, 0x46), (97, 98, 0), (0, 0, 0x71), (0, 0, 0x77), (100, 105, 0),   # 95
    (101, 104, 0), (102, 103, 0), (0, 0, 0x4B), (0, 0, 0x2D), (0, 0, 0x57),  # 100
    (106, 107, 0), (0, 0, 0x4A), (0, 0, 0x2A), (109, 128, 0), (110, 117, 0),  # 105
    (111, 114, 0), (112, 113, 0), (0, 0, 0x7A), (0, 0, 0x59), (115, 116, 0),  # 110
    (0, 0, 0x6A), (0, 0, 0x2B), (118, 123, 0), (119, 122, 0), (120, 121, 0),  # 115
    (0, 0, 0x51), (0, 0, 133), (0, 0, 0x29), (124, 127, 0), (125, 126, 0),   # 120
    (0, 0, 0x5A), (0, 0, 139), (0, 0, 0x3C), (129, 150, 0), (130, 139, 0),   # 125
    (131, 136, 0), (132, 135, 0), (133, 134, 0), (0, 0, 149), (0, 0, 126),   # 130
    (0, 0, 138), (137, 138, 0), (0, 0, 135), (0, 0, 0x3A), (140, 145, 0),    # 135
    (141, 144, 0), (142, 143, 0), (0, 0, 127), (0, 0, 0x5D), (0, 0, 0x23),   # 140
    (146, 149, 0), (147, 148, 0), (0, 0, 0x78), (0, 0, 0x58), (0, 0, 145),   # 145
    (151, 172, 0), (152, 163, 0), (153, 158, 0), (154, 157, 0), (155, 156, 0),  # 150
    (0, 0, 136), (0, 0, 0x60), (0, 0, 0x32), (159, 162, 0), (160, 161, 0),   # 155
    (0, 0, 0x30), (0, 0, 131), (0, 0, 0x31), (164, 169, 0), (165, 168, 0),   # 160
    (166, 167, 0), (0, 0, 0x2F), (0, 0, 0x28), (0, 0, 0x3D), (170, 171, 0),  # 165
    (0, 0, 134), (0, 0, 0x5E), (173, 190, 0), (174, 181, 0), (175, 178, 0),  # 170
    (176, 177, 0), (0, 0, 0x33), (0, 0, 0x39), (179, 180, 0), (0, 0, 152),   # 175
    (0, 0, 0x34), (182, 187, 0), (183, 186, 0), (184, 185, 0), (0, 0, 0x7D),  # 180
    (0, 0, 0x38), (0, 0, 0x5C), (188, 189, 0), (0, 0, 0x22), (0, 0, 144),    # 185
    (191, 206, 0), (192, 199, 0), (193, 196, 0), (194, 195, 0), (0, 0, 0x26),  # 190
    (0, 0, 141), (197, 198, 0), (0, 0, 0x35), (0, 0, 0x36), (200, 203, 0),   # 195
    (201, 202, 0), (0, 0, 146), (0, 0, 143), (204, 205, 0), (0, 0, 142),     # 200
    (0, 0, 147), (207, 220, 0), (208, 213, 0), (209, 212, 0), (210, 211, 0),  # 205
    (0, 0, 140), (0, 0, 0x37), (0, 0, 128), (214, 217, 0), (215, 216, 0),    # 210
    (0, 0, 129), (0, 0, 153), (218, 219, 0), (0, 0, 0x24), (0, 0, 0x40),     # 215
    (221, 230, 0), (222, 227, 0), (223, 226, 0), (224, 225, 0), (0, 0, 0x5B),  # 220
    (0, 0, 154), (0, 0, 0x5F), (228, 229, 0), (0, 0, 0x3E), (0, 0, 150),     # 225
    (231, 236, 0), (232, 235, 0), (233, 234, 0), (0, 0, 130), (0, 0, 0x25),  # 230
    (0, 0, 0x09), (237, 240, 0), (238, 239, 0), (0, 0, 156), (0, 0, 151),    # 235
    (241, 242, 0), (0, 0, 0x7B), (243, 244, 0), (0, 0, 148), (0, 0, 0x21),   # 240
)


def check_tree(tree):
    """Raises ValueError unless `tree` is a full binary tree rooted at node 0."""
    seen = [0] * len(tree)
    for i, (left, right, _) in enumerate(tree):
        if (left == 0) != (right == 0):
            raise ValueError("node %d has one child" % i)
        for child in (left, right):
            if child:
                if not i < child < len(tree):
                    raise ValueError("node %d: child %d out of order" % (i, child))
                seen[child] += 1
    if seen[0] or any(n != 1 for n in seen[1:]):
        raise ValueError("not a tree: a node is not reached exactly once")


def code_table(tree=HUFF_TREE_0372):
    """{character code: bit string}, the shortest code where a character has two."""
    codes = {}
    stack = [(0, "")]
    while stack:
        node, prefix = stack.pop()
        left, right, value = tree[node]
        if left == 0 and right == 0:
            if value not in codes or len(prefix) < len(codes[value]):
                codes[value] = prefix
        else:
            stack.append((right, prefix + "1"))
            stack.append((left, prefix + "0"))
    return codes


def text_number(section, line):
    return (section << 12) | line


def speech_file(textnum):
    """The speech file number for a text number (it may not exist)."""
    return SPEECH_FILE_0 + SPEECH_SECTION_OFFSETS[textnum >> 12] + (textnum & 0xFFF)


def speech_to_text(filenum, line_counts):
    """The text number spoken in speech file `filenum`, given each section's line
    count, or None if the file falls in no section's lines."""
    rel = filenum - SPEECH_FILE_0
    for section in range(len(SPEECH_SECTION_OFFSETS) - 1, -1, -1):
        start = SPEECH_SECTION_OFFSETS[section]
        if rel >= start:
            line = rel - start
            if section < len(line_counts) and line < line_counts[section]:
                return text_number(section, line)
            return None
    return None


class TextError(ValueError):
    pass


def _line_offsets(data):
    """(bit data start in bytes, list of each line's start in 2-bit units)."""
    if len(data) < 4:
        raise TextError("text section too short")
    skip_at, bits_at = struct.unpack_from("<HH", data, 0)
    nlines = bits_at - skip_at
    nblocks = (nlines + 31) // 32
    # Sizes are stored for every block but the last (nothing comes after it).
    if nlines < 0 or skip_at < 4 + 2 * max(0, nblocks - 1) or bits_at > len(data):
        raise TextError("bad section offsets %d, %d" % (skip_at, bits_at))
    block_sizes = struct.unpack_from("<%dH" % max(0, nblocks - 1), data, 4)
    starts = []
    block_start = 0
    for block in range(nblocks):
        offset = block_start
        for j in range(min(32, nlines - 32 * block)):
            starts.append(offset)
            skip = data[skip_at + 32 * block + j]
            offset += (skip & 0x7F) << 3 if skip & 0x80 else skip
        if block < len(block_sizes):
            block_start += block_sizes[block]
    return bits_at, starts


def decode_line(data, start_byte, start_units, tree=HUFF_TREE_0372, limit=2000):
    """Decodes one line: bytes up to (not including) the terminating 0."""
    pos = start_byte + (start_units >> 2)
    bit = 7 - 2 * (start_units & 3)  # next bit to read within data[pos]
    out = bytearray()
    node = 0
    while True:
        if pos >= len(data):
            raise TextError("line runs past the end of the section")
        b = (data[pos] >> bit) & 1
        bit -= 1
        if bit < 0:
            bit = 7
            pos += 1
        left, right, value = tree[node]
        node = right if b else left
        nl, nr, value = tree[node]
        if nl == 0 and nr == 0:
            if value == 0:
                return bytes(out)
            out.append(value)
            if len(out) > limit:
                raise TextError("line without an end")
            node = 0


def decode_section(data, tree=HUFF_TREE_0372):
    """All lines of a text section, as str (Latin-1)."""
    bits_at, starts = _line_offsets(data)
    return [decode_line(data, bits_at, s, tree).decode("latin-1") for s in starts]


def encode_section(lines, tree=HUFF_TREE_0372):
    """A text section holding `lines` (str), as the game stores it (for tests)."""
    codes = code_table(tree)
    nblocks = (len(lines) + 31) // 32
    skip_at = 4 + 2 * max(0, nblocks - 1)
    bits_at = skip_at + len(lines)
    bitstr = []
    skips = bytearray()
    block_sizes = []
    for block in range(nblocks):
        size = 0
        for line in lines[32 * block:32 * block + 32]:
            code = "".join(codes[c] for c in line.encode("latin-1")) + codes[0]
            units = (len(code) + 1) // 2
            if units > 127:
                units = (units + 7) // 8 * 8
                skips.append(0x80 | (units >> 3))
            else:
                skips.append(units)
            bitstr.append(code.ljust(2 * units, "0"))
            size += units
        block_sizes.append(size)
    allbits = "".join(bitstr)
    allbits += "0" * (-len(allbits) % 8)
    body = bytes(int(allbits[i:i + 8], 2) for i in range(0, len(allbits), 8))
    head = struct.pack("<HH", skip_at, bits_at) + struct.pack("<%dH" % max(0, nblocks - 1), *block_sizes[:-1])
    return head + bytes(skips) + body + b"\0\0"
