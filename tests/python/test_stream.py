"""Recognizer.stream gives the events `attend stream --format json` prints."""

import json

import pytest

from conftest import FAST, FAST_FLAGS, MODEL, SAMPLE, read_wav, run_cli

SPEECH = SAMPLE


def rounded(event):
    """An event dict with the CLI's rounding (3 decimals for times and confidences)."""
    e = dict(event)
    e["start"], e["end"] = round(e["start"], 3), round(e["end"], 3)
    e["words"] = [{k: round(v, 3) if isinstance(v, float) else v for k, v in w.items()}
                  for w in e["words"]]
    return e


def python_events(attend_module, model, path):
    # `attend stream`'s settings: one oneDNN thread, partials every 0.3 s,
    # 50 ms chunks at the model's rate.
    recognizer = attend_module.Recognizer(model, **FAST, partial_interval=0.3, keep_tokens=False)
    samples, rate = read_wav(path)
    stream = recognizer.stream()
    chunk = rate // 20
    events = []
    for i in range(0, len(samples), chunk):
        events += stream.accept(samples[i:i + chunk], rate)
    events += stream.finish()
    return events


def test_stream_events_equal_attend_stream(attend_module, model):
    status, out, err = run_cli("stream", "--format", "json", "--model", MODEL, *FAST_FLAGS, SPEECH)
    assert status == 0, err
    cli = [json.loads(line) for line in out.decode().splitlines()]
    events = python_events(attend_module, model, SPEECH)
    mine = [rounded(e.as_dict()) for e in events]
    # Finals do not depend on timing; the CLI's partials come from a file read on
    # its own thread, so where one is recomputed may move by a chunk.
    assert [e for e in mine if e["type"] == "final"] == [e for e in cli if e["type"] == "final"]
    assert [e["type"] for e in mine] == [e["type"] for e in cli]
    assert [e["text"] for e in mine if e["type"] == "partial"] == \
           [e["text"] for e in cli if e["type"] == "partial"]
    finals = [e for e in events if e.type == "final"]
    assert finals and all(e.segment.nbest[0].text == e.text for e in finals)
    assert any(e.type == "partial" for e in events)


def test_stream_results_do_not_depend_on_chunks(fast):
    recognizer = fast
    samples, rate = read_wav(SPEECH)
    texts = []
    for chunk in (1000, 7777, len(samples)):
        stream = recognizer.stream()
        events = []
        for i in range(0, len(samples), chunk):
            events += stream.accept(samples[i:i + chunk], rate)
        events += stream.finish()
        texts.append(" ".join(e.text for e in events if e.type == "final"))
        assert stream.duration == pytest.approx(len(samples) / rate, abs=1e-3)
    assert texts[0] == texts[1] == texts[2] == recognizer.transcribe(SPEECH).text
