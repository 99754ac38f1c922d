#!/usr/bin/python3
"""torchaudio's resampling at rates whose gcd with 16 kHz is small, for the Java Resampler (loader module).

torchaudio builds a kernel of (new x (2*width + orig)) floats for the gcd-reduced rates orig/new: 16000 x 44135
(2.8 GB) for 44,101 Hz, 16000 x 8015 for 8,001 Hz. The Java resampler computes only each row's unclamped taps;
these files say what the whole kernel gives. (At 96,001 Hz, 16000 x 96039 floats, 6.1 GB, torchaudio was killed
with 21 GB resident on a 23 GB machine, so that rate has no file.)

Writes testdata/golden/resample/<rate>.f32: torchaudio.functional.resample(x, rate, 16000) with its defaults, raw
little-endian float32, of x = 0.1 s of 16-bit noise from a linear congruential generator (made the same way by
ResamplerTest): s = (1103515245 s + 12345) mod 2^31 from s = rate, sample ((s >> 15) & 0xffff) - 32768, / 32768.

Reference: Debian's python3-torchaudio 0.13.1 (apt-get install python3-torchaudio). Run from anywhere:

    /usr/bin/python3 scripts/reference/make_resample_golden.py
"""

import pathlib

import torch
import torchaudio

RATES = [44101, 8001]
OUT = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "golden" / "resample"


def noise(rate, n):
    s = rate
    out = []
    for _ in range(n):
        s = (1103515245 * s + 12345) % (1 << 31)
        out.append((((s >> 15) & 0xFFFF) - 32768) / 32768.0)
    return torch.tensor([out], dtype=torch.float32)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for rate in RATES:
        x = noise(rate, rate // 10)
        y = torchaudio.functional.resample(x, rate, 16000)
        y[0].numpy().astype("<f4").tofile(OUT / f"{rate}.f32")
        print(rate, x.shape[1], "->", y.shape[1], flush=True)


if __name__ == "__main__":
    main()
