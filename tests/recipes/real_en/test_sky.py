"""Unit tests of the Beneath a Steel Sky readers, on small fabricated inputs.

Run: python3 -m unittest discover -s tests/recipes/real_en
"""
import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "recipes", "real_en", "local"))

import rnc  # noqa: E402
import sky_disk  # noqa: E402
import sky_script  # noqa: E402
import sky_text  # noqa: E402


# --- a tiny RNC method-1 encoder, written from the format, for the tests ---

def crc16_arc(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class BitWriter:
    """LSB-first bits in 16-bit little-endian words; raw bytes go after the
    last word that holds any bit."""

    def __init__(self):
        self.out = bytearray()
        self.word_at = None
        self.used = 16

    def bit(self, b):
        if self.used == 16:
            self.word_at = len(self.out)
            self.out += b"\0\0"
            self.used = 0
        if b:
            self.out[self.word_at + self.used // 8] |= 1 << (self.used % 8)
        self.used += 1

    def bits(self, value, n):  # value's low bit first
        for i in range(n):
            self.bit((value >> i) & 1)

    def code(self, code_str):  # a Huffman code, its first bit first
        for c in code_str:
            self.bit(c == "1")

    def raw(self, data):
        self.out += data


def canonical(lengths):
    """{symbol: code string} for code lengths (0 = unused), canonical order."""
    codes = {}
    code = 0
    prev_len = 0
    for length, sym in sorted((n, s) for s, n in enumerate(lengths) if n):
        code <<= length - prev_len
        codes[sym] = format(code, "0%db" % length)
        code += 1
        prev_len = length
    return codes


def write_value(w, codes, v):
    sym = v if v < 2 else v.bit_length()
    w.code(codes[sym])
    if sym >= 2:
        w.bits(v - (1 << (sym - 1)), sym - 1)


def rnc_pack(blocks, raw_lengths=(4,) * 16, pos_lengths=(4,) * 16, len_lengths=(4,) * 16):
    """blocks: [[(literal bytes, (distance, length) or None), ...], ...]; the last
    sub-block of a block has no match. Returns (stream, unpacked bytes)."""
    w = BitWriter()
    w.bits(0, 2)
    out = bytearray()
    tables = []
    for lengths in (raw_lengths, pos_lengths, len_lengths):
        tables.append(canonical(lengths))
    for subs in blocks:
        for lengths in (raw_lengths, pos_lengths, len_lengths):
            w.bits(len(lengths), 5)
            for n in lengths:
                w.bits(n, 4)
        w.bits(len(subs), 16)
        for k, (lit, match) in enumerate(subs):
            write_value(w, tables[0], len(lit))
            if lit:
                w.raw(lit)
                out += lit
            if k < len(subs) - 1:
                dist, length = match
                write_value(w, tables[1], dist - 1)
                write_value(w, tables[2], length - 2)
                for _ in range(length):
                    out.append(out[-dist])
            else:
                assert match is None
    body = bytes(w.out)
    head = b"RNC\x01" + struct.pack(">IIHH", len(out), len(body), crc16_arc(out), crc16_arc(body))
    head += bytes([0, len(blocks)])
    return head + body, bytes(out)


class RncTest(unittest.TestCase):
    def test_crc_check_value(self):
        self.assertEqual(rnc.crc16(b"123456789"), 0xBB3D)  # CRC-16/ARC check value
        self.assertEqual(rnc.crc16(b""), 0)

    def test_canonical_codes_are_bit_reversed(self):
        # lengths 1, 2, 3, 3 -> 0, 10, 110, 111; read LSB first, so reversed.
        self.assertEqual(rnc.canonical_codes([1, 2, 3, 3]),
                         {0: (0b0, 1), 1: (0b01, 2), 2: (0b011, 3), 3: (0b111, 3)})

    def test_literal_only(self):
        stream, want = rnc_pack([[(b"hello, world", None)]])
        self.assertEqual(rnc.unpack(stream), want)
        self.assertEqual(want, b"hello, world")

    def test_matches_overlapping_and_literals_between(self):
        stream, want = rnc_pack([[(b"abc", (3, 7)), (b"", (1, 4)), (b"xy", (5, 2)), (b"!", None)]])
        self.assertEqual(want, b"abcabcabcaaaaaxyaa!")
        self.assertEqual(rnc.unpack(stream), want)

    def test_two_blocks_varied_code_lengths(self):
        lengths = (2, 2, 3, 3, 3, 4, 5, 5)  # a complete prefix code over 8 symbols
        blocks = [[(b"The quick ", (4, 3)), (b"brown", None)],
                  [(bytes(range(40)), (40, 40)), (b"z" * 3, (1, 20)), (b"end", None)]]
        stream, want = rnc_pack(blocks, lengths, (2, 2, 3, 3, 3, 4, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0),
                                lengths)
        self.assertEqual(rnc.unpack(stream), want)

    def test_literal_after_table_read_starts_at_untouched_word(self):
        # Odd bit counts before each literal run: the decoder must not skip or
        # reuse the word it only looked ahead into.
        for n in range(1, 20):
            stream, want = rnc_pack([[(bytes([n]) * n, (n, n + 2)), (b"Q" * (n % 3 + 1), None)]])
            self.assertEqual(rnc.unpack(stream), want, n)

    def test_crc_mismatches_raise(self):
        stream, _ = rnc_pack([[(b"abc", (3, 9)), (b"d", None)]])
        bad_unpacked = stream[:12] + bytes([stream[12] ^ 1]) + stream[13:]
        with self.assertRaisesRegex(rnc.RncError, "unpacked data CRC"):
            rnc.unpack(bad_unpacked)
        bad_body = stream[:19] + bytes([stream[19] ^ 0x40]) + stream[20:]
        with self.assertRaisesRegex(rnc.RncError, "packed data CRC"):
            rnc.unpack(bad_body)
        with self.assertRaises(rnc.RncError):
            rnc.unpack(b"RNC\x02" + stream[4:])
        with self.assertRaises(rnc.RncError):
            rnc.unpack(stream[:-3])


# --- sky.dnr + sky.dsk ---

def dnr_entry(num, offset, size, flags, offset_in_16s=False):
    off = (offset >> 4) | 0x800000 if offset_in_16s else offset
    fl = size | flags
    return struct.pack("<H", num) + off.to_bytes(3, "little") + fl.to_bytes(3, "little")


class DiskTest(unittest.TestCase):
    def test_two_files_plain_and_compressed(self):
        plain = bytes(22) + b"plain file body"
        payload = b"compressed payload " * 5
        stream, _ = rnc_pack([[(b"compressed payload ", (19, 19 * 4)), (b"", None)]])
        total = 22 + len(payload)
        header = struct.pack("<11H", 0x80 | ((total >> 16) << 8), 0, 0, 0, 0, 0,
                             total & 0xFFFF, 0, 0, 0, 0)
        stored = header + stream
        with tempfile.TemporaryDirectory() as d:
            dsk = bytearray(b"\xee" * 32)  # something before the files
            off1 = len(dsk)
            dsk += plain
            dsk += b"\0" * (-len(dsk) % 16)
            off2 = len(dsk)
            dsk += stored
            with open(os.path.join(d, "sky.dsk"), "wb") as f:
                f.write(dsk)
            with open(os.path.join(d, "sky.dnr"), "wb") as f:
                f.write(struct.pack("<I", 2))
                f.write(dnr_entry(100, off1, len(plain), 0x800000))
                f.write(dnr_entry(200, off2, len(stored), 0, offset_in_16s=True))
            disk = sky_disk.SkyDisk(d, check_version=False)
            try:
                self.assertEqual(sorted(disk.table), [100, 200])
                self.assertEqual(disk.load(100), plain)
                got = disk.load(200)
                self.assertEqual(got[22:], payload)
                self.assertEqual(got[:22], header)
                self.assertNotIn(300, disk)
                with self.assertRaises(KeyError):
                    disk.load(300)
            finally:
                disk.close()
            # The real game's version check refuses this fabricated pair.
            with self.assertRaises(sky_disk.SkyDataError):
                sky_disk.SkyDisk(d)

    def test_missing_game_dir(self):
        with self.assertRaises(sky_disk.SkyDataError) as cm:
            sky_disk.SkyDisk("/nonexistent/sky")
        self.assertEqual(cm.exception.path, "/nonexistent/sky")

    def test_bad_dnr_size(self):
        with self.assertRaises(ValueError):
            sky_disk.parse_dnr(struct.pack("<I", 3) + bytes(8))


# --- text ---

class TextTest(unittest.TestCase):
    def test_tree_and_known_codes(self):
        sky_text.check_tree(sky_text.HUFF_TREE_0372)
        self.assertEqual(len(sky_text.HUFF_TREE_0372), 245)
        codes = sky_text.code_table()
        self.assertEqual(codes[ord(" ")], "000")
        self.assertEqual(codes[ord("e")], "0010")
        self.assertEqual(codes[ord("a")], "0011")
        self.assertEqual(codes[0], "100000")
        self.assertEqual(codes[ord("!")], "1101100")  # the shorter of its two codes (nodes 65, 244)

    def test_decode_hand_built_line(self):
        # "ae" then the end code, MSB first: 0011 0010 100000 + padding.
        bits = "0011" "0010" "100000"
        bits += "0" * (-len(bits) % 8)
        data = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
        self.assertEqual(sky_text.decode_line(data, 0, 0), b"ae")
        # Starting 2 bits in (one unit): "11" is skipped -> a different parse.
        shifted = bytes(int(("11" + bits)[i:i + 8].ljust(8, "0"), 2) for i in range(0, len(bits) + 2, 8))
        self.assertEqual(sky_text.decode_line(shifted, 0, 1), b"ae")

    def test_section_round_trip(self):
        lines = ["Line %d: `quoted' EMPHASIS, digits 42." % i for i in range(40)]
        lines[3] = "x" * 150  # a long line: its skip byte uses the x8 form
        lines[33] = ""
        lines.append("\xe9t\xe9")  # Latin-1 (0xE9 is not in the tree: expect KeyError)
        with self.assertRaises(KeyError):
            sky_text.encode_section(lines)
        lines[-1] = "last, partial block"
        data = sky_text.encode_section(lines)
        skip_at, bits_at = struct.unpack_from("<HH", data, 0)
        self.assertEqual(bits_at - skip_at, len(lines))
        self.assertEqual(skip_at, 4 + 2 * 1)  # 2 blocks, a size for the first only
        self.assertGreater(data[skip_at + 3], 0x80)
        self.assertEqual(sky_text.decode_section(data), lines)

    def test_file_number_mapping(self):
        self.assertEqual(sky_text.text_number(2, 5), 8197)
        self.assertEqual(sky_text.speech_file(8197), 51105)
        self.assertEqual(sky_text.speech_file(sky_text.text_number(0, 7)), 50007)
        self.assertEqual(sky_text.speech_file(sky_text.text_number(7, 1)), 55231)
        counts = (565, 485, 1304, 923, 1141, 532, 121, 97)
        self.assertEqual(sky_text.speech_to_text(51105, counts), 8197)
        self.assertEqual(sky_text.speech_to_text(50564, counts), 564)
        self.assertIsNone(sky_text.speech_to_text(50565, counts))  # past section 0's lines
        self.assertEqual(sky_text.speech_to_text(50600, counts), 4096)
        self.assertIsNone(sky_text.speech_to_text(49999, counts))
        for t in (5, 4096 + 17, 3 * 4096 + 900):
            self.assertEqual(sky_text.speech_to_text(sky_text.speech_file(t), counts), t)


# --- scripts: who speaks ---

def call(nargs, fn):
    return [11, nargs, 4 * fn]


class ScriptTest(unittest.TestCase):
    def module(self):
        s1 = ([2, 3, 2, 4100, 2, 9] + call(3, sky_script.FN_SPEAK_ME) + [19])
        s2 = ([0, 4 * 12, 2, 0x1005, 2, 0] + call(3, sky_script.FN_SPEAK_WAIT) +
              [2, 77, 6, 4 * 120] +
              [0, 4 * 120, 2, 0x1006, 2, 0] + call(3, sky_script.FN_SPEAK_WAIT_DIR) +
              [2, 0x1007, 2, 9] + call(2, sky_script.FN_ASK_THIS) +
              [0, 4 * 80, 2, 0x1008, 2, 0] + call(3, sky_script.FN_SPEAK_ME) +
              [2, 3, 14, 1, 3, 4, 4, 2, 0, 2, 0] + [13])
        s3 = ([0, 4 * 120, 2, 0x1009, 2, 0] + call(3, sky_script.FN_SPEAK_WAIT) + [19])
        words = [3, 4, 4 + len(s1), 4 + len(s1) + len(s2)] + s1 + s2 + s3
        return words

    def test_scan_calls(self):
        calls = list(sky_script.scan_module(self.module()))
        speak = [(fn, args) for fn, args in calls]
        self.assertEqual(speak[0], (sky_script.FN_SPEAK_ME, (3, 4100, 9)))
        self.assertEqual(speak[1][1][1:], (0x1005, 0))
        self.assertIsInstance(speak[1][1][0], sky_script.Var)
        self.assertEqual(int(speak[1][1][0]), 12)
        self.assertEqual(speak[3], (sky_script.FN_ASK_THIS, (0x1007, 9)))
        self.assertEqual(len(speak), 6)
        with self.assertRaises(sky_script.ScriptError):
            list(sky_script.scan_module([1, 2, 99]))

    def test_speakers(self):
        events = sky_script.script_events({0: self.module()})
        self.assertEqual(sorted(events), [1, 2, 3])
        # compact 50 runs script 2 as its base script; compact 60's action script
        # is script 3 (the player runs it, talking to 60).
        base = [0] * 45
        base[27] = 2
        action = [0] * 30
        action[17] = 3
        compacts = {50: (1, base), 60: (1, action), 70: (4, [3] * 40)}
        runners, targets = sky_script.script_contexts(events, compacts)
        self.assertEqual(runners[2], {50})
        self.assertEqual(runners[3], {sky_script.PLAYER_ID})
        self.assertEqual(targets[3], {60})
        votes = sky_script.speaker_votes(events, runners, targets)
        self.assertEqual(dict(votes[4100]), {3: 1})        # constant target
        self.assertEqual(dict(votes[0x1005]), {50: 1})     # CUR_ID: the runner
        self.assertEqual(dict(votes[0x1006]), {77: 1})     # talk target set in the script
        self.assertEqual(dict(votes[0x1007]), {3: 1})      # menu line: the player
        self.assertNotIn(0x1008, votes)                    # unknown variable
        self.assertEqual(dict(votes[0x1009]), {60: 1})     # talk target from the compact

    def test_cpt_names(self):
        src = [3, 1, 7, 8, 9, 0, 2, 4, 5, 6]  # id 0: size 3; id 1: empty; id 2: size 2
        blob = struct.pack("<HHH", 0, 1, 3) + struct.pack("<II", 5, len(src))
        blob += struct.pack("<%dH" % len(src), *src)
        names = b"foster\0joey\0"
        blob += struct.pack("<I", len(names)) + names
        cpt = sky_script.parse_cpt(blob)
        self.assertEqual(cpt[0], ("foster", 1, (7, 8, 9)))
        self.assertEqual(cpt[2], ("joey", 4, (5, 6)))
        self.assertNotIn(1, cpt)


if __name__ == "__main__":
    unittest.main()
