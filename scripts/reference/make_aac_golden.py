#!/usr/bin/env python3
"""AAC test streams and FFmpeg's decode of them, for the Java AAC-LC decoder (loader/.../audio/aac).

Writes
* testdata/audio/aac/*.mp4, *.aac   small AAC-LC streams made with the `ffmpeg` command (Debian's FFmpeg 5.1, its
                                    native `aac` encoder; the command lines are FIXTURES below), each made for some
                                    coding tools (see `made_for`), and four streams rewritten bit by bit from
                                    encoder output (aac_bitstream.py) for what the encoder never writes: pulse data,
                                    every kind of TNS filter, mid/side bands whose two channels are both noise, and
                                    libfaac's name in a fill element (FFmpeg drops the first 1024 samples then);
* testdata/golden/aac/<name>.safetensors, one per stream and for the sound tracks of testdata/video/friday.mp4,
  stream-of-water.mp4, flower.mp4 and testdata/audio/aac-mono-44k.mp4, aac-stereo-48k.mp4:
    pcm  F32 [channels, samples]: FFmpeg's float decode of the whole stream, as PyAV 18.1 (FFmpeg 8.1.2) gives it:
         the `aac` decoder's planar float output, channels in FFmpeg's order, the encoder delay that an MP4 edit
         list names dropped (what torchaudio.load returns)
  metadata: file, sample_rate, channels, layout (FFmpeg's channel names), samples, packets,
    tools      JSON: the coding tools the stream uses, counted by aac_bitstream.py's own walk of the bitstream
               (the names of the Java decoder's AacTool keys)
    made_for   the tools the stream exists to exercise (comma-separated keys; each must be counted above zero)
    crosscheck JSON: SNR in dB of two other decoders against this decode, for ten streams: Debian's FFmpeg 5.1
               command (`-f f32le`) and faad 2.10 (`-b 4`, float, aligned by whole frames). faad draws other noise
               for PNS bands, does not flip intensity bands when ms_mask_present is 2 (FFmpeg does; the standard
               flips them only for ms_mask_present 1), and decodes streams below 32 kHz as implicit HE-AAC

Run with the PyAV venv, from anywhere (needs the `ffmpeg` and `faad` commands):

    /tmp/pyref/bin/python scripts/reference/make_aac_golden.py
"""

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import aac_bitstream as ab  # noqa: E402
from numpy_safetensors import save_safetensors  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AAC = ROOT / "testdata" / "audio" / "aac"
GOLDEN = ROOT / "testdata" / "golden" / "aac"
JFK = ROOT / "testdata" / "audio" / "jfk.wav"

ENCODER = ["-c:a", "aac", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]


def lavfi(expression):
    return ["-f", "lavfi", "-i", expression]


# name -> (inputs and options before the encoder, output file, made_for)
FIXTURES = {
    # Speech, then noise bursts every 20 ms: TNS on long and on short windows.
    "tns-44k-mono": (["-i", str(JFK), "-f", "lavfi", "-i",
                      "aevalsrc='(random(0)-0.5)*0.8*exp(-300*mod(t,0.02))':s=44100:d=0.8",
                      "-filter_complex", "[0]atrim=1.2:2.2,aresample=44100,asetpts=N/SR/TB[a];[a][1]concat=v=0:a=1",
                      "-ac", "1", "-b:a", "96k", "-aac_pns", "0", "-aac_tns", "1"],
                     "tns-44k-mono.mp4", "tns,tnsFilters,tnsShortFilters,tnsDownward,tnsCompressed,eightShort"),
    # Pink noise with a tone at a low rate: perceptual noise substitution.
    "pns-48k-mono": (lavfi("anoisesrc=c=pink:a=0.3:r=48000:d=1:s=7") + lavfi("sine=f=660:r=48000:d=1")
                     + ["-filter_complex", "[0][1]amix=weights=1 0.5", "-ac", "1", "-b:a", "24k", "-aac_pns", "1"],
                     "pns-48k-mono.mp4", "pnsBands"),
    # Pink noise and a tone, stereo: noise bands in both channels of channel pairs.
    "pns-44k-stereo": (lavfi("anoisesrc=c=pink:a=0.3:r=44100:d=1:s=7") + lavfi("sine=f=440:r=44100:d=1")
                       + ["-filter_complex", "[0]asplit[a][b];[a][1]amix=weights=1 1[x];"
                                             "[b][x]join=inputs=2:channel_layout=stereo",
                          "-b:a", "128k", "-aac_pns", "1"],
                       "pns-44k-stereo.mp4", "pnsBands,cpe,msBands"),
    # Two independent white noises: intensity stereo, also in bands with ms_used (ms_mask_present 1 and 2).
    "intensity-48k-stereo": (lavfi("anoisesrc=c=white:a=0.3:r=48000:d=1:s=7")
                             + lavfi("anoisesrc=c=white:a=0.3:r=48000:d=1:s=8")
                             + ["-filter_complex", "[0][1]join=inputs=2:channel_layout=stereo", "-b:a", "32k",
                                "-aac_pns", "1", "-aac_ms", "1", "-aac_is", "1"],
                             "intensity-48k-stereo.mp4", "intensityBands,intensityMsBands,msAll"),
    # Nearly equal channels: mid/side in every band (ms_mask_present 2) and band by band.
    "ms-22k-stereo": (lavfi("aevalsrc='0.4*sin(2*PI*(300+200*t)*t)+0.1*sin(2*PI*3000*t)|"
                            "0.38*sin(2*PI*(300+200*t)*t)+0.1*sin(2*PI*3000*t+0.3)':s=22050:d=1.2")
                      + ["-b:a", "64k", "-aac_ms", "1", "-aac_is", "0", "-aac_pns", "0"],
                      "ms-22k-stereo.mp4", "msBands,msAll,commonWindow"),
    # Clicks over a tone: eight short windows between start and stop windows, KBD and sine shapes.
    "clicks-16k-mono": (lavfi("aevalsrc='if(lt(mod(t,0.23),0.003),0.8*sin(2*PI*2000*t),0)+0.1*sin(2*PI*300*t)'"
                              ":s=16000:d=1.5") + ["-ac", "1", "-b:a", "48k"],
                        "clicks-16k-mono.mp4", "eightShort,longStart,longStop,kbd"),
    # 5.1: SCE, CPE, CPE, LFE.
    "surround-24k-5.1": (lavfi("aevalsrc='0.3*sin(2*PI*200*t)|0.3*sin(2*PI*300*t)|0.3*sin(2*PI*400*t)|"
                               "0.3*sin(2*PI*50*t)|0.2*sin(2*PI*500*t)+0.1*(random(1)-0.5)|0.2*sin(2*PI*600*t)"
                               ":s=24000:d=0.6:c=5.1'") + ["-b:a", "160k"],
                         "surround-24k-5.1.mp4", "sce,cpe,lfe"),
    # Four channels (front pair, back pair) have no channel configuration: a program config element.
    "quad-16k-pce": (lavfi("aevalsrc='0.3*sin(2*PI*200*t)|0.3*sin(2*PI*300*t)|0.3*sin(2*PI*400*t)|"
                           "0.3*sin(2*PI*500*t):s=16000:d=0.6:c=quad'") + ["-b:a", "96k"],
                     "quad-16k-pce.mp4", "cpe"),
    # The same in ADTS, whose header says channel configuration 0: the program config element comes in the frames.
    "quad-16k-pce-adts": (lavfi("aevalsrc='0.3*sin(2*PI*200*t)|0.3*sin(2*PI*300*t)|0.3*sin(2*PI*400*t)|"
                                "0.3*sin(2*PI*500*t):s=16000:d=0.3:c=quad'") + ["-b:a", "96k"],
                          "quad-16k-pce.aac", "pce"),
    # 3.1: the encoder lists the front pair before the centre, a program config element that FFmpeg cannot give
    # positions, so it outputs the channels in the listed order (L, R, C, LFE; layout unknown).
    "lfe-16k-3.1-pce": (lavfi("aevalsrc='0.3*sin(2*PI*200*t)|0.3*sin(2*PI*300*t)|0.3*sin(2*PI*400*t)|"
                              "0.3*sin(2*PI*60*t):s=16000:d=0.3:c=3.1'") + ["-b:a", "96k"],
                        "lfe-16k-3.1-pce.mp4", "sce,cpe,lfe"),
    # Sampling rates with their own band tables (the other fixtures cover 16, 22.05, 24, 44.1, 48 kHz).
    "rate-8k-mono": (lavfi("aevalsrc='0.4*sin(2*PI*(100+800*t)*t)':s=8000:d=1") + ["-ac", "1", "-b:a", "24k"],
                     "rate-8k-mono.mp4", "frames"),
    "rate-32k-mono": (lavfi("aevalsrc='0.4*sin(2*PI*(100+3200*t)*t)':s=32000:d=0.6") + ["-ac", "1", "-b:a", "32k"],
                      "rate-32k-mono.mp4", "frames"),
    "rate-64k-mono": (lavfi("aevalsrc='0.4*sin(2*PI*(100+6400*t)*t)':s=64000:d=0.5") + ["-ac", "1", "-b:a", "48k"],
                      "rate-64k-mono.mp4", "frames"),
    "rate-96k-mono": (lavfi("aevalsrc='0.4*sin(2*PI*(100+9600*t)*t)':s=96000:d=0.4") + ["-ac", "1", "-b:a", "48k"],
                      "rate-96k-mono.mp4", "frames"),
    # ADTS: the same codec in its own framing.
    "adts-44k-stereo": (lavfi("aevalsrc='0.4*sin(2*PI*(200+900*t)*t)|0.3*sin(2*PI*700*t)':s=44100:d=1")
                        + ["-b:a", "64k"],
                        "adts-44k-stereo.aac", "cpe"),
}

# Encoder output the crafted streams start from: ADTS, no tool that the rewriting adds.
CRAFT_BASES = {
    "pulse": lavfi("aevalsrc='0.3*sin(2*PI*(150+600*t)*t)+0.1*sin(2*PI*2500*t)':s=44100:d=1")
    + ["-ac", "1", "-b:a", "96k", "-aac_pns", "0", "-aac_tns", "0"],
    "tns": lavfi("aevalsrc='if(lt(mod(t,0.25),0.004),0.7*sin(2*PI*1500*t),0)+0.3*sin(2*PI*(200+500*t)*t)'"
                 ":s=44100:d=1") + ["-ac", "1", "-b:a", "96k", "-aac_pns", "0", "-aac_tns", "0"],
    "ms-noise": lavfi("anoisesrc=c=pink:a=0.3:r=44100:d=1:s=7")
    + ["-filter_complex", "[0]asplit[a][b];[b]volume=0.9[c];[a][c]join=inputs=2:channel_layout=stereo",
       "-b:a", "96k", "-aac_pns", "1", "-aac_is", "0"],
}

BUNDLED = {
    "friday": ROOT / "testdata/video/friday.mp4",
    "stream-of-water": ROOT / "testdata/video/stream-of-water.mp4",
    "flower": ROOT / "testdata/video/flower.mp4",
    "aac-mono-44k": ROOT / "testdata/audio/aac-mono-44k.mp4",
    "aac-stereo-48k": ROOT / "testdata/audio/aac-stereo-48k.mp4",
}

# Streams whose decode is checked against the Debian ffmpeg command and faad.
CROSSCHECK = {"tns-44k-mono", "intensity-48k-stereo", "ms-22k-stereo", "clicks-16k-mono", "adts-44k-stereo",
              "pulse-44k-mono", "tns-variants-44k-mono", "pns-48k-mono", "friday", "stream-of-water"}


def encode(args, out):
    """ffmpeg [args] -c:a aac ... out; a .aac file is written as ADTS."""
    muxer = ["-f", "adts"] if out.suffix == ".aac" else []
    subprocess.run(["ffmpeg", "-v", "error", "-y"] + args + ENCODER + muxer + [str(out)], check=True)


# ------------------------------------------------------------------------------------------ rewritten streams

def rewrite_adts(data, edit_frame):
    """An ADTS stream with each frame's raw_data_block passed through edit_frame(index, raw, walker) -> edits."""
    frames = ab.adts_frames(data)
    walker = ab.Walker(frames[0].rate_index, frames[0].channel_configuration)
    out = bytearray()
    for i, f in enumerate(frames):
        walker.raw_data_block(ab.Bits(f.raw))
        edits = edit_frame(i, walker)
        raw = ab.splice(f.raw, sorted(edits)) if edits else f.raw
        out += ab.adts_header(f.header, len(raw)) + raw
    return bytes(out)


def add_pulses(i, walker):
    """pulse_data in every second long-window frame: 1 to 4 pulses of amplitude 1 to 15 from the first coded band."""
    ics = walker.places[0]
    if i % 2 or ics.info.short():
        return []
    swb = ab.SWB_LONG[walker.rate_index]
    coded = [b for b in range(ics.info.max_sfb) if 1 <= ics.band_types[b] <= 11]
    if not coded:
        return []
    start = coded[(i // 2) % len(coded)]
    count = i % 4 + 1
    writes = [(1, 1), (count - 1, 2), (start, 6)]
    position = swb[start]
    for p in range(count):
        offset = (i + 3 * p) % 7 + (1 if p else 0)
        position += offset
        if position >= 1024:
            return []
        writes += [(offset, 5), ((i * 7 + p * 5) % 15 + 1, 4)]
    return [(ics.pulse_flag, ics.pulse_flag + 1, writes)]


def tns_filters(i, short):
    """TNS data for one window: every count of filters, order, direction, resolution and compression in turn."""
    rng = random.Random(i * 31 + short)
    writes = []
    windows = 8 if short else 1
    for w in range(windows):
        count = (i + w) % 2 if short else i % 4
        writes.append((count, 1 if short else 2))
        if not count:
            continue
        resolution = (i + w) % 2  # coef_res: 3 or 4 bits
        writes.append((resolution, 1))
        for f in range(count):
            length = rng.randint(1, 15) if short else rng.randint(4, 30)
            order = (i + w + f) % 8 if short else (i + 5 * f) % 13
            writes += [(length, 4 if short else 6), (order, 3 if short else 5)]
            if not order:
                continue
            direction = (i // 2 + f + w) % 2
            compress = (i // 3 + f) % 2
            bits = resolution + 3 - compress
            writes += [(direction, 1), (compress, 1)]
            # Coefficient values -1, 0, 1 only (reflection coefficients up to 0.43): larger ones stack into filters
            # of such gain that float decoders drift apart (values of +-2 gave FFmpeg, faad and this decoder's
            # double precision 111 to 115 dB pairwise on the loudest block).
            for _ in range(order):
                writes.append((rng.randint(-1, 1) & ((1 << bits) - 1), bits))
    return writes


def replace_tns(i, walker):
    ics = walker.places[0]
    return [(ics.tns_flag, ics.tns_end, [(1, 1)] + tns_filters(i, ics.info.short()))]


def mid_side_noise(i, walker):
    """ms_used set for the bands that are noise in both channels of a common-window pair."""
    edits = []
    for cpe in walker.places:
        if not isinstance(cpe, ab.CpePlaces) or cpe.mask_pos < 0 or cpe.mask == 2:
            continue
        both = [a == ab.NOISE_HCB and b == ab.NOISE_HCB for a, b in zip(cpe.first.band_types, cpe.second.band_types)]
        if not any(both):
            continue
        ms = [int(m or n) for m, n in zip(cpe.ms or [0] * len(both), both)]
        end = cpe.mask_pos + 2 + (len(both) if cpe.mask == 1 else 0)
        edits.append((cpe.mask_pos, end, [(1, 2)] + [(m, 1) for m in ms]))
    return edits


def libfaac_marker(i, walker):
    """A fill element before frame 0's END whose EXT_FILL payload names libfaac: FFmpeg then drops 1024 samples
    (libfaac's encoder delay; its decoder looks for the text after 13 bits of the payload)."""
    if i:
        return []
    text = b"libfaac 1.28"
    payload = [(0, 4), (0, 13)] + [(c, 8) for c in text]  # extension_type EXT_FILL, 13 bits, the text
    bits = sum(n for _, n in payload)
    count = (bits + 7) // 8
    size = [(count, 4)] if count < 15 else [(15, 4), (count - 14, 8)]  # count 15 escapes to 15 + esc_count - 1
    return [(walker.end_pos, walker.end_pos, [(ab.FIL, 3)] + size + payload + [(0, count * 8 - bits)])]


CRAFTED = {
    "pulse-44k-mono": ("pulse", add_pulses, "pulse-44k-mono.aac", "pulse"),
    "tns-variants-44k-mono": ("tns", replace_tns, "tns-variants-44k-mono.aac",
                              "tns,tnsFilters,tnsShortFilters,tnsDownward,tnsCompressed,tnsLowResolution,eightShort"),
    "ms-noise-44k-stereo": ("ms-noise", mid_side_noise, "ms-noise-44k-stereo.aac", "msNoiseBands,pnsBands"),
    "libfaac-44k-mono": ("pulse", libfaac_marker, "libfaac-44k-mono.aac", "fil"),
}


def craft(name, scratch):
    base_name, edit, file_name, _ = CRAFTED[name]
    base = scratch / (base_name + ".aac")
    encode(CRAFT_BASES[base_name], base)
    (AAC / file_name).write_bytes(rewrite_adts(base.read_bytes(), edit))


# ------------------------------------------------------------------------------------------ decoding

def pyav_decode(path):
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        frames = [f.to_ndarray() for f in c.decode(s)]
        layout = [ch.name for ch in s.codec_context.layout.channels]
        rate = s.codec_context.sample_rate
    with av.open(str(path)) as c:
        packets = sum(1 for p in c.demux(c.streams.audio[0]) if p.size)
    pcm = np.concatenate(frames, axis=1).astype(np.float32)
    return pcm, layout, rate, packets


def tools(path):
    if path.suffix == ".aac":
        return ab.walk_adts(path.read_bytes()).as_dict()
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        asc = bytes(s.codec_context.extradata)
        rate_index = ((asc[0] & 7) << 1) | (asc[1] >> 7)
        packets = [bytes(p) for p in c.demux(s) if p.size]
    return ab.walk_packets(packets, rate_index, (asc[1] >> 3) & 15).as_dict()


def snr(reference, other):
    error = ((reference.astype(np.float64) - other) ** 2).sum()
    return float("inf") if error == 0 else float(10 * np.log10((reference.astype(np.float64) ** 2).sum() / error))


def crosscheck(path, pcm, rate, scratch):
    """SNRs of the Debian ffmpeg command's and faad's float decodes against PyAV's (faad aligned by whole frames)."""
    channels = pcm.shape[0]
    cli = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-"], check=True,
                         capture_output=True).stdout
    result = {"ffmpeg-5.1": round(snr(pcm, np.frombuffer(cli, "<f4").reshape(-1, channels).T), 1)}
    adts = path
    if path.suffix != ".aac":
        adts = scratch / (path.stem + ".aac")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-vn", "-c:a", "copy", "-f", "adts",
                        str(adts)], check=True)
    if rate < 32000:
        result["faad-2.10"] = "none: faad decodes AAC-LC below 32 kHz as implicit HE-AAC, at twice the rate"
        return result
    raw = scratch / "faad.f32"
    subprocess.run(["faad", "-q", "-f", "2", "-b", "4", "-o", str(raw), str(adts)], check=True)
    faad = np.fromfile(raw, "<f4")
    faad_channels = 2 if channels == 1 else channels  # faad writes mono as two equal channels
    faad = faad.reshape(-1, faad_channels).T[:channels].astype(np.float64)
    best = -float("inf")
    for shift in range(-3, 4):  # faad drops or keeps the first frame(s) differently
        a = pcm[:, max(0, shift * 1024):]
        b = faad[:, max(0, -shift * 1024):]
        n = min(a.shape[1], b.shape[1])
        if n > 0:
            best = max(best, snr(a[:, :n], b[:, :n]))
    result["faad-2.10"] = round(best, 1)
    return result


# ------------------------------------------------------------------------------------------ output

def golden(name, path, made_for, scratch):
    pcm, layout, rate, packets = pyav_decode(path)
    counts = tools(path)
    for tool in made_for.split(","):
        if not counts[tool]:
            raise SystemExit(f"{name}: made for {tool}, but the stream does not use it: {counts}")
    metadata = {"file": path.relative_to(ROOT).as_posix(), "sample_rate": rate, "channels": pcm.shape[0],
                "layout": ",".join(layout), "samples": pcm.shape[1], "packets": packets,
                "tools": json.dumps(counts, separators=(",", ":")), "made_for": made_for}
    if name in CROSSCHECK:
        metadata["crosscheck"] = json.dumps(crosscheck(path, pcm, rate, scratch), separators=(",", ":"))
    save_safetensors(GOLDEN / f"{name}.safetensors", {"pcm": pcm}, metadata)
    used = {k: v for k, v in counts.items() if v}
    print(f"{name}: {pcm.shape[0]} ch {layout} {rate} Hz, {pcm.shape[1]} samples, {packets} packets, "
          f"{path.stat().st_size} bytes; {metadata.get('crosscheck', '')}\n    {used}")


def main():
    AAC.mkdir(parents=True, exist_ok=True)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name, (args, file_name, made_for) in FIXTURES.items():
            encode(args, AAC / file_name)
            golden(name, AAC / file_name, made_for, scratch)
        for name, (_, _, file_name, made_for) in CRAFTED.items():
            craft(name, scratch)
            golden(name, AAC / file_name, made_for, scratch)
        for name, path in BUNDLED.items():
            golden(name, path, "frames", scratch)


if __name__ == "__main__":
    main()
