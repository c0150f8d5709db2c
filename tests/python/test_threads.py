"""Python threads decode in parallel on one model and get the sequential results."""

import threading

from conftest import FAST, OTHER_SAMPLE, SAMPLE, read_wav


def run_in_threads(functions):
    results, errors = [None] * len(functions), []

    def run(i):
        try:
            results[i] = functions[i]()
        except Exception as e:  # reported below, with the thread's failure
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(functions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_two_recognizers_on_one_model(attend_module, model):
    paths = [SAMPLE, OTHER_SAMPLE]
    a, b = attend_module.Recognizer(model, **FAST), attend_module.Recognizer(model, **FAST)
    expected = [a.transcribe(p).text for p in paths]
    got = run_in_threads([lambda: [a.transcribe(p).text for p in paths * 2],
                          lambda: [b.transcribe(p).text for p in reversed(paths * 2)]])
    assert got[0] == expected * 2
    assert got[1] == list(reversed(expected * 2))


def test_one_recognizer_shared_by_threads(attend_module, model):
    recognizer = attend_module.Recognizer(model, **FAST)
    samples, rate = read_wav(OTHER_SAMPLE)
    expected = recognizer.transcribe(samples, rate).text
    got = run_in_threads([lambda: recognizer.transcribe(samples, rate).text] * 3)
    assert got == [expected] * 3


def test_streams_in_threads(attend_module, model):
    recognizer = attend_module.Recognizer(model, **FAST)

    def stream_text(path):
        samples, rate = read_wav(path)
        stream = recognizer.stream()
        events = []
        for i in range(0, len(samples), 1600):
            events += stream.accept(samples[i:i + 1600], rate)
        events += stream.finish()
        return " ".join(e.text for e in events if e.type == "final")

    got = run_in_threads([lambda: stream_text(SAMPLE), lambda: stream_text(OTHER_SAMPLE)])
    assert got == [recognizer.transcribe(SAMPLE).text, recognizer.transcribe(OTHER_SAMPLE).text]


def test_stream_made_on_one_thread_fed_from_another(attend_module, fast):
    samples, rate = read_wav(SAMPLE)
    stream = fast.stream()  # made here, on the main thread
    stream.accept(samples[:rate], rate)

    def rest():
        events = stream.accept(samples[rate:], rate) + stream.finish()
        return " ".join(e.text for e in events if e.type == "final")

    (text,) = run_in_threads([rest])
    assert text == fast.transcribe(SAMPLE).text
