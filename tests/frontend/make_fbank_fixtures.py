#!/usr/bin/python3
"""Generates the golden filterbank fixtures for tests/frontend/fbank_test.cc.

Run from anywhere, with Debian's python3-torch 1.13 / python3-torchaudio 0.13:
    /usr/bin/python3 tests/frontend/make_fbank_fixtures.py
It needs espeak-ng and sox on PATH. It rewrites tests/frontend/fixtures/:
  fbank_cases.txt   one case per line: <name> <wav file> <fbank options...>
  <name>.wav        the input audio (int16 PCM unless stated)
  <name>.fbank      reference features: int32 rows, int32 cols, rows*cols float32
                    (little-endian), from torchaudio.compliance.kaldi.fbank with
                    dither=0 on the WAV's samples * 32768 (multi-channel: the mean of
                    the channels, which is what attend's reader mixes down to).
The options on each line are attend's (Kaldi's) flag names; the same values are
passed to torchaudio under its argument names. 8 kHz and 44.1 kHz inputs are
compared at their native rate (--sample-frequency), because attend resamples
with libsoxr and torchaudio has no libsoxr: comparing features of two
different resamplers would test the resamplers, not the filterbank. Resampling
is tested separately (resampler_test.cc). Deterministic: fixed seeds, sox run
with -R -D (no random dither), and espeak-ng gives the same output for the same
version (Debian 12's 1.51).
"""
import os
import struct
import subprocess
import tempfile

import numpy as np
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

# attend flag -> (torchaudio argument, converter)
FLAG_TO_TA = {
    "--sample-frequency": ("sample_frequency", float),
    "--frame-shift": ("frame_shift", float),
    "--frame-length": ("frame_length", float),
    "--preemphasis-coefficient": ("preemphasis_coefficient", float),
    "--remove-dc-offset": ("remove_dc_offset", lambda v: v == "true"),
    "--window-type": ("window_type", str),
    "--round-to-power-of-two": ("round_to_power_of_two", lambda v: v == "true"),
    "--blackman-coeff": ("blackman_coeff", float),
    "--snip-edges": ("snip_edges", lambda v: v == "true"),
    "--num-mel-bins": ("num_mel_bins", int),
    "--low-freq": ("low_freq", float),
    "--high-freq": ("high_freq", float),
    "--use-energy": ("use_energy", lambda v: v == "true"),
    "--energy-floor": ("energy_floor", float),
    "--raw-energy": ("raw_energy", lambda v: v == "true"),
    "--htk-compat": ("htk_compat", lambda v: v == "true"),
    "--use-log-fbank": ("use_log_fbank", lambda v: v == "true"),
    "--use-power": ("use_power", lambda v: v == "true"),
    "--vtln-warp": ("vtln_warp", float),
    "--vtln-low": ("vtln_low", float),
    "--vtln-high": ("vtln_high", float),
}


def write_wav(path, samples, rate, subtype="PCM_16"):
    """samples: float in [-1, 1], shape [frames] or [frames, channels]."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    q = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2")
    channels = q.shape[1]
    data = q.tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, rate, rate * 2 * channels, 2 * channels, 16) + b"data" + struct.pack(
            "<I", len(data))
    with open(path, "wb") as f:
        f.write(header + data)


def espeak(text, rate, seconds):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "s.wav")
        out = os.path.join(tmp, "r.wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "170", "-w", raw, text], check=True)
        subprocess.run(["sox", "-R", "-D", raw, "-r", str(rate), "-b", "16", "-c", "1", out, "trim", "0",
                        str(seconds)], check=True)
        wav, sr = torchaudio.load(out)
        assert sr == rate
        return wav[0].numpy()


def reference(wav_path, options):
    wav, sr = torchaudio.load(wav_path)  # float32 in [-1, 1]
    wave = wav.double().mean(dim=0, keepdim=True).float() * 32768.0
    # Kaldi's defaults where torchaudio's differ (energy_floor: Kaldi 0, torchaudio 1).
    kwargs = {"dither": 0.0, "energy_floor": 0.0, "num_mel_bins": 80, "sample_frequency": float(sr)}
    tokens = options.split()
    for flag, value in zip(tokens[0::2], tokens[1::2]):
        name, conv = FLAG_TO_TA[flag]
        kwargs[name] = conv(value)
    assert kwargs["sample_frequency"] == sr, (wav_path, sr)
    if (kwargs.get("snip_edges", True) and
            wave.shape[1] < int(sr * 0.001 * kwargs.get("frame_length", 25.0))):
        return np.zeros((0, kwargs["num_mel_bins"] + int(kwargs.get("use_energy", False))),
                        np.float32)
    return torchaudio.compliance.kaldi.fbank(wave, **kwargs).numpy().astype(np.float32)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240603)
    t16 = np.arange(16000) / 16000.0
    cases = []  # (name, wav file, options)

    speech = espeak("The quick brown fox jumps over the lazy dog.", 16000, 1.2)
    write_wav(os.path.join(OUT, "speech.wav"), speech, 16000)
    cases.append(("speech", "speech.wav", ""))
    cases.append(("speech_snip_false_hamming_energy", "speech.wav",
                  "--snip-edges false --window-type hamming --use-energy true --num-mel-bins 40 "
                  "--frame-length 20 --low-freq 60 --high-freq -400"))
    cases.append(("speech_blackman_no_pow2_htk", "speech.wav",
                  "--window-type blackman --round-to-power-of-two false --preemphasis-coefficient 0 "
                  "--remove-dc-offset false --use-energy true --raw-energy false --htk-compat true "
                  "--num-mel-bins 64"))
    cases.append(("speech_magnitude_hanning", "speech.wav",
                  "--use-power false --window-type hanning --frame-shift 12.5 --energy-floor 1 "
                  "--use-energy true"))
    cases.append(("speech_rectangular", "speech.wav", "--window-type rectangular"))
    # VTLN warps (what training's --vtlp draws per utterance): both sides of 1,
    # and inflection points away from the defaults.
    cases.append(("speech_vtln_0.9", "speech.wav", "--vtln-warp 0.9"))
    cases.append(("speech_vtln_1.12", "speech.wav",
                  "--vtln-warp 1.12 --vtln-low 200 --vtln-high -800 --num-mel-bins 40"))

    # Exponential sine sweep 50 Hz -> 7.9 kHz, 0.8 s.
    t = t16[:12800]
    f0, f1, dur = 50.0, 7900.0, 0.8
    k = np.log(f1 / f0)
    sweep = 0.5 * np.sin(2 * np.pi * f0 * dur / k * (np.exp(t / dur * k) - 1))
    # A recording's noise floor (-50 dBFS white noise). Without it, the bins of a
    # pure tone's frame 30+ nats below its peak hold only float32 FFT rounding
    # noise, where no two float32 implementations agree (the pure sweep is a
    # separate case, checked with that in mind: see fbank_test.cc).
    noise_floor = rng.normal(0, 0.00316, len(t))
    write_wav(os.path.join(OUT, "sweep.wav"), sweep + noise_floor, 16000)
    cases.append(("sweep", "sweep.wav", ""))
    write_wav(os.path.join(OUT, "sweep_pure.wav"), sweep, 16000)
    cases.append(("sweep_pure", "sweep_pure.wav", ""))

    write_wav(os.path.join(OUT, "silence.wav"), np.zeros(8000), 16000)
    cases.append(("silence", "silence.wav", ""))

    write_wav(os.path.join(OUT, "noise.wav"), np.clip(rng.normal(0, 0.2, 8000), -1, 1), 16000)
    cases.append(("noise", "noise.wav", ""))

    clipped = np.clip(3.0 * np.sin(2 * np.pi * 440 * t16[:8000]) + 0.5 * speech[:8000], -1, 1)
    write_wav(os.path.join(OUT, "clipping.wav"), clipped, 16000)
    cases.append(("clipping", "clipping.wav", ""))

    speech8 = espeak("Seven eight nine.", 8000, 0.8)
    write_wav(os.path.join(OUT, "speech_8k.wav"), speech8, 8000)
    cases.append(("speech_8k", "speech_8k.wav", "--sample-frequency 8000 --num-mel-bins 40"))

    speech44 = espeak("Forty four.", 44100, 0.5)
    write_wav(os.path.join(OUT, "speech_44k.wav"), speech44, 44100)
    cases.append(("speech_44k", "speech_44k.wav", "--sample-frequency 44100"))

    left = speech[:9600]
    right = 0.3 * np.sin(2 * np.pi * 1000 * t16[:9600]) + rng.normal(0, 0.00316, 9600)
    write_wav(os.path.join(OUT, "stereo.wav"), np.stack([left, right], axis=1), 16000)
    cases.append(("stereo", "stereo.wav", ""))

    write_wav(os.path.join(OUT, "one_frame.wav"), speech[4000:4400], 16000)  # exactly 400
    cases.append(("one_frame", "one_frame.wav", ""))
    write_wav(os.path.join(OUT, "almost_two_frames.wav"), speech[4000:4559], 16000)  # 559: 1 frame
    cases.append(("almost_two_frames", "almost_two_frames.wav", ""))
    write_wav(os.path.join(OUT, "short.wav"), speech[4000:4399], 16000)  # 399: no frame
    cases.append(("short", "short.wav", ""))
    # 559 samples without snip-edges: 3 frames, the last reflected past the end.
    # (torchaudio refuses a signal shorter than one window even without snip-edges,
    # so the 399-sample case without snip-edges is checked in fbank_test.cc by count.)
    cases.append(("almost_two_frames_snip_false", "almost_two_frames.wav", "--snip-edges false"))

    with open(os.path.join(OUT, "fbank_cases.txt"), "w") as manifest:
        manifest.write("# <name> <wav> <options>; written by make_fbank_fixtures.py\n")
        for name, wav, options in cases:
            feats = reference(os.path.join(OUT, wav), options)
            with open(os.path.join(OUT, name + ".fbank"), "wb") as f:
                f.write(struct.pack("<ii", feats.shape[0], feats.shape[1]))
                f.write(feats.astype("<f4").tobytes())
            manifest.write(f"{name} {wav} {options}".rstrip() + "\n")
            print(f"{name}: {feats.shape[0]} x {feats.shape[1]}")


if __name__ == "__main__":
    main()
