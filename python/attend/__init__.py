"""attend: attention-based speech recognition, from Python.

    import attend
    model = attend.Model("models/default.attend")
    recognizer = attend.Recognizer(model, beam=8)
    transcript = recognizer.transcribe("samples/flite_rms-c000253.wav")
    print(transcript.text)

Model is loaded once and shared by any number of Recognizers and threads;
computation runs with the GIL released. Bad input raises ValueError with the
message the `attend` command prints; other failures raise RuntimeError.
"""

from ._attend import (
    Alternative,
    KaldiArchiveReader,
    Model,
    Recognizer,
    Segment,
    Stream,
    StreamEvent,
    Transcript,
    Unit,
    __version__,
    fbank,
    read_kaldi_archive,
)

__all__ = [
    "Alternative",
    "KaldiArchiveReader",
    "Model",
    "Recognizer",
    "Segment",
    "Stream",
    "StreamEvent",
    "Transcript",
    "Unit",
    "__version__",
    "fbank",
    "read_kaldi_archive",
]
