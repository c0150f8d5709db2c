#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/<target>/seed-*.

Small valid inputs of every kind each parser takes, so the fuzzer starts from
the formats' real structure: WAV PCM 8/16/24/32-bit and float, stereo, FLAC
and OGG (with sox), Kaldi binary, double, compressed (CM, CM2, CM3) and text
matrices, data-directory tables, character and word ARPA LMs, decode and train
configs, and tiny model files (written by the fuzz_make_model_seed executable
of the normal build). Regression inputs (crash-*) beside them are kept as found.

  tests/fuzz/make_seeds.py BUILD_DIR
"""
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def tone(n, rate, scale):
    return [scale * math.sin(2 * math.pi * 440 * i / rate) for i in range(n)]


def wav(rate, channels, fmt_tag, bits, frames):
    """A RIFF WAVE file: fmt_tag 1 = PCM, 3 = IEEE float."""
    samples = tone(frames * channels, rate, 0.5)
    if fmt_tag == 3:
        data = struct.pack("<%df" % len(samples), *samples)
    elif bits == 8:
        data = bytes(int(128 + 127 * s) for s in samples)
    else:
        full = (1 << (bits - 1)) - 1
        data = b"".join(int(s * full).to_bytes(bits // 8, "little", signed=True) for s in samples)
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def audio_seeds():
    put("audio", "pcm16_16k.wav", wav(16000, 1, 1, 16, 800))
    put("audio", "pcm16_8k_stereo.wav", wav(8000, 2, 1, 16, 400))
    put("audio", "pcm8_11k.wav", wav(11025, 1, 1, 8, 600))
    put("audio", "pcm24_44k.wav", wav(44100, 1, 1, 24, 500))
    put("audio", "pcm32_22k.wav", wav(22050, 1, 1, 32, 400))
    put("audio", "float_48k.wav", wav(48000, 1, 3, 32, 600))
    if shutil.which("sox"):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.wav")
            with open(src, "wb") as f:
                f.write(wav(16000, 1, 1, 16, 1600))
            for ext in ("flac", "ogg", "aiff", "au"):
                out = os.path.join(tmp, "out." + ext)
                subprocess.run(["sox", src, out], check=True)
                with open(out, "rb") as f:
                    put("audio", "16k." + ext, f.read())


def kaldi_binary(token, rows, cols, values, fmt):
    head = b"\0B" + token + b" " + b"\4" + struct.pack("<i", rows) + b"\4" + struct.pack("<i", cols)
    return head + struct.pack("<%d%s" % (len(values), fmt), *values)


def compressed(token, rows, cols):
    head = b"\0B" + token + b" " + struct.pack("<ffii", -1.0, 2.0, rows, cols)
    if token == b"CM":
        cols_head = b"".join(struct.pack("<HHHH", 0, 16384, 49152, 65535) for _ in range(cols))
        return head + cols_head + bytes((7 * i) % 256 for i in range(rows * cols))
    if token == b"CM2":
        return head + struct.pack("<%dH" % (rows * cols), *[(977 * i) % 65536 for i in range(rows * cols)])
    return head + bytes((13 * i) % 256 for i in range(rows * cols))


def kaldi_seeds():
    vals = [0.5 * i - 3 for i in range(12)]
    put("kaldi_archive", "float.ark", b"utt1 " + kaldi_binary(b"FM", 3, 4, vals, "f")
        + b"utt2 " + kaldi_binary(b"FM", 0, 0, [], "f"))
    put("kaldi_archive", "double.ark", b"utt1 " + kaldi_binary(b"DM", 2, 6, vals, "d"))
    put("kaldi_archive", "compressed.ark", b"a " + compressed(b"CM", 5, 3) + b"b "
        + compressed(b"CM2", 4, 2) + b"c " + compressed(b"CM3", 3, 3))
    put("kaldi_archive", "text.ark", "utt1  [\n  1 2 3\n  4 5 6 ]\nutt2  [ ]\nutt3  [\n  -1e3 2.5 ]\n")
    put("kaldi_archive", "cmvn.mat", kaldi_binary(b"DM", 2, 4, [10, 20, 30, 5, 100, 200, 300, 0], "d"))


def data_dir_seeds():
    put("data_dir", "plain", "u1 hello world\nu2 the cat\n%%\nu1 /nonexistent/u1.wav\n"
        "u2 /nonexistent/u2.flac\n%%\n%%\nu1 spk1\nu2 spk2\n")
    put("data_dir", "segments", "s1 first part\ns2 second part\ns3\n%%\nrec /nonexistent/rec.wav\n"
        "%%\ns1 rec 0.0 1.5\ns2 rec 1.5 3.25\ns3 rec 3.25 -1\n%%\ns1 spk\ns2 spk\ns3 spk\n")


def arpa(order_lists):
    out = ["", "\\data\\"]
    for n, grams in enumerate(order_lists, 1):
        out.append("ngram %d=%d" % (n, len(grams)))
    for n, grams in enumerate(order_lists, 1):
        out += ["", "\\%d-grams:" % n]
        out += grams
    out += ["", "\\end\\", ""]
    return "\n".join(out)


def arpa_seeds():
    chars = ["-1.0\t%s\t-0.3" % c for c in ["<s>", "</s>", "<unk>", "a", "c", "t", "<space>"]]
    bigrams = ["-0.5\t<s> c\t-0.1", "-0.4\tc a\t-0.2", "-0.3\ta t", "-0.2\tt </s>"]
    trigrams = ["-0.1\t<s> c a", "-0.05\tc a t"]
    put("arpa_char", "trigram.arpa", arpa([chars, bigrams, trigrams]))
    put("arpa_char", "unigram.arpa", arpa([["-0.7\t<s>", "-0.7\t</s>", "-0.6\ta"]]))
    words = ["-1.0\t%s\t-0.3" % w for w in ["<s>", "</s>", "<unk>", "the", "cat", "sat", "mat"]]
    wbig = ["-0.2\t<s> the\t-0.1", "-0.3\tthe cat\t-0.2", "-0.4\tcat sat", "-0.5\tsat </s>"]
    put("arpa_word", "bigram.arpa", arpa([words, wbig]))
    put("arpa_word", "trigram.arpa", arpa([words, wbig, ["-0.1\t<s> the cat", "-0.2\tthe cat sat"]]))


def config_seeds():
    put("config", "decode.conf", "# decoding\nbeam = 4\nctc-weight = 0.3\nword-lm = w.arpa\n"
        "word-lm-weight = 0.5\nlength-penalty = 0.6\nlength-normalization = true\n")
    put("config", "train.conf", "num-mel-bins = 40\nencoder.input_dim = 40\nencoder.num_layers = 2\n"
        "encoder.hidden_dim = 64\ndecoder.attention.type = location\nbatch-frames = 1000\n"
        "speed-perturb = 0.9,1.0,1.1\n")


def model_seeds(build_dir):
    exe = os.path.join(build_dir, "tests", "fuzz", "fuzz_make_model_seed")
    folder = os.path.join(CORPUS, "model_file")
    os.makedirs(folder, exist_ok=True)
    subprocess.run([exe, os.path.join(folder, "seed-tiny_f32.attend")], check=True)
    subprocess.run([exe, os.path.join(folder, "seed-tiny_bf16.attend"), "bf16"], check=True)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for folder in os.listdir(CORPUS) if os.path.isdir(CORPUS) else []:
        for name in os.listdir(os.path.join(CORPUS, folder)):
            if name.startswith("seed-"):
                os.remove(os.path.join(CORPUS, folder, name))
    audio_seeds()
    kaldi_seeds()
    data_dir_seeds()
    arpa_seeds()
    config_seeds()
    model_seeds(sys.argv[1])


if __name__ == "__main__":
    main()
