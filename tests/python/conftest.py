"""Fixtures of the Python module's tests: the build tree's `attend` binary,
the bundled model and samples, and helpers that run the CLI."""

import os
import subprocess
import wave

import numpy as np
import pytest

ROOT = os.environ.get("ATTEND_SOURCE_ROOT",
                      os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("ATTEND_BINARY", os.path.join(ROOT, "build", "tools", "attend"))
MODEL = os.path.join(ROOT, "models", "default.attend")
SAMPLES = os.path.join(ROOT, "samples")
# Two short samples keep the suite fast.
SAMPLE = os.path.join(SAMPLES, "flite_rms-c000253.wav")
OTHER_SAMPLE = os.path.join(SAMPLES, "espeak_en029_annie-f003056.wav")


# Decoding that is quick on a busy machine (no word LM, a small beam, one
# oneDNN thread), as keyword arguments and as the CLI's flags. The test of the
# CLI's default text uses the model's own options.
FAST = {"beam": 4, "word_lm_weight": 0.0, "threads": 1}
FAST_FLAGS = ["--beam", "4", "--word-lm-weight", "0", "--threads", "1"]


def run_cli(*args):
    """Runs `attend ARGS`; returns (exit status, stdout, stderr)."""
    p = subprocess.run([BINARY, *args], capture_output=True, text=False)
    return p.returncode, p.stdout, p.stderr.decode()


def cli_error(*args):
    """The message `attend ARGS` fails with (after 'attend: error: ')."""
    status, _, err = run_cli(*args)
    assert status != 0
    lines = [l for l in err.splitlines() if l.startswith("attend: error: ")]
    assert lines, err
    return lines[0][len("attend: error: "):]


def read_wav(path):
    """(samples in [-1, 1] as float32, rate) of a 16-bit mono WAV file."""
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return pcm.astype(np.float32) / 32768.0, w.getframerate()


@pytest.fixture(scope="session")
def attend_module():
    import attend
    return attend


@pytest.fixture(scope="session")
def model(attend_module):
    return attend_module.Model(MODEL)


@pytest.fixture(scope="session")
def fast(attend_module, model):
    """A Recognizer with the FAST options."""
    return attend_module.Recognizer(model, **FAST)
