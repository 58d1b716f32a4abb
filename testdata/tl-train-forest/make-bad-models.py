#!/usr/bin/env python3
"""Write the damaged forest models of bad-models/ from the good ones here.

Each bad model differs from good-v2.model (regression), good-v2-class.model
(classification) or good-v1.model (version 1: no checksum) in one way.  A
damage to the trees is "resealed" (tree_bytes and the mix64x4 checksum of
the tree block written again into the header) where the point is that the
loader checks the nodes themselves, as a file made on purpose would pass
the checksum.  tests/cli/tl-train-forest/052-bad-models expects the message
and exit status 65 of each.  Run from this directory: ./make-bad-models.py

The good models were trained on small.jsonl:
  tl-train-forest train -q -t next_roi --exclude strategy,period,next_sharpe
      --trees 3 -s 1 -o good-v2.model small.jsonl
  (good-v1.model: the same by the tl-train-forest of commit ea8f192, which
  wrote version 1)
  tl-train-forest train -q -t genome.use_trailing
      --features genome.lookback,genome.universe --trees 3 -s 1
      -o good-v2-class.model small.jsonl

Model layout (tl_forest_save): one JSON header line padded with spaces so
that the trees start 8-aligned, then per tree u32 nodes, u32 leaves, the
nodes (u32 child or leaf, u16 feature, u8 bin, u8 flags: 1 leaf, 2 missing
left) and the leaf values (doubles; K class shares each for
classification), little-endian.
"""
import json
import os
import struct

NODE = struct.Struct("<IHBB")
M64 = (1 << 64) - 1
K = 0x9E3779B97F4A7C15


def mix64x4(b):
    """The checksum of a tree block, as tl-train-forest(1) defines it."""
    h = [0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0,
         0x082EFA98EC4E6C89]
    for i in range(len(b) // 8):
        x = ((h[i % 4] ^ struct.unpack_from("<Q", b, 8 * i)[0]) * K) & M64
        h[i % 4] = ((x << 29) | (x >> 35)) & M64
    r = len(b)
    for x in h:
        r = ((r ^ x) * K) & M64
        r ^= r >> 29
    return "mix64x4:%016x" % r


def read(name):
    b = open(name, "rb").read()
    i = b.index(b"\n")
    return json.loads(b[:i]), bytearray(b[i + 1:])


def header_line(h):
    s = json.dumps(h, separators=(",", ":"), ensure_ascii=False).encode()
    while (len(s) + 1) % 8:
        s += b" "
    return s + b"\n"


def write(name, h, trees, reseal=False):
    if reseal:
        h = dict(h)
        h["tree_bytes"] = len(trees)
        h["checksum"] = mix64x4(bytes(trees))
    with open(os.path.join("bad-models", name + ".model"), "wb") as f:
        f.write(header_line(h) + bytes(trees))


def trees_of(h, t):
    """(offset of its nodes, nodes, leaves) of each tree in block t."""
    per = len(h.get("classes", [])) or 1
    out, at = [], 0
    for _ in range(h["trees"]):
        nn, nl = struct.unpack_from("<II", t, at)
        out.append((at + 8, nn, nl))
        at += 8 + 8 * nn + 8 * per * nl
    return out


def first(t, nodes_at, nn, leaf):
    """Index of the first leaf (leaf=True) or split node of a tree."""
    for i in range(nn):
        if bool(NODE.unpack_from(t, nodes_at + 8 * i)[3] & 1) == leaf:
            return i
    raise SystemExit("no such node")


def edit_node(h, t, tree, which, **kw):
    at, nn, _ = trees_of(h, t)[tree]
    i = first(t, at, nn, which == "leaf")
    child, feat, b, flags = NODE.unpack_from(t, at + 8 * i)
    v = dict(child=child, feat=feat, bin=b, flags=flags)
    v.update(kw)
    NODE.pack_into(t, at + 8 * i, v["child"], v["feat"], v["bin"], v["flags"])


def leaf_values_at(h, t, tree):
    at, nn, _ = trees_of(h, t)[tree]
    return at + 8 * nn


def main():
    os.makedirs("bad-models", exist_ok=True)
    for f in os.listdir("bad-models"):
        os.remove(os.path.join("bad-models", f))
    h, t = read("good-v2.model")
    hc, tc = read("good-v2-class.model")
    h1, t1 = read("good-v1.model")

    def copy():
        return dict(h), bytearray(t)

    # counts against the file's size
    x, y = copy(); x["trees"] = 999999999; write("trees-999999999", x, y)
    x = dict(h1); x["trees"] = 999999999; write("v1-trees-999999999", x, t1)
    x, y = copy(); write("truncated", x, y[:-9])
    write("v1-truncated", h1, t1[:-9])
    write("v1-bytes-after-trees", h1, t1 + b"\0" * 8)
    x, y = copy(); y[100] ^= 1; write("checksum-mismatch", x, y)
    x, y = copy(); del x["checksum"]; write("no-checksum", x, y)
    x, y = copy(); x["checksum"] = "mix64x4:" + "0" * 16
    write("checksum-zero", x, y)
    # nodes, behind a good checksum: (name, tree, node kind, change)
    for name, tree, kind, change in [
            ("split-bin-255", 0, "split", dict(bin=255)),
            ("split-bin-200", 1, "split", dict(bin=200)),
            ("flags-0xfe", 0, "split", dict(flags=0xFE)),
            ("leaf-flags-3", 2, "leaf", dict(flags=3)),
            ("child-loop", 0, "split", dict(child=0)),
            ("feature-65535", 0, "split", dict(feat=65535)),
            ("leaf-index-100000", 1, "leaf", dict(child=100000))]:
        x, y = copy()
        edit_node(x, y, tree, kind, **change)
        write(name, x, y, reseal=True)
    x, y = copy()
    struct.pack_into("<d", y, leaf_values_at(x, y, 1) + 8, float("nan"))
    write("leaf-nan", x, y, reseal=True)
    x, y = copy()
    struct.pack_into("<d", y, leaf_values_at(x, y, 0), float("inf"))
    write("leaf-inf", x, y, reseal=True)
    x, y = dict(hc), bytearray(tc)
    struct.pack_into("<d", y, leaf_values_at(x, y, 0), 0.75)
    write("class-shares-sum", x, y, reseal=True)
    y = bytearray(t1)
    struct.pack_into("<d", y, leaf_values_at(h1, y, 2), float("nan"))
    write("v1-leaf-nan", h1, y)
    y = bytearray(t1); edit_node(h1, y, 0, "split", bin=255)
    write("v1-split-bin-255", h1, y)
    y = bytearray(t1); edit_node(h1, y, 0, "split", flags=0xFE)
    write("v1-flags-0xfe", h1, y)
    # the header
    x, y = copy(); x["version"] = 3; write("version-3", x, y)
    x, y = copy(); x["format"] = "tl-forest"; write("not-ours", x, y)
    x, y = copy()
    x["features"] = [dict(f) for f in x["features"]]
    x["features"][0]["bounds"] = list(reversed(x["features"][0]["bounds"]))
    write("bounds-decreasing", x, y)
    x, y = copy()
    x["features"] = [dict(f) for f in x["features"]]
    x["features"][1]["name"] = x["features"][0]["name"]
    write("feature-named-twice", x, y)
    x, y = copy()
    x["features"] = [dict(f) for f in x["features"]]
    x["features"][0]["type"] = "numbr"
    write("feature-type-unknown", x, y)
    x, y = copy()
    x["features"] = [dict(f) for f in x["features"]]
    cat = next(f for f in x["features"] if f["type"] == "category")
    cat["categories"] = cat["categories"][:1] * 2 + cat["categories"][2:]
    write("category-twice", x, y)
    x, y = dict(hc), bytearray(tc)
    x["classes"] = [x["classes"][0]] * 2
    write("class-twice", x, y)
    with open(os.path.join("bad-models", "garbage.model"), "wb") as f:
        f.write(b"\x89\x00\xff\xfe\x01garbage\n" + bytes(range(256)))
    open(os.path.join("bad-models", "empty.model"), "wb").close()


if __name__ == "__main__":
    main()
