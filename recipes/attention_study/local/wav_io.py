"""16-bit mono WAV reading and writing for the study's data steps (no numpy)."""
import array
import os
import sys
import wave


def read_wav(path):
    """(rate, samples as an array of int16)."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            sys.exit(f"error: {path}: expected 16-bit mono WAV")
        samples = array.array("h", w.readframes(w.getnframes()))
        if sys.byteorder == "big":
            samples.byteswap()
        return w.getframerate(), samples


def write_wav(path, rate, samples):
    out = array.array("h", samples)
    if sys.byteorder == "big":
        out.byteswap()
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())
    os.replace(tmp, path)


def wav_seconds(path):
    with wave.open(path, "rb") as w:
        return w.getnframes() / w.getframerate()


def read_table(path):
    """A Kaldi table (`key value` lines) as a dict."""
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 1)
            if parts[0]:
                table[parts[0]] = parts[1] if len(parts) > 1 else ""
    return table


def write_dir(out, wavs, texts):
    """A Kaldi data dir: wav.scp, text, utt2spk (one speaker per utterance), utt2dur."""
    os.makedirs(out, exist_ok=True)
    keys = sorted(wavs)
    with open(os.path.join(out, "wav.scp"), "w") as f:
        f.writelines(f"{k} {wavs[k][0]}\n" for k in keys)
    with open(os.path.join(out, "text"), "w", encoding="utf-8") as f:
        f.writelines(f"{k} {texts[k]}\n" for k in keys)
    with open(os.path.join(out, "utt2spk"), "w") as f:
        f.writelines(f"{k} {k}\n" for k in keys)
    with open(os.path.join(out, "utt2dur"), "w") as f:
        f.writelines(f"{k} {wavs[k][1]:.3f}\n" for k in keys)
