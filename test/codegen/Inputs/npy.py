#!/usr/bin/env python3
#===- npy.py - write and print float32 .npy files without numpy ---------===#
#
#   npy.py write FILE DIMS VALUE...   DIMS like 1x2x4x4; VALUE repeats to fill
#   npy.py print FILE                 one value per line, as %g
#
#===----------------------------------------------------------------------===#
import ast
import struct
import sys


def write(path, dims, values):
    shape = [int(d) for d in dims.split("x")]
    count = 1
    for d in shape:
        count *= d
    vals = [float(v) for v in values]
    vals = (vals * count)[:count]
    dims_text = ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % dims_text
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%df" % count, *vals))


def show(path):
    data = open(path, "rb").read()
    hlen = struct.unpack("<H", data[8:10])[0]
    ast.literal_eval(data[10:10 + hlen].decode("latin1"))
    body = data[10 + hlen:]
    for v in struct.unpack("<%df" % (len(body) // 4), body):
        print("%g" % v)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        show(sys.argv[2])
