#!/usr/bin/env python3
"""Writes the bad-input corpus: broken, lying and odd audio, table, config,
model and ARPA files, and a manifest saying how `attend` must answer each.

Usage: make_corpus.py SOURCE_ROOT OUT_DIR

Python 3 standard library only; the FLAC and OGG items need `sox` on PATH
(they are left out without it). The output is the same on every run: the
audio comes from samples/, the bit flips are at fixed offsets.

manifest.tsv columns: item, kind, expectation, file
  item         a unique name
  kind         how attend is run (see run_corpus.py): audio | scp | batch |
               features_batch | segments | score | config | model | word_lm
  expectation  error: non-zero exit, one `attend: error: ... (FILE)` line
               warning: exit 0, an `attend: warning: ... (FILE)` line
               ok: exit 0, no error or warning
  file         the corpus file the message must name
"""
import os
import shutil
import struct
import subprocess
import sys
import wave

PCM = 0x0001
FLOAT = 0x0003
EXTENSIBLE = 0xFFFE
# The GUID tail shared by the KSDATAFORMAT_SUBTYPE_* of WAVE_FORMAT_EXTENSIBLE.
GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def fmt_chunk(tag, channels, rate, bits, valid_bits=None, container_bits=None):
    """A `fmt ` chunk; EXTENSIBLE when valid_bits is given."""
    container = container_bits or bits
    block = channels * ((container + 7) // 8)
    byte_rate = (rate * block) & 0xFFFFFFFF
    # Plain `fmt `: bits per sample as given; EXTENSIBLE: the container's.
    bits_field = bits if valid_bits is None else container
    body = struct.pack("<HHIIHH", tag if valid_bits is None else EXTENSIBLE, channels,
                       rate & 0xFFFFFFFF, byte_rate, block, bits_field)
    if valid_bits is not None:
        mask = 0x4 if channels == 1 else 0x3
        body += struct.pack("<HHI", 22, valid_bits, mask) + struct.pack("<H", tag) + GUID_TAIL
    return b"fmt " + struct.pack("<I", len(body)) + body


def riff(fmt, data, riff_size=None, data_size=None, trailer=b""):
    """A RIFF/WAVE file; the lengths can be made to lie."""
    data_chunk = b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data
    body = b"WAVE" + fmt + data_chunk + trailer
    size = len(body) if riff_size is None else riff_size
    return b"RIFF" + struct.pack("<I", size) + body


def speech(root, seconds):
    """16-bit mono PCM bytes of the first seconds of a bundled sample."""
    with wave.open(os.path.join(root, "samples", "flite_rms-c000253.wav")) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return w.getframerate(), w.readframes(int(seconds * w.getframerate()))


def floats(pcm16, replace):
    """The samples as float32 in [-1, 1], with some replaced: {index: value}."""
    n = len(pcm16) // 2
    values = [s / 32768.0 for s in struct.unpack("<%dh" % n, pcm16)]
    for i, v in replace.items():
        values[i] = v
    return struct.pack("<%df" % n, *values)


def flip(data, offset, mask=0x01):
    b = bytearray(data)
    b[offset] ^= mask
    return bytes(b)


def main():
    root, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    # Replace an earlier corpus, but never delete a folder that is not one.
    if os.path.isfile(os.path.join(out, "manifest.tsv")):
        shutil.rmtree(out)
    elif os.path.isdir(out) and os.listdir(out):
        sys.exit("make_corpus.py: %s is not empty and holds no corpus" % out)
    os.makedirs(out, exist_ok=True)
    items = []

    def add(name, kind, expect, data, path=None):
        path = path or os.path.join(out, name)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        items.append((name, kind, expect, path))
        return path

    # The model the audio items are decoded with: the bundled one without its
    # decode.conf, so that no word LM is loaded for each item.
    shutil.copy(os.path.join(root, "models", "default.attend"), os.path.join(out, "plain.attend"))
    with open(os.path.join(out, "good.scp"), "w") as f:
        f.write("rec1 %s/samples/flite_rms-c000253.wav\n" % root)

    rate, pcm = speech(root, 1.0)
    fmt16 = fmt_chunk(PCM, 1, rate, 16)
    good = riff(fmt16, pcm)
    good_path = add("good.wav", "audio", "ok", good)
    inf, nan = float("inf"), float("nan")

    # Not audio.
    add("empty.wav", "audio", "error", b"")
    add("text.wav", "audio", "error", b"uttid this is a transcript, not audio\n" * 20)
    add("png.wav", "audio", "error",
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    add("garbage.wav", "audio", "error", bytes((i * 131 + 7) % 256 for i in range(3000)))

    # Truncated, and header lengths that lie in both directions.
    add("header_only.wav", "audio", "error", good[:44])
    add("no_samples.wav", "audio", "warning", riff(fmt16, b""))
    add("header_cut.wav", "audio", "error", good[:30])
    add("truncated_half.wav", "audio", "warning", good[:len(good) // 2 + 1])
    add("data_claims_2gb.wav", "audio", "warning", riff(fmt16, pcm[:1600], data_size=2000000000))
    add("data_claims_4gb.wav", "audio", "warning", riff(fmt16, pcm[:1600], data_size=0xFFFFFFFF))
    add("riff_size_0.wav", "audio", "warning", riff(fmt16, pcm, riff_size=0))
    add("riff_size_huge.wav", "audio", "warning", riff(fmt16, pcm, riff_size=0x7FFFFFF0))
    list_chunk = b"LIST" + struct.pack("<I", 16) + b"INFOISFT" + struct.pack("<I", 4) + b"sox\0"
    add("data_then_list_chunk.wav", "audio", "ok", riff(fmt16, pcm, trailer=list_chunk))
    add("data_shorter_than_file.wav", "audio", "ok",
        riff(fmt16, pcm, data_size=len(pcm) // 2))

    # Bit flips in the header.
    add("flip_riff_magic.wav", "audio", "error", flip(good, 0))
    add("flip_wave_magic.wav", "audio", "error", flip(good, 8))
    add("flip_format_tag.wav", "audio", "error", flip(good, 20, 0x10))
    add("flip_channels_0.wav", "audio", "error", flip(good, 22, 0x01))
    add("flip_rate_high_bit.wav", "audio", "error", flip(good, 27, 0x80))

    # Samples that are not numbers, or absurd ones.
    fmt_float = fmt_chunk(FLOAT, 1, rate, 32)
    add("float_nan.wav", "audio", "error", riff(fmt_float, floats(pcm, {100: nan})))
    add("float_inf.wav", "audio", "error", riff(fmt_float, floats(pcm, {100: -inf})))
    add("float_1e30.wav", "audio", "warning",
        riff(fmt_float, floats(pcm, {i: (1e30 if i % 2 else -1e30) for i in range(100, 4000)})))
    add("float_all_1e30.wav", "audio", "warning",
        riff(fmt_float, floats(pcm, {i: 1e30 for i in range(len(pcm) // 2)})))
    add("float_ok.wav", "audio", "ok", riff(fmt_float, floats(pcm, {})))

    # Odd bit depths.
    pcm8 = bytes(((s >> 8) + 128) & 0xFF for s in struct.unpack("<%dh" % (len(pcm) // 2), pcm))
    add("bits7_extensible.wav", "audio", "warning",
        riff(fmt_chunk(PCM, 1, rate, 8, valid_bits=7), bytes(b & 0xFE for b in pcm8)))
    add("bits12_extensible.wav", "audio", "warning",
        riff(fmt_chunk(PCM, 1, rate, 16, valid_bits=12), pcm))
    add("bits12.wav", "audio", "warning", riff(fmt_chunk(PCM, 1, rate, 12, container_bits=16), pcm))
    pcm64 = b"".join(b"\0\0\0\0\0\0" + pcm[i:i + 2] for i in range(0, len(pcm), 2))
    add("bits64_int.wav", "audio", "error", riff(fmt_chunk(PCM, 1, rate, 64), pcm64))
    add("bits0.wav", "audio", "error", riff(fmt_chunk(PCM, 1, rate, 0, container_bits=16), pcm))

    # Absurd sample rates.
    add("rate_0.wav", "audio", "error", riff(fmt_chunk(PCM, 1, 0, 16), pcm))
    add("rate_1hz.wav", "audio", "error", riff(fmt_chunk(PCM, 1, 1, 16), pcm))
    add("rate_4ghz.wav", "audio", "error", riff(fmt_chunk(PCM, 1, 4000000000, 16), pcm))

    # FLAC and OGG/Vorbis from sox, then broken.
    if shutil.which("sox"):
        for ext in ("flac", "ogg"):
            valid = os.path.join(out, "valid." + ext)
            subprocess.run(["sox", good_path, valid], check=True)
            with open(valid, "rb") as f:
                encoded = f.read()
            items.append(("valid." + ext, "audio", "ok", valid))
            add("header_cut." + ext, "audio", "error", encoded[:20])
            add("flip_magic." + ext, "audio", "error", flip(encoded, 1))
        # Compressed WAVs whose bit depths are their own (4-bit ADPCM), not odd.
        for encoding in ("ima-adpcm", "ms-adpcm", "u-law"):
            valid = os.path.join(out, "valid_%s.wav" % encoding)
            subprocess.run(["sox", good_path, "-e", encoding, valid], check=True)
            items.append((os.path.basename(valid), "audio", "ok", valid))
        with open(os.path.join(out, "valid.flac"), "rb") as f:
            flac = f.read()
        # libsndfile's FLAC decoder reports an error where the data ends.
        add("truncated_half.flac", "audio", "error", flac[:len(flac) // 2])
        add("flip_audio.flac", "audio", "error", flip(flac, len(flac) // 2, 0x10))
        # Of an OGG cut or with a damaged page, libsndfile decodes nothing.
        with open(os.path.join(out, "valid.ogg"), "rb") as f:
            ogg = f.read()
        add("truncated_half.ogg", "audio", "warning", ogg[:len(ogg) // 2])
        add("flip_audio.ogg", "audio", "warning", flip(ogg, len(ogg) // 2, 0x10))
        # FLAC's STREAMINFO block: its sample rate is the top 20 bits at byte 18.
        add("rate_0.flac", "audio", "error", flac[:18] + b"\0\0" + bytes([flac[20] & 0x0F]) +
            flac[21:])

    # Tables and option files with binary garbage.
    garbage = bytes((i * 97 + 13) % 256 for i in range(600))
    add("garbage.scp", "scp", "error", garbage)
    add("garbage.segments", "segments", "error", garbage)
    add("garbage.text", "score", "error", garbage)
    add("garbage.conf", "config", "error", garbage)

    # Models: truncated and bit-flipped copies of the bundled one.
    with open(os.path.join(root, "models", "default.attend"), "rb") as f:
        model = f.read()
    add("model_truncated.attend", "model", "error", model[:len(model) // 3])
    add("model_header_only.attend", "model", "error", model[:64])
    add("model_flipped.attend", "model", "error", flip(model, len(model) // 2, 0x40))
    add("model_flipped_header.attend", "model", "error", flip(model, 10, 0x08))

    # A word LM whose \data\ counts do not match its sections.
    arpa = ("\\data\\\nngram 1=7\nngram 2=1\n\n\\1-grams:\n-1.0\t</s>\n-99\t<s>\t-0.5\n"
            "-1.0\tthe\t-0.3\n-1.0\tcat\n\n\\2-grams:\n-0.5\tthe cat\n-0.5\tcat </s>\n\n\\end\\\n")
    add("wrong_counts.arpa", "word_lm", "error", arpa.encode())

    # Batches: a bad item between two good samples.
    for name in ("empty.wav", "float_nan.wav", "header_only.wav", "data_claims_2gb.wav"):
        bad = os.path.join(out, name)
        expect = "warning" if name.startswith("data_claims") else "error"
        scp = "good1 %s/samples/espeak_en029_annie-f003056.wav\nbad %s\n" \
              "good2 %s/samples/flite_rms-c000253.wav\n" % (root, bad, root)
        for kind in ("batch", "features_batch"):
            items.append((kind + "_" + name, kind, expect, bad))
            with open(os.path.join(out, kind + "_" + name + ".scp"), "w") as f:
                f.write(scp)

    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        f.write("item\tkind\texpectation\tfile\n")
        for item in items:
            f.write("\t".join(item) + "\n")
    print("%d items in %s" % (len(items), out))


if __name__ == "__main__":
    main()
