"""Reading attend's model file format (nn/model_file.h) from Python, for the
PyTorch peers in bench/peers/ (the writer is tests/fixture_io.py).

    config, tensors = read_model("build/bench/random.attend")
    config["encoder.hidden_dim"]  -> "320"   (strings, as the file holds them)
    tensors["ctc.weight"]         -> torch.float32 tensor

Every length and CRC is checked, as attend's reader does.
"""
import struct
import zlib

import torch

MAGIC, TRAILER, VERSION = b"ATTNDMDL", b"ENDATTND", 2
# Tensor dtypes: float32 always; bfloat16 (the upper half of a float32) from
# version 2 on (`attend average --storage bf16`), widened to float32 here.
FLOAT32, BFLOAT16 = 0, 1


class _Reader:
    def __init__(self, data, path):
        self.data, self.pos, self.path = data, 0, path

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(f"{self.path}: truncated model file at byte {self.pos}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]


def parse_config(text):
    """`name = value` lines -> dict of strings (comments and blank lines skipped)."""
    config = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = line.split("=", 1)
            config[key.strip()] = value.strip()
    return config


def as_bool(value):
    return value.lower() in ("1", "true", "yes", "on")


def read_model(path):
    """Returns (config dict, {name: float32 tensor}) of an attend model file."""
    with open(path, "rb") as f:
        data = f.read()
    r = _Reader(data, path)
    if r.take(8) != MAGIC:
        raise ValueError(f"{path}: not an attend model file")
    version = r.unpack("<I")
    if version > VERSION:
        raise ValueError(f"{path}: format version {version} is newer than {VERSION}")
    config_text = r.take(r.unpack("<Q")).decode()
    count = r.unpack("<Q")
    header_end = r.pos
    if r.unpack("<I") != zlib.crc32(data[:header_end]):
        raise ValueError(f"{path}: header CRC mismatch")
    tensors = {}
    for _ in range(count):
        start = r.pos
        name = r.take(r.unpack("<I")).decode()
        dtype = r.unpack("<B")
        if dtype != FLOAT32 and not (dtype == BFLOAT16 and version >= 2):
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
        shape = [r.unpack("<q") for _ in range(r.unpack("<I"))]
        raw = r.take(r.unpack("<Q"))
        if r.unpack("<I") != zlib.crc32(data[start:r.pos - 4]):
            raise ValueError(f"{path}: CRC mismatch in tensor {name}")
        if not raw:
            t = torch.zeros(0)
        elif dtype == BFLOAT16:
            t = torch.frombuffer(bytearray(raw), dtype=torch.bfloat16).float()
        else:
            t = torch.frombuffer(bytearray(raw), dtype=torch.float32)
        tensors[name] = t.reshape(shape).clone()
    if r.take(8) != TRAILER or r.pos != len(data):
        raise ValueError(f"{path}: bad trailer")
    return parse_config(config_text), tensors


def vocabulary(tensors):
    """Token strings by id from "vocabulary.code_points" (decoder/vocabulary.h)."""
    specials = {-1: "<blank>", -2: "<unk>", -3: "<sos/eos>"}
    tokens = []
    for cp in tensors["vocabulary.code_points"].tolist():
        cp = int(cp)
        tokens.append(specials.get(cp) or ("<space>" if cp == 0x20 else chr(cp)))
    return tokens
