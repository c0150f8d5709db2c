"""attend.fbank equals `attend features`; read_kaldi_archive reads Kaldi archives."""

import struct

import numpy as np
import pytest

from conftest import OTHER_SAMPLE, SAMPLE, read_wav, run_cli


def parse_binary_archive(data):
    """{key: float32 matrix} of a binary Kaldi archive of FM entries (parsed here,
    independently of the module's reader)."""
    matrices, pos = {}, 0
    while pos < len(data):
        space = data.index(b" ", pos)
        key = data[pos:space].decode()
        assert data[space + 1:space + 6] == b"\0BFM "
        pos = space + 6
        assert data[pos] == 4
        rows = struct.unpack_from("<i", data, pos + 1)[0]
        assert data[pos + 5] == 4
        cols = struct.unpack_from("<i", data, pos + 6)[0]
        pos += 10
        matrices[key] = np.frombuffer(data, "<f4", rows * cols, pos).reshape(rows, cols)
        pos += 4 * rows * cols
    return matrices


def cli_features(path, *options):
    status, out, err = run_cli("features", *options, path, "ark:-")
    assert status == 0, err
    (matrix,) = parse_binary_archive(out).values()
    return matrix


def test_fbank_equals_attend_features(attend_module):
    samples, rate = read_wav(SAMPLE)
    features = attend_module.fbank(samples, rate)
    expected = cli_features(SAMPLE)
    assert features.dtype == np.float32 and features.shape == expected.shape
    assert features.shape[1] == 80
    np.testing.assert_array_equal(features, expected)


def test_fbank_options_are_kaldis(attend_module):
    samples, rate = read_wav(SAMPLE)
    features = attend_module.fbank(samples, rate, num_mel_bins=40, frame_shift=20,
                                   use_energy=True, window_type="hamming")
    expected = cli_features(SAMPLE, "--num-mel-bins=40", "--frame-shift=20", "--use-energy=true",
                            "--window-type=hamming")
    assert features.shape == expected.shape and features.shape[1] == 41
    np.testing.assert_array_equal(features, expected)


def test_read_kaldi_archive(attend_module, tmp_path):
    ark, scp = tmp_path / "feats.ark", tmp_path / "feats.scp"
    wav_scp = tmp_path / "wav.scp"
    wav_scp.write_text(f"a {SAMPLE}\nb {OTHER_SAMPLE}\n")
    status, _, err = run_cli("features", f"scp:{wav_scp}", f"ark,scp:{ark},{scp}")
    assert status == 0, err
    expected = parse_binary_archive(ark.read_bytes())
    for source in (ark, str(ark), f"ark:{ark}", scp):
        entries = list(attend_module.read_kaldi_archive(source))
        assert [key for key, _ in entries] == ["a", "b"]
        for key, matrix in entries:
            assert matrix.dtype == np.float32
            np.testing.assert_array_equal(matrix, expected[key])
    text = tmp_path / "feats.txt"
    status, _, err = run_cli("features", SAMPLE, f"ark,t:{text}")
    assert status == 0, err
    ((key, matrix),) = list(attend_module.read_kaldi_archive(f"ark,t:{text}"))
    np.testing.assert_allclose(matrix, expected["a"], rtol=1e-5, atol=1e-4)


def test_fbank_of_short_audio_has_no_frames(attend_module):
    assert attend_module.fbank(np.zeros(100, np.float32), 16000).shape == (0, 80)
