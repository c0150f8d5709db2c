"""Writing attend's model file format (nn/model_file.h) from Python, for the
fixture generators under tests/.
"""
import struct
import zlib

import torch


def write_model(path, config, tensors):
    """Writes `config` text and float32 `tensors` (name -> torch tensor) in name order."""
    out = bytearray(b"ATTNDMDL")
    out += struct.pack("<I", 1)
    cfg = config.encode()
    out += struct.pack("<Q", len(cfg)) + cfg
    out += struct.pack("<Q", len(tensors))
    out += struct.pack("<I", zlib.crc32(bytes(out)))
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        rec = bytearray()
        nb = name.encode()
        rec += struct.pack("<I", len(nb)) + nb
        rec += struct.pack("<B", 0)
        rec += struct.pack("<I", t.dim())
        for d in t.shape:
            rec += struct.pack("<q", d)
        data = t.numpy().astype("<f4").tobytes()
        rec += struct.pack("<Q", len(data)) + data
        out += rec + struct.pack("<I", zlib.crc32(bytes(rec)))
    out += b"ENDATTND"
    with open(path, "wb") as f:
        f.write(bytes(out))
