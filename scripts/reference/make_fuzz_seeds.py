"""Seed inputs for the Jazzer fuzz tests (docs/fuzzing.md): small valid files of every kind each parser reads.

Run from the repository root with the reference venv's Python (Pillow, numpy) and Debian's ffmpeg on PATH:
    /tmp/pyref/bin/python scripts/reference/make_fuzz_seeds.py
Seeds go where Jazzer's JUnit integration looks for a fuzz test's inputs,
<module>/src/test/resources/<package>/<TestClass>Inputs/<method>/, beside the findings committed there as
regression inputs (crash-*, timeout-*), which this script leaves alone.
"""
import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def seeds(module, package, test_class, method):
    d = ROOT / module / "src/test/resources" / package.replace(".", "/") / f"{test_class}Inputs" / method
    d.mkdir(parents=True, exist_ok=True)
    return d


def copy(src, dst_dir, name=None):
    shutil.copyfile(ROOT / src, dst_dir / (name or Path(src).name))


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def weights():
    d = seeds("weights", "videollama.weights", "SafetensorsFuzzTest", "openSafetensors")
    for f in ["protocol4.safetensors", "tensors.safetensors"]:
        copy(f"testdata/pth/reader/{f}", d)
    d = seeds("weights", "videollama.weights.pth", "PthFuzzTest", "openPth")
    for f in ["protocol4.pth", "tensors.pth", "zip64.pth", "legacy.pth"]:
        copy(f"testdata/pth/reader/{f}", d)
    # The pickles alone: PickleFuzzTest puts them into tensors.pth's archive.
    d = seeds("weights", "videollama.weights.pth", "PickleFuzzTest", "loadPickle")
    for f in ["protocol4", "tensors", "checkpoint"]:
        with zipfile.ZipFile(ROOT / f"testdata/pth/reader/{f}.pth") as z:
            (d / f"{f}.pkl").write_bytes(z.read(f"{f}/data.pkl"))


def tokenizer():
    d = seeds("model", "videollama.model.tokenizer", "TokenizerModelFuzzTest", "loadTokenizer")
    copy("models/stories260K/tokenizer.model", d, "stories260K.model")
    for f in ["variant-userdef.model", "variant-nobyte.model"]:
        copy(f"model/src/test/resources/tokenizer/{f}", d)


def video():
    d = seeds("loader", "videollama.loader.video", "VideoContainerFuzzTest", "openVideo")
    copy("testdata/video/one-frame.mp4", d)
    src = ["-f", "lavfi", "-i", "testsrc2=s=32x32:r=10:d=0.4"]
    x264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "2", "-bf", "1", "-threads", "1"]
    ffmpeg(*src, *x264, str(d / "bframes-32.mp4"))  # moov after mdat, ctts, stss
    ffmpeg(*src, *x264, "-movflags", "+faststart", "-metadata:s:v", "rotate=90", str(d / "faststart-rotated-32.mp4"))
    ffmpeg(*src, *x264, str(d / "bframes-32.mkv"))


def riff_wav(fmt_tag, channels, rate, bits, data, extensible=False):
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else fmt_tag, channels, rate, rate * block, block, bits)
    if extensible:  # WAVE_FORMAT_EXTENSIBLE: valid bits, channel mask, the sub-format GUID
        fmt += struct.pack("<HHI", 22, bits, (1 << channels) - 1)
        fmt += struct.pack("<H", fmt_tag) + bytes.fromhex("000000001000800000aa00389b71")
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav():
    d = seeds("loader", "videollama.loader.audio", "WavFuzzTest", "decodeWav")
    t = np.arange(64) / 8000
    tone = np.sin(2 * np.pi * 440 * t)
    pcm = lambda x, dt: x.astype(dt).tobytes()
    (d / "u8-mono.wav").write_bytes(riff_wav(1, 1, 8000, 8, pcm(128 + 100 * tone, "u1")))
    stereo = np.stack([tone, -tone], axis=1).ravel()
    (d / "s16-stereo.wav").write_bytes(riff_wav(1, 2, 16000, 16, pcm(20000 * stereo, "<i2")))
    s24 = (1 << 22) * tone
    (d / "s24-mono.wav").write_bytes(riff_wav(1, 1, 44100, 24, b"".join(int(v).to_bytes(3, "little", signed=True) for v in s24)))
    (d / "s32-mono-extensible.wav").write_bytes(riff_wav(1, 1, 48000, 32, pcm((1 << 30) * tone, "<i4"), extensible=True))
    (d / "f32-stereo.wav").write_bytes(riff_wav(3, 2, 48000, 32, pcm(0.5 * stereo, "<f4")))
    (d / "f64-mono.wav").write_bytes(riff_wav(3, 1, 22050, 64, pcm(0.5 * tone, "<f8")))


def adts_frames(path, count):
    """The first `count` frames of an ADTS stream (frame_length: 13 bits from bit 30 of each header)."""
    b = (ROOT / path).read_bytes()
    at = 0
    for _ in range(count):
        at += ((b[at + 3] & 3) << 11) | (b[at + 4] << 3) | (b[at + 5] >> 5)
    return b[:at]


def aac():
    d = seeds("loader", "videollama.loader.audio", "AdtsFuzzTest", "decodeAdts")
    for name, frames in [("adts-44k-stereo", 4), ("pulse-44k-mono", 4), ("tns-variants-44k-mono", 4),
                         ("quad-16k-pce", 3), ("ms-noise-44k-stereo", 3)]:
        (d / f"{name}.aac").write_bytes(adts_frames(f"testdata/audio/aac/{name}.aac", frames))
    d = seeds("loader", "videollama.loader.audio", "Mp4AacFuzzTest", "decodeMp4Aac")
    for name, seconds in [("rate-8k-mono", "0.3"), ("pns-48k-mono", "0.06"), ("intensity-48k-stereo", "0.06")]:
        ffmpeg("-i", str(ROOT / f"testdata/audio/aac/{name}.mp4"), "-t", seconds, "-c", "copy", str(d / f"{name}.mp4"))


def image():
    d = seeds("loader", "videollama.loader.image", "ImageFuzzTest", "loadImage")
    y, x = np.mgrid[0:12, 0:10]
    rgb = np.stack([x * 25, y * 20, (x + y) * 12], axis=2).astype(np.uint8)
    img = Image.fromarray(rgb)
    img.save(d / "rgb.jpg", quality=90)
    img.save(d / "rgb-progressive.jpg", quality=90, progressive=True)
    img.convert("L").save(d / "gray.jpg")
    img.convert("CMYK").save(d / "cmyk.jpg")
    img.save(d / "rgb.png")
    img.convert("RGBA").save(d / "rgba-interlaced.png", interlace=1)
    img.convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(d / "palette.png", transparency=0)
    img.convert("L").save(d / "gray.png")
    Image.fromarray((x * 6000).astype(np.uint16)).save(d / "gray16.png")
    img.convert("1").save(d / "bilevel.png")


if __name__ == "__main__":
    weights()
    tokenizer()
    video()
    wav()
    aac()
    image()
