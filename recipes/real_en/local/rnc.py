"""RNC ProPack method 1 decompression, with its two CRC-16 checks.

Format (big-endian 18-byte header, then a little-endian bit stream):
  0  "RNC\\x01"       signature (method 1)
  4  u32 unpacked size
  8  u32 packed size (bytes after the header)
 12  u16 CRC-16 of the unpacked data
 14  u16 CRC-16 of the packed data
 16  u8  leeway (overlap margin for in-place unpacking; unused here)
 17  u8  number of blocks

The packed data is a stream of 16-bit little-endian words read bit by bit from
the least significant bit, with raw literal bytes interleaved. The stream opens
with 2 flag bits. Each block then has three Huffman tables (literal-run length,
match distance, match length; each: 5 bits count, 4 bits per code length,
canonical codes stored bit-reversed), a 16-bit count of sub-blocks, and that
many sub-blocks: a literal-run length (then that many raw bytes) and, except in
the last sub-block, a match (distance + 1, length + 2). A value decoded from a
table is v for v < 2, else (1 << (v-1)) | (v-1 more bits).

Literal bytes start at the first 16-bit word that no consumed bit has touched:
bits already read from a partly used word stay in the bit buffer, but the
buffer's lookahead beyond that word is not part of the stream position. The
CRCs catch any slip in this; RncError is raised on a mismatch.
"""
import struct

SIGNATURE = b"RNC\x01"
HEADER_LEN = 18


class RncError(ValueError):
    """The data is not an intact RNC method-1 stream."""


def _make_crc_table():
    table = []
    for byte in range(256):
        v = byte
        for _ in range(8):
            v = (v >> 1) ^ 0xA001 if v & 1 else v >> 1
        table.append(v)
    return table


_CRC_TABLE = _make_crc_table()


def crc16(data):
    """CRC-16 as RNC computes it (reflected polynomial 0xA001, initial value 0)."""
    crc = 0
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def is_rnc(data):
    return data[:4] == SIGNATURE


def header(data):
    """(unpacked size, packed size, unpacked CRC, packed CRC, blocks)."""
    if len(data) < HEADER_LEN or not is_rnc(data):
        raise RncError("no RNC method-1 signature")
    unpacked, packed, crc_u, crc_p = struct.unpack_from(">IIHH", data, 4)
    return unpacked, packed, crc_u, crc_p, data[17]


def _bit_reverse(value, nbits):
    out = 0
    for _ in range(nbits):
        out = (out << 1) | (value & 1)
        value >>= 1
    return out


def canonical_codes(lengths):
    """{symbol: (stream code, length)}: canonical codes, shortest first and by
    symbol within a length, bit-reversed because the stream is read LSB first."""
    codes = {}
    code = 0  # left-aligned in 16 bits
    for length in range(1, 17):
        for sym, n in enumerate(lengths):
            if n == length:
                codes[sym] = (_bit_reverse(code >> (16 - length), length), length)
                code += 1 << (16 - length)
    return codes


def unpack(data):
    """Decompresses an RNC method-1 stream (header included); returns bytes.
    Raises RncError on a bad signature, a truncated stream or a CRC mismatch."""
    unpacked_len, packed_len, crc_unpacked, crc_packed, blocks = header(data)
    body = bytes(data[HEADER_LEN:HEADER_LEN + packed_len])
    if len(body) != packed_len:
        raise RncError("truncated: %d of %d packed bytes" % (len(body), packed_len))
    if crc16(body) != crc_packed:
        raise RncError("packed data CRC mismatch")
    # Two zero bytes of padding: the bit reader may load a word past the end.
    src = body + b"\0\0\0\0"
    out = bytearray()
    pos = 0        # next unread byte of src
    bitbuf = 0     # unread bits of words already loaded, LSB first
    nbits = 0

    def bits(n):
        nonlocal pos, bitbuf, nbits
        while nbits < n:
            bitbuf |= (src[pos] | (src[pos + 1] << 8)) << nbits
            pos += 2
            nbits += 16
        v = bitbuf & ((1 << n) - 1)
        bitbuf >>= n
        nbits -= n
        return v

    def read_table(previous):
        # A Huffman table: ({(length, code): symbol}, longest code length).
        # An empty table (count 0) leaves the previous block's table in force.
        count = bits(5)
        if count == 0 and previous is not None:
            return previous
        lengths = [bits(4) for _ in range(count)]
        table = {}
        for sym, (code, length) in canonical_codes(lengths).items():
            table[(length, code)] = sym
        return table, max(lengths) if lengths else 0

    def value(table):
        nonlocal pos, bitbuf, nbits
        tab, maxlen = table
        if nbits < 16:
            bitbuf |= (src[pos] | (src[pos + 1] << 8)) << nbits
            pos += 2
            nbits += 16
        for length in range(1, maxlen + 1):
            sym = tab.get((length, bitbuf & ((1 << length) - 1)))
            if sym is not None:
                bitbuf >>= length
                nbits -= length
                break
        else:
            raise RncError("invalid Huffman code")
        if sym < 2:
            return sym
        return bits(sym - 1) | (1 << (sym - 1))

    try:
        bits(2)  # lock and key flags
        raw_t = dist_t = len_t = None
        for _ in range(blocks):
            raw_t = read_table(raw_t)
            dist_t = read_table(dist_t)
            len_t = read_table(len_t)
            counts = bits(16)
            if counts == 0:
                raise RncError("block with no sub-blocks")
            while counts:
                n = value(raw_t)
                if n:
                    # The literal run starts at the first untouched word: give back
                    # whole words that were only looked ahead into.
                    while nbits >= 16:
                        pos -= 2
                        nbits -= 16
                    bitbuf &= (1 << nbits) - 1
                    if pos + n > packed_len:
                        raise RncError("literal run past the end of the data")
                    out += src[pos:pos + n]
                    pos += n
                if counts > 1:
                    dist = value(dist_t) + 1
                    length = value(len_t) + 2
                    start = len(out) - dist
                    if start < 0:
                        raise RncError("match before the start of the output")
                    if dist >= length:
                        out += out[start:start + length]
                    else:
                        chunk = out[start:]
                        reps = length // dist + 1
                        out += (chunk * reps)[:length]
                counts -= 1
                if len(out) > unpacked_len:
                    raise RncError("output longer than the header's size")
    except IndexError:
        raise RncError("bit stream runs past the end of the data")
    if len(out) != unpacked_len:
        raise RncError("unpacked %d bytes, header says %d" % (len(out), unpacked_len))
    if crc16(out) != crc_unpacked:
        raise RncError("unpacked data CRC mismatch")
    return bytes(out)
