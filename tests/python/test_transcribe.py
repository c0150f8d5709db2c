"""Recognizer.transcribe gives the CLI's text, with a complete Transcript."""

import numpy as np

from conftest import FAST, FAST_FLAGS, MODEL, OTHER_SAMPLE, SAMPLE, read_wav, run_cli


def cli_text(path, *flags):
    status, out, _ = run_cli("transcribe", "--quiet", "--model", MODEL, *flags, path)
    assert status == 0
    key, _, text = out.decode().rstrip("\n").partition(" ")
    assert key == path
    return text


def test_file_gives_the_cli_text(attend_module, model, fast):
    # The model's own decoding options (its decode.conf: word LM, beam 16).
    assert attend_module.Recognizer(model).transcribe(SAMPLE).text == cli_text(SAMPLE)
    for path in (SAMPLE, OTHER_SAMPLE):
        text = cli_text(path, *FAST_FLAGS)
        assert text  # the bundled model recognizes its samples
        assert fast.transcribe(path).text == text


def test_samples_give_the_file_result(fast, model):
    recognizer = fast
    samples, rate = read_wav(SAMPLE)
    from_file = recognizer.transcribe(SAMPLE)
    from_array = recognizer.transcribe(samples, sample_rate=rate)
    assert from_array.text == from_file.text
    int16 = np.round(samples * 32768).astype(np.int16)
    assert recognizer.transcribe(int16, sample_rate=rate).text == from_file.text
    # The model's rate is the default.
    assert model.sample_rate == rate
    assert recognizer.transcribe(samples).text == from_file.text


def test_transcript_has_times_confidences_nbest_and_attention(attend_module, model):
    recognizer = attend_module.Recognizer(model, **dict(FAST, nbest=3))
    t = recognizer.transcribe(SAMPLE)
    assert t.duration > 1.0 and t.seconds_per_frame > 0
    assert t.text == " ".join(s.text for s in t.segments if s.text)
    segment = t.segments[0]
    assert 1 <= len(segment.nbest) <= 3
    scores = [a.score for a in segment.nbest]
    assert scores == sorted(scores, reverse=True)
    best = segment.nbest[0]
    assert " ".join(w.text for w in best.words) == best.text
    for unit in best.words + best.tokens:
        assert segment.start <= unit.start <= unit.end <= t.duration + 1e-6
        assert 0.0 <= unit.confidence <= 1.0
    a = best.attention
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    assert a.shape[0] == len(best.tokens) + 1  # tokens and <eos>
    assert a.shape[1] > 0
    np.testing.assert_allclose(a.sum(axis=1), 1.0, atol=1e-3)
    assert a.flags["C_CONTIGUOUS"] and not a.flags["OWNDATA"]  # the decoder's buffer


def test_options_reach_the_decoder(attend_module, model):
    assert model.tokens[0] and len(model.tokens) > 26
    assert isinstance(model.config, dict) and model.config
    r = attend_module.Recognizer(MODEL, **dict(FAST, beam=1), keep_attention=False,
                                 keep_tokens=False, min_pause=0.4)
    options = r.options()
    assert options["beam"] == 1 and options["min_pause"] == 0.4
    assert options["keep_attention"] is False
    best = r.transcribe(SAMPLE).segments[0].nbest[0]
    assert best.attention.size == 0 and best.tokens == [] and best.words


def test_features_give_the_samples_result(attend_module, fast):
    recognizer = fast
    samples, rate = read_wav(SAMPLE)
    features = attend_module.fbank(samples, rate)
    assert recognizer.transcribe_features(features).text == recognizer.transcribe(SAMPLE).text
