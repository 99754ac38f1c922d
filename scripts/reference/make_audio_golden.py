#!/usr/bin/python3
"""Golden reference data for the Java sound loader (loader module, docs/model.md section 5.3).

Writes
* testdata/audio/*.wav        synthetic tones: 8 kHz 8-bit, 22.05 kHz 16-bit, 0.5 s of 44.1 kHz 24-bit, 0.5 s of
                              48 kHz 32-bit float stereo with different channels, 1 s of 8 kHz 16-bit 6-channel
                              (jfk.wav and librivox-0870.wav are copied from the --shared folder; the copies are committed);
* testdata/audio/*.mp4        AAC-LC sound tracks made with FFmpeg's encoder without perceptual noise
                              substitution (mono 44.1 kHz, stereo 48 kHz), so that any correct decoder
                              reproduces them to float precision;
* testdata/audio/mp2-in-mp4.mp4 an MP4 whose sound is MPEG-1 Layer II (an unsupported codec);
* testdata/golden/audio/clip_cases.json: clip starts (exact Fractions) and slices for many 16 kHz lengths, /8 and /7;
* testdata/golden/audio/<case>.safetensors, F32/I64 tensors and string metadata:
    waveform.head    [C, <=512] the start of torchaudio.load's waveform (decoding and scaling)
    decode.blocks    [6, 1024] channel 0 of FFmpeg's decode at decode.block_starts (AAC cases only)
    resampled.head/mid/tail [512] channel 0 of torchaudio.functional.resample(waveform, sr, 16000) at
                     metadata resampled_mid / resampled_tail (cases that are not at 16 kHz)
    clips.start, clips.end [8] I64: the sample slices [int(start*16000), int((start+2)*16000))
    fbank.mel_means  [8, 128] mean over the 204 frames (padding included) of each normalised mel bin
    fbank.frame_means [8, 204] mean over the 128 bins of each normalised frame
    fbank.cells.index [512] I32 flat indices into [8, 128, 204]; fbank.cells.value [512]
    fbank.clip       [128, 204] one whole normalised clip (metadata fbank_clip), for one case
    after.before/after.value [<=512]: channel 0 of the 16 kHz waveform around the start of clip 1 (metadata after_start) before
                     and after the loop (the in-place mean subtraction of overlapping clips, docs/model.md section 5.3 4a)
  metadata: file, sample_rate, channels, samples, samples16k, duration (repr of the Python float), step (8 or
  7), in_place (true/false), clip_starts (the exact Fractions as "num/den"), frames (fbank frames per clip).

Reference: Debian's python3-torchaudio 0.13.1 with python3-torch 1.13.1 (apt-get install python3-torchaudio);
torchaudio.load reads MP4 through FFmpeg (its decode equals PyAV/FFmpeg 8 within 1.2e-7), resample is
torchaudio.functional.resample with its defaults (sinc_interpolation = Hann, width 6, rolloff 0.99), the
clip times are pytorchvideo's ConstantClipsPerVideoSampler written out from the spec with Fraction, and the
features are ImageBind's waveform2melspec (torchaudio.compliance.kaldi.fbank, hanning, 128 bins, dither 0,
htk_compat, use_energy False; pad/truncate to 204; (x + 4.268) / 9.138). The AAC test files are encoded with
the `ffmpeg` command (Debian package). Run with Debian's interpreter, from anywhere:

    /usr/bin/python3 scripts/reference/make_audio_golden.py [--shared DIR]   # DIR: where the original recordings live; its audio/ is copied into testdata/audio
"""

import argparse
import json
import math
import shutil
import struct
import subprocess
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch
import torchaudio

from numpy_safetensors import save_safetensors

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "testdata" / "audio"
VIDEO = ROOT / "testdata" / "video"
GOLDEN = ROOT / "testdata" / "golden" / "audio"

SAMPLE_RATE = 16000
CLIP_SECONDS = 2
CLIPS = 8
MEL_BINS = 128
TARGET_LENGTH = 204
MEAN = -4.268
STD = 9.138


# ---------------------------------------------------------------------------------------------- test media

def sweep(sr, seconds, f0, f1, amp, phase=0.0):
    t = np.arange(int(round(sr * seconds))) / sr
    k = (f1 - f0) / seconds
    return amp * np.sin(2 * np.pi * (f0 * t + 0.5 * k * t * t) + phase)


def write_pcm(path, sr, data, sampwidth):
    """data [C, n] in [-1, 1] -> integer PCM WAV (8-bit unsigned, 16/24-bit signed) through the wave module."""
    c, n = data.shape
    if sampwidth == 1:
        ints = np.clip(np.round(data * 128) + 128, 0, 255).astype(np.uint8)
        raw = ints.T.tobytes()
    else:
        scale = 2 ** (8 * sampwidth - 1)
        ints = np.clip(np.round(data * scale), -scale, scale - 1).astype(np.int64)
        le = ints.T.reshape(-1)
        raw = b"".join(int(v).to_bytes(sampwidth, "little", signed=True) for v in le) if sampwidth == 3 \
            else le.astype("<i2" if sampwidth == 2 else "<i4").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(c)
        w.setsampwidth(sampwidth)
        w.setframerate(sr)
        w.writeframes(raw)


def write_float(path, sr, data):
    """data [C, n] -> WAVE_FORMAT_IEEE_FLOAT (3), 32-bit, with the 'fact' chunk."""
    c, n = data.shape
    raw = data.T.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHHH", 3, c, sr, sr * c * 4, c * 4, 32, 0)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"fact" + struct.pack("<II", 4, n)
    chunks += b"data" + struct.pack("<I", len(raw)) + raw
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)


def make_media(shared):
    AUDIO.mkdir(parents=True, exist_ok=True)
    for name in ("jfk.wav", "librivox-0870.wav"):
        shutil.copyfile(shared / "audio" / name, AUDIO / name)

    write_pcm(AUDIO / "tone-8k-u8.wav", 8000, sweep(8000, 2.5, 120, 3900, 0.7)[None], 1)
    write_pcm(AUDIO / "sweep-22k-s16.wav", 22050, sweep(22050, 2.2, 60, 10500, 0.5)[None], 2)
    write_pcm(AUDIO / "sweep-44k-s24-short.wav", 44100, sweep(44100, 0.5, 40, 21000, 0.8)[None], 3)
    left = sweep(48000, 0.5, 300, 12000, 0.6)
    right = 0.3 * np.sin(2 * np.pi * 1000 * np.arange(24000) / 48000) + 0.1
    write_float(AUDIO / "stereo-48k-f32-short.wav", 48000, np.stack([left, right]))
    six = np.stack([sweep(8000, 1.0, 100 * (c + 1), 3000 - 300 * c, 0.15 * (c + 1), c) for c in range(6)])
    write_pcm(AUDIO / "six-channel-8k-s16.wav", 8000, six, 2)

    def aac(name, sr, channels, expr):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", expr, "-ac", str(channels),
                        "-ar", str(sr), "-c:a", "aac", "-aac_pns", "0", "-b:a", "64k", "-map_metadata", "-1",
                        "-fflags", "+bitexact", "-flags:a", "+bitexact", str(AUDIO / name)], check=True)

    # An MP4 whose sound is not AAC (MPEG-1 Layer II): the loader must name the codec it does not support.
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:r=32000:d=0.3", "-c:a", "mp2",
                    "-b:a", "64k", "-map_metadata", "-1", "-fflags", "+bitexact", str(AUDIO / "mp2-in-mp4.mp4")],
                   check=True)
    aac("aac-mono-44k.mp4", 44100, 1, "aevalsrc=0.5*sin(2*PI*(200+900*t)*t):s=44100:d=2.6")
    aac("aac-stereo-48k.mp4", 48000, 2,
        "aevalsrc=0.4*sin(2*PI*(150+1500*t)*t)|0.25*sin(2*PI*2500*t)+0.05:s=48000:d=2.4")


# -------------------------------------------------------------------------------------- the reference path

def clip_starts(samples16k, step_divisor):
    """pytorchvideo ConstantClipsPerVideoSampler(2, 8) as get_clip_timepoints calls it (docs/model.md section 5.3 step 3).

    video_duration is the float samples / 16000; Fraction.__rsub__ with a float gives a float, so
    max_possible_clip_start is the exact value of the double (D - 2), then Fraction(max, 8 or 7) * k."""
    duration = samples16k / SAMPLE_RATE
    max_start = Fraction(max(duration - Fraction(CLIP_SECONDS), 0))
    step = Fraction(max_start, step_divisor)
    starts = []
    index = 0
    while True:
        starts.append(step * index)
        index += 1
        if index >= CLIPS or step * index > max_start:
            break
    return starts


def waveform2melspec(clip, in_place):
    if in_place:
        clip -= clip.mean()
    else:
        clip = clip - clip.mean()
    fbank = torchaudio.compliance.kaldi.fbank(clip, htk_compat=True, sample_frequency=SAMPLE_RATE,
                                              use_energy=False, window_type="hanning", num_mel_bins=MEL_BINS,
                                              dither=0.0, frame_length=25, frame_shift=10)
    frames = fbank.shape[0]
    fbank = fbank.transpose(0, 1)
    p = TARGET_LENGTH - frames
    if p > 0:
        fbank = torch.nn.functional.pad(fbank, (0, p), mode="constant", value=0)
    elif p < 0:
        fbank = fbank[:, :TARGET_LENGTH]
    mean = torch.as_tensor(MEAN, dtype=fbank.dtype)  # torchvision Normalize: sub_(mean).div_(std), float32
    std = torch.as_tensor(STD, dtype=fbank.dtype)
    return (fbank - mean) / std, frames


def reference(path, step_divisor=8, in_place=True):
    waveform, sr = torchaudio.load(str(path))
    loaded = waveform.clone()
    w16 = waveform if sr == SAMPLE_RATE else torchaudio.functional.resample(waveform, orig_freq=sr,
                                                                          new_freq=SAMPLE_RATE)
    resampled = w16.clone()
    n16 = w16.shape[1]
    starts = clip_starts(n16, step_divisor)
    slices = [(int(s * SAMPLE_RATE), int((s + CLIP_SECONDS) * SAMPLE_RATE)) for s in starts]
    clips = []
    frames = []
    for a, b in slices:
        f, m = waveform2melspec(w16[:, a:b], in_place)
        clips.append(f)
        frames.append(m)
    return dict(sr=sr, loaded=loaded, resampled=resampled, after=w16, starts=starts, slices=slices,
                fbank=torch.stack(clips), frames=frames)


# ------------------------------------------------------------------------------------------------- output

def case(name, path, step_divisor=8, in_place=True, full_clip=None, aac=False):
    ref = reference(path, step_divisor, in_place)
    loaded = ref["loaded"].numpy()
    channels, samples = loaded.shape
    fbank = ref["fbank"].numpy()  # [8, 128, 204]
    rng = np.random.default_rng(sum(name.encode()))
    cells = rng.choice(fbank.size, size=512, replace=False).astype(np.int32)
    tensors = {
        "waveform.head": loaded[:, :512].astype(np.float32),
        "clips.start": np.array([a for a, _ in ref["slices"]], np.int64),
        "clips.end": np.array([b for _, b in ref["slices"]], np.int64),
        "fbank.mel_means": fbank.mean(axis=2).astype(np.float32),
        "fbank.frame_means": fbank.mean(axis=1).astype(np.float32),
        "fbank.cells.index": cells,
        "fbank.cells.value": fbank.reshape(-1)[cells].astype(np.float32),
    }
    metadata = {
        "file": str(path.relative_to(ROOT)),
        "sample_rate": ref["sr"],
        "channels": channels,
        "samples": samples,
        "samples16k": ref["resampled"].shape[1],
        "duration": repr(ref["resampled"].shape[1] / SAMPLE_RATE),
        "step": step_divisor,
        "in_place": "true" if in_place else "false",
        "clip_starts": ",".join(f"{s.numerator}/{s.denominator}" for s in ref["starts"]),
        "frames": ",".join(str(f) for f in ref["frames"]),
    }
    if full_clip is not None:
        tensors["fbank.clip"] = fbank[full_clip].astype(np.float32)
        metadata["fbank_clip"] = full_clip
    if ref["sr"] != SAMPLE_RATE:
        r = ref["resampled"].numpy()[0]
        mid = len(r) // 2 - 256
        tail = max(len(r) - 512, 0)
        tensors["resampled.head"] = r[:512].astype(np.float32)
        tensors["resampled.mid"] = r[mid:mid + 512].astype(np.float32)
        tensors["resampled.tail"] = r[tail:].astype(np.float32)
        metadata["resampled_mid"] = mid
        metadata["resampled_tail"] = tail
    if aac:
        starts = np.linspace(0, samples - 1024, 6).astype(np.int64) // 1024 * 1024
        tensors["decode.blocks"] = np.stack([loaded[0, s:s + 1024] for s in starts]).astype(np.float32)
        tensors["decode.block_starts"] = starts
    a1 = ref["slices"][1][0]
    lo = max(a1 - 256, 0)
    tensors["after.before"] = ref["resampled"].numpy()[0, lo:a1 + 256].astype(np.float32)
    tensors["after.value"] = ref["after"].numpy()[0, lo:a1 + 256].astype(np.float32)
    metadata["after_start"] = lo
    GOLDEN.mkdir(parents=True, exist_ok=True)
    save_safetensors(GOLDEN / f"{name}.safetensors", tensors, metadata)
    print(f"{name}: {channels} ch, {samples} samples at {ref['sr']} Hz, frames {ref['frames']}")


def clip_cases():
    """Clip starts and slices for many 16 kHz lengths, /8 and /7: short audio, exact and inexact durations, the
    2-hour files the Java tests build (16 kHz WAV; 2750 repetitions of aac-mono-44k.mp4's 113 packets)."""
    rng = np.random.default_rng(5)
    lengths = [1, 399, 400, 8000, 31999, 32000, 32001, 32008, 47999, 48000, 98304, 110250, 113600, 176000,
               288000, 288001, 1000003, 7200 * SAMPLE_RATE, int(math.ceil(160 * (2750 * 113 * 1024) / 441))]
    lengths += [int(x) for x in rng.integers(32000, 4_000_000, 40)]
    cases = []
    for n in lengths:
        for divisor in (8, 7):
            starts = clip_starts(n, divisor)
            cases.append({"samples": n, "step": divisor,
                          "starts": [f"{s.numerator}/{s.denominator}" for s in starts],
                          "from": [int(s * SAMPLE_RATE) for s in starts],
                          "to": [int((s + CLIP_SECONDS) * SAMPLE_RATE) for s in starts]})
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / "clip_cases.json").write_text("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "testdata")
    args = parser.parse_args()
    torch.set_num_threads(1)
    make_media(args.shared)
    clip_cases()
    case("jfk", AUDIO / "jfk.wav", full_clip=3)
    case("jfk-step7", AUDIO / "jfk.wav", step_divisor=7)
    case("jfk-copy", AUDIO / "jfk.wav", in_place=False)
    case("librivox-0870", AUDIO / "librivox-0870.wav")
    case("tone-8k-u8", AUDIO / "tone-8k-u8.wav")
    case("sweep-22k-s16", AUDIO / "sweep-22k-s16.wav")
    case("sweep-44k-s24-short", AUDIO / "sweep-44k-s24-short.wav")
    case("stereo-48k-f32-short", AUDIO / "stereo-48k-f32-short.wav")
    case("six-channel-8k-s16", AUDIO / "six-channel-8k-s16.wav")
    case("aac-mono-44k", AUDIO / "aac-mono-44k.mp4", aac=True)
    case("aac-stereo-48k", AUDIO / "aac-stereo-48k.mp4", aac=True)
    case("flower", VIDEO / "flower.mp4", aac=True)
    case("friday", VIDEO / "friday.mp4", aac=True)
    case("stream-of-water", VIDEO / "stream-of-water.mp4", aac=True)


if __name__ == "__main__":
    main()
