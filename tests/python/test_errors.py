"""Bad input raises ValueError with the CLI's message; the interpreter survives."""

import numpy as np
import pytest

from conftest import FAST, MODEL, SAMPLE, cli_error


def test_missing_model_file(attend_module, tmp_path):
    missing = str(tmp_path / "missing.attend")
    message = cli_error("transcribe", "--model", missing, SAMPLE)
    with pytest.raises(ValueError) as e:
        attend_module.Model(missing)
    assert str(e.value) == message


def test_corrupt_model_file(attend_module, tmp_path):
    corrupt = tmp_path / "corrupt.attend"
    corrupt.write_bytes(b"not a model" * 100)
    message = cli_error("transcribe", "--model", str(corrupt), SAMPLE)
    with pytest.raises(ValueError) as e:
        attend_module.Model(corrupt)
    assert str(e.value) == message


def test_missing_and_bad_audio_files(fast, tmp_path):
    recognizer = fast
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio\n")
    for path in (str(tmp_path / "missing.wav"), str(not_audio)):
        message = cli_error("transcribe", "--quiet", "--model", MODEL, path)
        with pytest.raises(ValueError) as e:
            recognizer.transcribe(path)
        assert str(e.value) == message


def test_bad_decoding_options(attend_module, model):
    for kwargs, flags in (({"beam": 0}, ["--beam", "0"]),
                          ({"ctc_weight": 1.5}, ["--ctc-weight", "1.5"]),
                          ({"min_pause": -1.0}, ["--min-pause", "-1"]),
                          ({"lm": "/nonexistent.arpa"}, ["--lm", "/nonexistent.arpa"])):
        message = cli_error("transcribe", "--quiet", "--model", MODEL, *flags, SAMPLE)
        with pytest.raises(ValueError) as e:
            attend_module.Recognizer(model, **kwargs)
        assert str(e.value) == message
    with pytest.raises(ValueError, match="unknown option 'bean'"):
        attend_module.Recognizer(model, bean=4)
    with pytest.raises(ValueError, match="beam"):
        attend_module.Recognizer(model, beam="wide")
    with pytest.raises(ValueError, match="beam"):
        attend_module.Recognizer(model, beam=[1])
    with pytest.raises(ValueError, match="partial-interval"):
        attend_module.Recognizer(model, partial_interval=0)


def test_bad_samples(fast):
    recognizer = fast
    with pytest.raises(ValueError):
        recognizer.transcribe(np.array([0.0, np.nan, 0.0], np.float32))
    with pytest.raises(ValueError):
        recognizer.transcribe(np.full(16000, np.inf))
    with pytest.raises(ValueError, match="1-D"):
        recognizer.transcribe(np.zeros((16000, 2), np.float32))
    with pytest.raises(ValueError, match="int16"):
        recognizer.transcribe(np.zeros(16000, np.int32))
    with pytest.raises(ValueError):
        recognizer.transcribe(np.array(["a", "b"]))
    with pytest.raises(ValueError):
        recognizer.transcribe(np.zeros(16000, np.float32), sample_rate=0)
    with pytest.raises(ValueError):
        recognizer.transcribe(np.zeros(16000, np.float32), sample_rate=-16000)
    with pytest.raises(ValueError, match="sample_rate"):
        recognizer.transcribe(SAMPLE, sample_rate=16000)
    with pytest.raises(ValueError):
        recognizer.transcribe_features(np.zeros((10, 3), np.float32))
    # Silence and empty input are not errors.
    assert recognizer.transcribe(np.zeros(16000, np.float32)).text == ""
    assert recognizer.transcribe(np.zeros(0, np.float32)).text == ""
    # The recognizer still works.
    assert recognizer.transcribe(SAMPLE).text


def test_bad_stream_use(attend_module, model):
    stream = attend_module.Recognizer(model, **FAST).stream()
    with pytest.raises(ValueError):
        stream.accept(np.array([np.nan], np.float32))
    stream.accept(np.zeros(1600, np.float32), 16000)
    with pytest.raises(ValueError):
        stream.accept(np.zeros(1600, np.float32), 8000)  # one rate per stream
    stream.finish()
    with pytest.raises(ValueError):
        stream.accept(np.zeros(1600, np.float32), 16000)  # after finish
    stream.reset()
    assert stream.accept(np.zeros(1600, np.float32), 16000) == []


def test_bad_features_input(attend_module, tmp_path):
    with pytest.raises(ValueError):
        attend_module.fbank(np.zeros(16000, np.float32), 16000, num_mel_bins=0)
    with pytest.raises(ValueError, match="unknown option"):
        attend_module.fbank(np.zeros(16000, np.float32), 16000, mel_bins=40)
    with pytest.raises(ValueError):
        attend_module.fbank(np.zeros(16000, np.float32), -1)
    garbage = tmp_path / "garbage.ark"
    garbage.write_bytes(b"key \0BFM \4\xff\xff\xff\x7f\4\x02\0\0\0")
    with pytest.raises(ValueError):
        list(attend_module.read_kaldi_archive(garbage))
    with pytest.raises(ValueError):
        list(attend_module.read_kaldi_archive(tmp_path / "missing.ark"))
