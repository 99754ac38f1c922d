#!/usr/bin/env python3
"""Golden reference data for the Java frame loader (loader module, docs/model.md sections 5.1/5.2).

Writes
* testdata/video/*        small H.264 test media made here with PyAV (libx264): B-frames in MP4 and
                          Matroska, a rotated MP4 (tkhd matrix patched to 90 degrees), a one-frame MP4, a
                          one-GOP MP4 (the Java test repeats it into a 10-minute video), an audio-only MP4,
                          an MPEG-4 Part 2 MP4 (unsupported codec), and two panning videos whose B-slices use
                          temporal direct prediction (x264 direct=temporal) and implicit weighted bi-prediction
                          in a PPS without weighted_pred_flag (x264 weightp=0, b-pyramid=none); an existing
                          video is kept unless --reencode is given (x264's bytes are not reproducible: they
                          differ between builds, thread counts and, now and then, runs; re-encoding would
                          change every golden);
* testdata/image/*        small test images (JPEG, grayscale JPEG, PNG RGBA, palette PNG, grayscale PNG);
* testdata/golden/frames/ expected.json plus PNGs of the resized frames:
    - per video: frame count, decord-style average fps (the stream's avg_frame_rate), the sampled indices
      for 8 and 32 frames, the timestamp sentence, the decode-order indices of the frames with B-slices
      using temporal direct prediction (direct_spatial_mv_pred_flag 0) or weighted bi-prediction in a
      PPS whose weighted_pred_flag is 0, as FFmpeg's trace_headers bitstream filter reads the headers
      (the `ffmpeg` command), and the 224x224 RGB24 frames at sampled indices as
      FFmpeg's filter graph makes them: [transpose=clock,]scale=224:224:flags=bilinear,format=rgb24
      (decord 0.6.0's graph under FFmpeg 4.1, whose scale filter defaults to bilinear): the SHA-256 and
      4x4 block means of every sampled frame, full PNGs of a few, and one frame with flags=bicubic (the
      default of FFmpeg 5.1+);
    - per image: PIL Image.open(p).convert('RGB').resize((224, 224), Image.BICUBIC), what torchvision
      0.13's Resize((224, 224), BICUBIC) does to a PIL image;
    - timestamps.json: str(round(idx / fps, 1)) for many (idx, fps) pairs, computed by Python;
    - sampling.json: np.arange(0, vlen, vlen / n).astype(int) for many (vlen, N).

Frames are decoded by PyAV's own FFmpeg, sorted by presentation time, indexed as decord indexes them.

Reference venv: /tmp/pyref (pip install --no-index --find-links /opt/wheels av pillow numpy);
produced with av 18.1.0 (FFmpeg libswscale 9.5), Pillow 12.3.0 and the ffmpeg 5.1 command (Debian). Run from anywhere:

    /tmp/pyref/bin/python scripts/reference/make_frame_golden.py [--shared DIR] [--reencode]   # DIR: the original sample videos, copied into testdata/video
"""

import argparse
import hashlib
import json
import random
import re
import struct
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
VIDEO_OUT = ROOT / "testdata" / "video"
IMAGE_OUT = ROOT / "testdata" / "image"
GOLDEN = ROOT / "testdata" / "golden" / "frames"
SIZE = 224
REENCODE = False  # --reencode: encode the test videos again even where they exist


def synthetic_frames(n, w, h):
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        img = np.zeros((h, w, 3), np.uint8)
        img[..., 0] = (xx * 255 // max(w - 1, 1) + i * 7) % 256
        img[..., 1] = (yy * 255 // max(h - 1, 1) + i * 3) % 256
        img[..., 2] = (128 + 100 * np.sin((xx + 2 * i) / 6.0) * np.cos(yy / 5.0)).astype(np.uint8)
        cx = (i * 5) % w
        img[h // 3:h // 3 + 10, cx:cx + 12] = (250, 250, 40)
        yield img


def panning_frames(n, w, h):
    """A smooth pattern panning left and up by (2.75, 1.25) pixels a frame, so motion vectors have quarter-pel
    parts, with a box moving the other way: motion that direct prediction has to get right."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    waves = [((0.11, 0.07, 0.0), (0.05, -0.13, 1.0), (0.19, 0.03, 2.0)),
             ((0.08, -0.10, 0.5), (0.15, 0.09, 1.5), (0.03, 0.21, 2.5)),
             ((0.13, 0.12, 1.2), (0.06, -0.04, 0.2), (0.22, -0.07, 2.2))]
    for i in range(n):
        x, y = xx + 2.75 * i, yy + 1.25 * i
        img = np.zeros((h, w, 3), np.uint8)
        for ch, ws in enumerate(waves):
            img[..., ch] = np.clip(128 + sum(40 * np.sin(a * x + b * y + p) for a, b, p in ws), 0, 255)
        bx, by = (w - 60 - 3 * i) % (w - 40), (30 + 2 * i) % (h - 32)
        img[by:by + 32, bx:bx + 40] = (240, 240, 40) if i % 2 else (230, 250, 50)
        img[by + 8:by + 24, bx + 10:bx + 30] = (30, 60, 200)
        yield img


def write_video(path, fmt, n, w, h, options=None, codec="libx264", audio=False, frames=synthetic_frames):
    if path.exists() and not REENCODE:
        return
    c = av.open(str(path), "w", format=fmt)
    s = None
    if n:
        s = c.add_stream(codec, rate=30)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        if options:
            s.options = options
    a = None
    if audio:
        a = c.add_stream("aac", rate=16000)
        a.layout = "mono"
    if s:
        for img in frames(n, w, h):
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    if a:
        t = np.arange(16000, dtype=np.float32) / 16000
        fr = av.AudioFrame.from_ndarray((0.3 * np.sin(2 * np.pi * 440 * t))[None, :].astype(np.float32),
                                        format="fltp", layout="mono")
        fr.sample_rate = 16000
        for p in a.encode(fr):
            c.mux(p)
        for p in a.encode():
            c.mux(p)
    c.close()


def rotate_tkhd(src, dst, degrees):
    """Copies an MP4 and sets the video track header's matrix to a clockwise rotation."""
    data = bytearray(src.read_bytes())
    a, b = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}[degrees]
    one = 0x10000
    matrix = [a * one, b * one, 0, -b * one, a * one, 0, 0, 0, 0x40000000]
    pos = 0
    found = 0
    while True:
        pos = data.find(b"tkhd", pos)
        if pos < 0:
            break
        version = data[pos + 4]
        # tkhd: version/flags(4), times+id+reserved+duration (20 or 32), reserved(8), layer(2),
        # alternate group(2), volume(2), reserved(2), matrix(36), width(4), height(4)
        body = pos + 4
        off = body + 4 + (32 if version == 1 else 20) + 8 + 8
        width = struct.unpack(">I", data[off + 36:off + 40])[0]
        if width:  # the video track (audio tracks have width 0)
            data[off:off + 36] = struct.pack(">9i", *matrix)
            found += 1
        pos += 4
    assert found == 1, found
    dst.write_bytes(bytes(data))


def b_slice_facts(path):
    """Decode-order indices of the frames with B-slices that use temporal direct prediction
    (direct_spatial_mv_pred_flag 0) and of those with B-slices weighted (weighted_bipred_idc 1 or 2) under a
    PPS whose weighted_pred_flag is 0, from FFmpeg's trace_headers bitstream filter."""
    log = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:v:0", "-c", "copy",
                          "-bsf:v", "trace_headers", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    field = re.compile(r"^\d+\s+(\w+)\s+[01]+ = (-?\d+)$")
    pps, temporal, weighted = {}, set(), set()
    packet, section, values = -1, None, {}

    def close():
        if section == "Picture Parameter Set":
            pps[values["pic_parameter_set_id"]] = values
        elif section == "Slice Header" and values["slice_type"] % 5 == 1:
            if values["direct_spatial_mv_pred_flag"] == 0:
                temporal.add(packet)
            p = pps[values["pic_parameter_set_id"]]
            if p["weighted_bipred_idc"] != 0 and p["weighted_pred_flag"] == 0:
                weighted.add(packet)

    for line in log.splitlines():
        if not line.startswith("[trace_headers @"):
            continue
        text = line.split("] ", 1)[1].strip()
        m = field.match(text)
        if m:
            values.setdefault(m.group(1), int(m.group(2)))
            continue
        close()
        section, values = text, {}
        if text.startswith("Packet:"):
            packet += 1
    close()
    return {"temporal_direct": sorted(temporal), "weighted_bipred_without_weighted_pred": sorted(weighted)}


def decode_sorted(path):
    c = av.open(str(path))
    vs = c.streams.video[0]
    frames = sorted(c.decode(vs), key=lambda f: f.pts)
    rate = vs.average_rate
    c.close()
    return frames, vs, rate


def resize(frame, stream, flags, rotation):
    g = av.filter.Graph()
    src = g.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                       time_base=Fraction(1, 1000))
    last = src
    chain = {0: [], 90: ["clock"], 180: ["clock", "clock"], 270: ["cclock"]}[rotation]
    for d in chain:
        n = g.add("transpose", d)
        last.link_to(n)
        last = n
    sc = g.add("scale", f"{SIZE}:{SIZE}:flags={flags}")
    last.link_to(sc)
    fmt = g.add("format", "rgb24")
    sc.link_to(fmt)
    sink = g.add("buffersink")
    fmt.link_to(sink)
    g.configure()
    src.push(frame)
    return sink.pull().to_ndarray()


def indices(vlen, n):
    n = min(n, vlen)
    return np.arange(0, vlen, vlen / n).astype(int).tolist()


def sentence(idx, fps):
    sec = ", ".join([str(round(f / fps, 1)) for f in idx])
    return f"The video contains {len(idx)} frames sampled at {sec} seconds. "


def strip_png(path, frames):
    Image.fromarray(np.concatenate(frames, axis=0)).save(path, optimize=True)


def block_means(img):
    """Mean of each channel over a 4x4 grid of 56x56 blocks: a compact fingerprint of one frame."""
    b = img.reshape(4, SIZE // 4, 4, SIZE // 4, 3).astype(np.float64).mean(axis=(1, 3))
    return [round(float(v), 4) for v in b.reshape(-1)]


def video_case(name, path, rotation, golden_frames, bicubic_frames):
    frames, stream, rate = decode_sorted(path)
    fps = float(rate)  # decord: avg_frame_rate.num / avg_frame_rate.den
    vlen = len(frames)
    idx8 = indices(vlen, 8)
    idx32 = indices(vlen, 32)
    case = {"file": name, "frames": vlen, "fps": fps, "rotation": rotation,
            "pict_types8": ["?IPB"[int(frames[i].pict_type)] for i in indices(vlen, 8)],
            "indices8": idx8, "sentence8": sentence(idx8, fps),
            "indices32": idx32, "sentence32": sentence(idx32, fps),
            "b_slices": b_slice_facts(path),
            "bilinear": {}, "bicubic": {},
            "sha256_8": [], "block_means8": []}
    for i in idx8:
        img = resize(frames[i], stream, "bilinear", rotation)
        case["sha256_8"].append(hashlib.sha256(img.tobytes()).hexdigest())
        case["block_means8"].append(block_means(img))
    for flags, chosen, key in (("bilinear", golden_frames, "bilinear"), ("bicubic", bicubic_frames, "bicubic")):
        picked = [idx8[k] for k in chosen if k < len(idx8)]
        if not picked:
            continue
        imgs = [resize(frames[i], stream, flags, rotation) for i in picked]
        png = f"{name.replace('.', '-')}.{key}.png"
        strip_png(GOLDEN / png, imgs)
        case[key] = {"png": png, "indices": picked}
    return case


def make_images():
    IMAGE_OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4)
    h, w = 180, 260
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([(xx * 255 // (w - 1)), (yy * 255 // (h - 1)),
                     (128 + 100 * np.sin(xx / 9.0) * np.cos(yy / 7.0))], -1)
    base = np.clip(base + rng.normal(0, 2, base.shape), 0, 255).astype(np.uint8)
    Image.fromarray(base).save(IMAGE_OUT / "gradient.jpg", quality=90)
    Image.fromarray(base[::2, ::2]).convert("L").save(IMAGE_OUT / "gray.jpg", quality=90)
    rgba = np.dstack([base[:90, :120], (xx[:90, :120] * 2 % 256).astype(np.uint8)])
    Image.fromarray(rgba, "RGBA").save(IMAGE_OUT / "alpha.png")
    Image.fromarray(base[:64, :96]).quantize(colors=32).save(IMAGE_OUT / "palette.png")
    Image.fromarray(base[:300, :40]).convert("L").save(IMAGE_OUT / "gray.png")
    # Larger than 224 in one direction, smaller in the other: both downscale and upscale paths.
    Image.fromarray(base[:100, :250]).save(IMAGE_OUT / "wide.png")
    cases = []
    for name in ["gradient.jpg", "gray.jpg", "alpha.png", "palette.png", "gray.png", "wide.png"]:
        img = Image.open(IMAGE_OUT / name).convert("RGB").resize((SIZE, SIZE), Image.BICUBIC)
        png = f"{Path(name).stem}-{Path(name).suffix[1:]}.pil.png"
        img.save(GOLDEN / png, optimize=True)
        cases.append({"file": name, "png": png})
    return cases


def timestamp_cases():
    rng = random.Random(5)
    fpss = [30.0, 25.0, 24.0, 60.0, 29.97002997002997, 23.976023976023978, 59.94005994005994, 15.0, 12.5,
            10.0, 1.0, 0.5, 7.0, 29.983342587451417, 30.00324324324324, 3.0, 1 / 3, 120.0, 48.0, 50.0]
    cases = []
    for fps in fpss:
        for idx in [0, 1, 2, 3, 5, 7, 15, 18, 21, 25, 45, 75, 105, 135, 150, 1000, 12345, 99999, 1798200]:
            cases.append([idx, fps])
    for _ in range(400):
        fps = rng.choice(fpss) if rng.random() < 0.5 else rng.uniform(0.2, 240)
        cases.append([rng.randrange(0, 2_000_000), fps])
    # exact binary ties: idx / fps lands on k + 0.x5 exactly
    for idx, fps in [(1, 4.0), (3, 4.0), (5, 4.0), (7, 4.0), (9, 4.0), (1, 8.0), (5, 8.0), (13, 8.0), (45, 2.0)]:
        cases.append([idx, fps])
    return [[i, f, repr(f), str(round(i / f, 1))] for i, f in cases]


def sampling_cases():
    """np.arange(0, vlen, vlen / n).astype(int) for n = min(N, vlen): the reference's frame indices."""
    rng = random.Random(6)
    pairs = [(15, 13), (17, 7), (17, 14), (21, 15), (1, 8), (7, 8), (8, 8), (9, 8), (45, 32), (185, 8), (150, 8),
             (90, 8), (18000, 8), (18000, 32), (199999, 32), (3, 1), (1, 32)]
    while len(pairs) < 300:
        vlen = rng.choice([rng.randrange(1, 64), rng.randrange(1, 5000), rng.randrange(1, 300000)])
        pairs.append((vlen, rng.randrange(1, 33)))
    return [[v, n, np.arange(0, v, v / min(n, v)).astype(int).tolist()] for v, n in pairs]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "testdata" / "video"))
    ap.add_argument("--reencode", action="store_true")
    args = ap.parse_args()
    global REENCODE
    REENCODE = args.reencode
    VIDEO_OUT.mkdir(parents=True, exist_ok=True)
    GOLDEN.mkdir(parents=True, exist_ok=True)

    write_video(VIDEO_OUT / "bframes.mp4", "mp4", 45, 160, 120, {"bf": "3", "g": "15", "crf": "30"})
    write_video(VIDEO_OUT / "bframes.mkv", "matroska", 45, 160, 120, {"bf": "3", "g": "15", "crf": "30"})
    write_video(VIDEO_OUT / "gop.mp4", "mp4", 30, 64, 48, {"bf": "0", "g": "30", "crf": "35"})
    write_video(VIDEO_OUT / "one-frame.mp4", "mp4", 1, 64, 48)
    write_video(VIDEO_OUT / "audio-only.mp4", "mp4", 0, 0, 0, audio=True)
    write_video(VIDEO_OUT / "mpeg4.mp4", "mp4", 5, 64, 48, codec="mpeg4")
    if REENCODE or not all((VIDEO_OUT / f"rotated{d}.mp4").exists() for d in (90, 180, 270)):
        write_video(VIDEO_OUT / "small.mp4", "mp4", 12, 96, 64, {"bf": "2", "g": "6", "crf": "30"})
        for d in (90, 270, 180):
            rotate_tkhd(VIDEO_OUT / "small.mp4", VIDEO_OUT / f"rotated{d}.mp4", d)
        (VIDEO_OUT / "small.mp4").unlink()
    # B-slices that JCodec 0.2.5 predicts differently from the standard: temporal direct (x264's default
    # b-pyramid, implicit bi-prediction weights and weightp=2, so weighted_pred_flag is 1), and implicit
    # weights under weighted_pred_flag 0 (spatial direct; no b-pyramid, so most B-frames sit unevenly
    # between their references and the weights are not 32/32). One thread: one slice a frame.
    panning = {"bf": "3", "g": "60", "crf": "30", "threads": "1"}
    write_video(VIDEO_OUT / "temporal-direct.mp4", "mp4", 60, 320, 240,
                panning | {"x264-params": "direct=temporal"}, frames=panning_frames)
    write_video(VIDEO_OUT / "implicit-bipred.mp4", "mp4", 60, 320, 240,
                panning | {"x264-params": "direct=spatial:b-pyramid=none:weightp=0"}, frames=panning_frames)

    videos = []
    for name, rot, chosen, bicubic in [("bframes.mp4", 0, [3], []), ("bframes.mkv", 0, [], []),
                                       ("rotated90.mp4", 90, [2], []), ("rotated180.mp4", 180, [], []),
                                       ("rotated270.mp4", 270, [], []), ("one-frame.mp4", 0, [0], [0]),
                                       ("temporal-direct.mp4", 0, [], []), ("implicit-bipred.mp4", 0, [], [])]:
        videos.append(video_case(name, VIDEO_OUT / name, rot, chosen, bicubic))
    shared = Path(args.shared)
    # flower and friday: B-slices with temporal direct prediction; stream-of-water: Constrained Baseline.
    for name, chosen, bicubic in [("flower.mp4", [5], []), ("friday.mp4", [1], []),
                                  ("stream-of-water.mp4", [], [3])]:
        videos.append(video_case(name, shared / name, 0, chosen, bicubic))
    images = make_images()
    (GOLDEN / "timestamps.json").write_text(json.dumps(timestamp_cases()) + "\n")
    (GOLDEN / "sampling.json").write_text(json.dumps(sampling_cases()) + "\n")
    meta = {"generator": "scripts/reference/make_frame_golden.py", "av": av.__version__,
            "ffmpeg_libswscale": ".".join(map(str, av.library_versions["libswscale"])),
            "pillow": Image.__version__, "videos": videos, "images": images}
    (GOLDEN / "expected.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
