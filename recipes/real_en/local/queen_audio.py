"""Voice entries of Flight of the Amazon Queen (MP3 in the Debian build) to 16 kHz WAV.

The rate and channel count are read from the first MPEG frame header, not assumed
(the Debian build is MPEG-2.5 layer III, 11,025 Hz mono); mpg123 decodes to raw
signed 16-bit samples at that rate, and datadir.sox_to_wav resamples.
"""
import subprocess

from datadir import sox_to_wav

# Sample rates by MPEG version bits (0: 2.5, 2: 2, 3: 1) and rate index.
_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}


class AudioFormatError(Exception):
    pass


def mp3_format(data):
    """(sample rate, channels, "MPEG-x layer y") of the first MPEG audio frame in data."""
    limit = min(len(data) - 3, 4096)
    for i in range(max(0, limit)):
        if data[i] != 0xFF or (data[i + 1] & 0xE0) != 0xE0:
            continue
        version = (data[i + 1] >> 3) & 3
        layer = (data[i + 1] >> 1) & 3
        rate_index = (data[i + 2] >> 2) & 3
        if version == 1 or layer == 0 or rate_index == 3 or (data[i + 2] >> 4) == 15:
            continue
        channels = 1 if (data[i + 3] >> 6) == 3 else 2
        name = "MPEG-%s layer %s" % ({0: "2.5", 2: "2", 3: "1"}[version], {1: "III", 2: "II", 3: "I"}[layer])
        return _RATES[version][rate_index], channels, name
    raise AudioFormatError("no MPEG audio frame header in the first %d bytes" % limit)


def decode_mp3(data):
    """(raw s16 native-endian samples, rate, channels) of one MP3 entry, by mpg123."""
    rate, channels, _ = mp3_format(data)
    proc = subprocess.run(["mpg123", "-q", "-e", "s16", "-s", "-"], input=data, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        raise AudioFormatError("mpg123 failed (%d): %s" % (
            proc.returncode, proc.stderr.decode(errors="replace").strip()))
    return proc.stdout, rate, channels


def mp3_to_wav(data, out_path):
    """Decodes one MP3 entry and writes it as 16 kHz 16-bit mono WAV (whole or not at all)."""
    raw, rate, channels = decode_mp3(data)
    sox_to_wav(["-t", "raw", "-r", str(rate), "-e", "signed-integer", "-b", "16",
                "-c", str(channels), "-"], out_path, data=raw)
