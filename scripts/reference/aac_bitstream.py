"""An AAC-LC bitstream walker and bit splicer, for make_aac_golden.py (reference data only, never run by tests).

The walker parses raw_data_blocks as ISO/IEC 14496-3 subpart 4 lays them out (4.4.2 syntax, 4.5.2 semantics): it
reads every element, ics_info, section data, scalefactors, pulse and TNS data, and the spectral Huffman codewords
(so that the next element is found), but computes no sound. It counts which coding tools each frame uses, so that the
Java decoder's own counts can be checked against an independent reading of the same bits, and it remembers where some
fields lie so that test streams can be rewritten (window shapes flipped, pulse data inserted, TNS data replaced).

Only the Huffman codebooks are shared with the Java decoder (its resource file, ISO/IEC 14496-3 Annex 4.A); the band
tables below are written out again here from the standard.
"""

from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODEBOOKS = ROOT / "loader/src/main/resources/videollama/loader/audio/aac/huffman-codebooks.txt"

RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

# Scalefactor band offsets, ISO/IEC 14496-3 Tables 4.129 to 4.147 (1024-sample frames), by table.
_L96 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 156, 172,
        188, 212, 240, 276, 320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960, 1024]
_L64 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 100, 112, 124, 140, 156, 172, 192,
        216, 240, 268, 304, 344, 384, 424, 464, 504, 544, 584, 624, 664, 704, 744, 784, 824, 864, 904, 944, 984, 1024]
_L48 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176, 196, 216,
        240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832, 864, 896,
        928, 1024]
_L32 = _L48[:-1] + [960, 992, 1024]
_L24 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 136, 148, 160, 172,
        188, 204, 220, 240, 260, 284, 308, 336, 364, 396, 432, 468, 508, 552, 600, 652, 704, 768, 832, 896, 960, 1024]
_L16 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 100, 112, 124, 136, 148, 160, 172, 184, 196, 212, 228, 244, 260,
        280, 300, 320, 344, 368, 396, 424, 456, 492, 532, 572, 616, 664, 716, 772, 832, 896, 960, 1024]
_L8 = [0, 12, 24, 36, 48, 60, 72, 84, 96, 108, 120, 132, 144, 156, 172, 188, 204, 220, 236, 252, 268, 288, 308, 328,
       348, 372, 396, 420, 448, 476, 508, 544, 580, 620, 664, 712, 764, 820, 880, 944, 1024]
_S96 = [0, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 92, 128]
_S48 = [0, 4, 8, 12, 16, 20, 28, 36, 44, 56, 68, 80, 96, 112, 128]
_S24 = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 64, 76, 92, 108, 128]
_S16 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60, 72, 88, 108, 128]
_S8 = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 60, 72, 88, 108, 128]
SWB_LONG = [_L96, _L96, _L64, _L48, _L48, _L32, _L24, _L24, _L16, _L16, _L16, _L8, _L8]
SWB_SHORT = [_S96, _S96, _S96, _S48, _S48, _S48, _S24, _S24, _S16, _S16, _S16, _S8, _S8]
# TNS_MAX_BANDS for AAC-LC, ISO/IEC 14496-3 Table 4.156.
TNS_MAX_LONG = [31, 31, 34, 40, 42, 51, 46, 46, 42, 42, 42, 39, 39]
TNS_MAX_SHORT = [9, 9, 10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14]

ONLY_LONG, LONG_START, EIGHT_SHORT, LONG_STOP = range(4)
ZERO_HCB, ESC_HCB, NOISE_HCB, INTENSITY_HCB2, INTENSITY_HCB = 0, 11, 13, 14, 15
SCE, CPE, CCE, LFE, DSE, PCE, FIL, END = range(8)


class AacError(Exception):
    pass


def load_codebooks(path=CODEBOOKS):
    """{name: {(length, codeword): index}} from the resource file."""
    books = {}
    current = None
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0] == "codebook":
            current = books.setdefault(parts[1], {})
        else:
            current[(int(parts[1]), int(parts[2], 16))] = int(parts[0])
    return books


BOOKS = load_codebooks()
# (values per codeword, signed, modulus of one value in the index) of spectrum codebooks 1 to 11, Table 4.A.1 notes.
SPECTRUM = {1: (4, True, 3), 2: (4, True, 3), 3: (4, False, 3), 4: (4, False, 3), 5: (2, True, 9), 6: (2, True, 9),
            7: (2, False, 8), 8: (2, False, 8), 9: (2, False, 13), 10: (2, False, 13), 11: (2, False, 17)}


class Bits:
    def __init__(self, data, pos=0, end=None):
        self.data = data
        self.pos = pos
        self.end = len(data) * 8 if end is None else end

    def read(self, n):
        if self.pos + n > self.end:
            raise AacError(f"read past the end at bit {self.pos}")
        v = 0
        for _ in range(n):
            v = (v << 1) | ((self.data[self.pos >> 3] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return v

    def huffman(self, book):
        code = 0
        for length in range(1, 20):
            code = (code << 1) | self.read(1)
            index = book.get((length, code))
            if index is not None:
                return index
        raise AacError("no codeword")


@dataclass
class Tools:
    """Counts of coding tools in a stream; the names are the Java decoder's AacToolCounts components."""
    frames: int = 0
    sce: int = 0
    cpe: int = 0
    lfe: int = 0
    channelStreams: int = 0
    commonWindow: int = 0
    longStart: int = 0
    eightShort: int = 0
    longStop: int = 0
    kbd: int = 0
    msBands: int = 0
    msAll: int = 0
    msNoiseBands: int = 0
    intensityBands: int = 0
    intensityMsBands: int = 0
    pnsBands: int = 0
    pulse: int = 0
    tns: int = 0
    tnsFilters: int = 0
    tnsShortFilters: int = 0
    tnsDownward: int = 0
    tnsCompressed: int = 0
    tnsLowResolution: int = 0
    escapes: int = 0
    fil: int = 0
    dse: int = 0
    pce: int = 0

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class IcsInfo:
    window_sequence: int
    window_shape: int
    max_sfb: int
    groups: list
    shape_bit: int  # bit position of window_shape, for rewriting

    def short(self):
        return self.window_sequence == EIGHT_SHORT


@dataclass
class CpePlaces:
    """Where a channel_pair_element's ms_mask_present field lies (-1 without a common window) and its value."""
    mask_pos: int
    mask: int
    ms: list
    first: object
    second: object


@dataclass
class IcsPlaces:
    """Bit positions inside one individual_channel_stream: for rewriting test streams."""
    info: IcsInfo
    pulse_flag: int = -1
    tns_flag: int = -1
    tns_end: int = -1
    band_types: list = field(default_factory=list)


class Walker:
    """Reads raw_data_blocks of one stream; `tools` accumulates, `places` lists the last block's channel streams
    (IcsPlaces of SCEs and LFEs, CpePlaces of CPEs), in bitstream order."""

    def __init__(self, rate_index, channel_configuration):
        if not 0 <= rate_index < len(RATES):
            raise AacError(f"sampling frequency index {rate_index}")
        self.rate_index = rate_index
        self.channel_configuration = channel_configuration
        self.tools = Tools()
        self.places = []

    def raw_data_block(self, bits):
        self.places = []
        self.end_pos = -1  # where the END element starts, for inserting elements before it
        self.tools.frames += 1
        start = bits.pos
        while True:
            self.end_pos = bits.pos
            kind = bits.read(3)
            if kind == END:
                return
            tag = bits.read(4)
            if kind == SCE or kind == LFE:
                self.tools.sce += kind == SCE
                self.tools.lfe += kind == LFE
                self.places.append(self.ics(bits, None))
            elif kind == CPE:
                self.tools.cpe += 1
                self.cpe(bits)
            elif kind == DSE:
                self.tools.dse += 1
                align = bits.read(1)
                count = bits.read(8)
                if count == 255:
                    count += bits.read(8)
                if align:
                    bits.read((8 - (bits.pos - start) % 8) % 8)
                bits.read(8 * count)
            elif kind == PCE:
                self.tools.pce += 1
                self.pce(bits, start)
            elif kind == FIL:
                self.tools.fil += 1
                count = tag
                if count == 15:
                    count += bits.read(8) - 1
                if count > 0:
                    extension = bits.read(4)
                    if extension in (13, 14):
                        raise AacError("SBR extension payload")
                    bits.read(8 * count - 4)
            else:
                raise AacError(f"element {kind}")

    def pce(self, bits, start):
        bits.read(2 + 4)
        front, side, back = bits.read(4), bits.read(4), bits.read(4)
        lfe, assoc, cc = bits.read(2), bits.read(3), bits.read(4)
        for _ in range(3):
            if bits.read(1):
                bits.read(4 if _ < 2 else 3)
        bits.read(5 * (front + side + back) + 4 * lfe + 4 * assoc + 5 * cc)
        bits.read((8 - (bits.pos - start) % 8) % 8)
        bits.read(8 * bits.read(8))

    def ics_info(self, bits):
        if bits.read(1):
            raise AacError("reserved bit")
        sequence = bits.read(2)
        shape_bit = bits.pos
        shape = bits.read(1)
        if sequence == EIGHT_SHORT:
            max_sfb = bits.read(4)
            groups = [1]
            for _ in range(7):
                if bits.read(1):
                    groups[-1] += 1
                else:
                    groups.append(1)
            bands = len(SWB_SHORT[self.rate_index]) - 1
        else:
            max_sfb = bits.read(6)
            groups = [1]
            if bits.read(1):
                raise AacError("predictor data in AAC-LC")
            bands = len(SWB_LONG[self.rate_index]) - 1
        if max_sfb > bands:
            raise AacError(f"max_sfb {max_sfb} > {bands}")
        return IcsInfo(sequence, shape, max_sfb, groups, shape_bit)

    def cpe(self, bits):
        common = bits.read(1)
        info = None
        ms = []
        mask_pos, mask = -1, 0
        if common:
            self.tools.commonWindow += 1
            info = self.ics_info(bits)
            mask_pos = bits.pos
            mask = bits.read(2)
            if mask == 3:
                raise AacError("ms_mask_present 3")
            bands = len(info.groups) * info.max_sfb
            if mask == 1:
                ms = [bits.read(1) for _ in range(bands)]
            elif mask == 2:
                self.tools.msAll += 1
                ms = [1] * bands
            self.tools.msBands += sum(ms)
        first = self.ics(bits, info)
        second = self.ics(bits, info)
        self.places.append(CpePlaces(mask_pos, mask, ms, first, second))
        intensity = [b in (INTENSITY_HCB, INTENSITY_HCB2) for b in second.band_types]
        self.tools.intensityBands += sum(intensity)
        self.tools.intensityMsBands += sum(i and m for i, m in zip(intensity, ms))
        self.tools.msNoiseBands += sum(m and a == NOISE_HCB and b == NOISE_HCB
                                       for m, a, b in zip(ms, first.band_types, second.band_types))

    def ics(self, bits, common):
        t = self.tools
        t.channelStreams += 1
        bits.read(8)  # global_gain
        info = common if common is not None else self.ics_info(bits)
        t.longStart += info.window_sequence == LONG_START  # per channel stream, common window or not
        t.eightShort += info.window_sequence == EIGHT_SHORT
        t.longStop += info.window_sequence == LONG_STOP
        t.kbd += info.window_shape
        places = IcsPlaces(info)
        short = info.short()
        swb = SWB_SHORT[self.rate_index] if short else SWB_LONG[self.rate_index]
        # section_data, 4.4.2 Table 4.52
        band_types = []
        length_bits = 3 if short else 5
        for _ in info.groups:
            k = 0
            types = [0] * info.max_sfb
            while k < info.max_sfb:
                cb = bits.read(4)
                if cb == 12:
                    raise AacError("codebook 12")
                end = k
                while True:
                    incr = bits.read(length_bits)
                    end += incr
                    if incr != (1 << length_bits) - 1:
                        break
                if end > info.max_sfb:
                    raise AacError("section past max_sfb")
                for b in range(k, end):
                    types[b] = cb
                k = end
            band_types.extend(types)
        places.band_types = band_types
        # scale_factor_data, Table 4.53
        first_noise = True
        for cb in band_types:
            if cb == ZERO_HCB:
                continue
            if cb == NOISE_HCB:
                t.pnsBands += 1
                if first_noise:
                    bits.read(9)
                    first_noise = False
                    continue
            bits.huffman(BOOKS["scalefactor"])
        places.pulse_flag = bits.pos
        if bits.read(1):
            if short:
                raise AacError("pulse data in a short window")
            t.pulse += 1
            count = bits.read(2) + 1
            bits.read(6)
            bits.read(9 * count)
        places.tns_flag = bits.pos
        if bits.read(1):
            t.tns += 1
            self.tns_data(bits, info)
        places.tns_end = bits.pos
        if bits.read(1):
            raise AacError("gain control data")
        # spectral_data, Table 4.56
        index = 0
        for group in info.groups:
            for sfb in range(info.max_sfb):
                cb = band_types[index + sfb]
                if cb in (ZERO_HCB, NOISE_HCB, INTENSITY_HCB, INTENSITY_HCB2):
                    continue
                dim, signed, modulus = SPECTRUM[cb]
                book = BOOKS[str(cb)]
                for _ in range(group):
                    for _ in range((swb[sfb + 1] - swb[sfb]) // dim):
                        value = bits.huffman(book)
                        digits = []
                        for _ in range(dim):
                            digits.append(value % modulus)
                            value //= modulus
                        if signed:
                            continue
                        for d in reversed(digits):
                            if d:
                                bits.read(1)
                        for d in reversed(digits):
                            if cb == ESC_HCB and d == 16:
                                t.escapes += 1
                                n = 0
                                while bits.read(1):
                                    n += 1
                                    if n > 8:
                                        raise AacError("escape too long")
                                bits.read(n + 4)
            index += info.max_sfb
        return places

    def tns_data(self, bits, info):
        t = self.tools
        short = info.short()
        for _ in range(8 if short else 1):
            filters = bits.read(1 if short else 2)
            if not filters:
                continue
            resolution = bits.read(1)
            for _ in range(filters):
                bits.read(4 if short else 6)  # length
                order = bits.read(3 if short else 5)
                if order > (7 if short else 12):
                    raise AacError("TNS order")
                if order:
                    t.tnsFilters += 1
                    t.tnsShortFilters += short
                    t.tnsLowResolution += resolution == 0
                    direction = bits.read(1)
                    compress = bits.read(1)
                    t.tnsDownward += direction
                    t.tnsCompressed += compress
                    bits.read(order * (resolution + 3 - compress))


# ------------------------------------------------------------------------------------------------ ADTS

@dataclass
class AdtsFrame:
    offset: int
    header: bytes
    raw: bytes  # the raw_data_block, CRC removed
    profile: int
    rate_index: int
    channel_configuration: int


def adts_frames(data):
    frames = []
    at = 0
    while at < len(data):
        b = Bits(data, at * 8)
        if b.read(12) != 0xFFF:
            raise AacError(f"no ADTS sync at byte {at}")
        b.read(1 + 2)
        protection_absent = b.read(1)
        profile = b.read(2)
        rate_index = b.read(4)
        b.read(1)
        config = b.read(3)
        b.read(4)
        length = b.read(13)
        b.read(11)
        blocks = b.read(2)
        if blocks:
            raise AacError("several raw data blocks in an ADTS frame")
        header = 7 if protection_absent else 9
        frames.append(AdtsFrame(at, data[at:at + 7], data[at + header:at + length], profile, rate_index, config))
        at += length
    return frames


def walk_adts(data):
    frames = adts_frames(data)
    walker = Walker(frames[0].rate_index, frames[0].channel_configuration)
    for f in frames:
        walker.raw_data_block(Bits(f.raw))
    return walker.tools


def walk_packets(packets, rate_index, channel_configuration):
    walker = Walker(rate_index, channel_configuration)
    for p in packets:
        walker.raw_data_block(Bits(p))
    return walker.tools


# ------------------------------------------------------------------------------------------------ rewriting

class BitWriter:
    def __init__(self):
        self.bits = []

    def write(self, value, n):
        for i in range(n - 1, -1, -1):
            self.bits.append((value >> i) & 1)

    def copy(self, data, start, end):
        for p in range(start, end):
            self.bits.append((data[p >> 3] >> (7 - (p & 7))) & 1)

    def to_bytes(self):
        padded = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(int("".join(map(str, padded[i:i + 8])), 2) for i in range(0, len(padded), 8))


def splice(raw, edits):
    """raw with the bit ranges [start, end) of `edits` (sorted, disjoint) replaced by (value, bits) lists."""
    w = BitWriter()
    at = 0
    for start, end, writes in edits:
        w.copy(raw, at, start)
        for value, n in writes:
            w.write(value, n)
        at = end
    w.copy(raw, at, len(raw) * 8)
    return w.to_bytes()


def adts_header(template, raw_length):
    """An ADTS header like `template` (7 bytes, protection absent) for a raw_data_block of raw_length bytes."""
    h = bytearray(template[:7])
    h[1] |= 1  # protection_absent: the rewritten frame carries no CRC
    length = raw_length + 7
    h[3] = (h[3] & 0xFC) | (length >> 11)
    h[4] = (length >> 3) & 0xFF
    h[5] = ((length & 7) << 5) | (h[5] & 0x1F)
    return bytes(h)
