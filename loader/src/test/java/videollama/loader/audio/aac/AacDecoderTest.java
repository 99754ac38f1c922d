package videollama.loader.audio.aac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.loader.TestMedia;
import videollama.testing.SeededRandom;

/** The decoder on packets made or damaged in the test: bounds, refusals, and nothing but AacException escaping. */
class AacDecoderTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    /** The raw_data_blocks of an ADTS fixture (headers without CRC). */
    static List<byte[]> packets(String name) throws Exception {
        byte[] b = Files.readAllBytes(TestMedia.root().resolve("testdata/audio/aac").resolve(name));
        List<byte[]> packets = new ArrayList<>();
        for (int at = 0; at < b.length; ) {
            int length = (b[at + 3] & 3) << 11 | (b[at + 4] & 0xff) << 3 | (b[at + 5] & 0xff) >> 5;
            packets.add(Arrays.copyOfRange(b, at + 7, at + length));
            at += length;
        }
        return packets;
    }

    static AacConfig stereo44k() {
        return AacConfig.fromAdts(1, 4, 2);
    }

    /** A packet inside a larger array decodes as on its own: nothing beyond its length is read. */
    @Test
    void readsNothingBeyondThePacket() throws Exception {
        Random random = new Random(1);
        AacDecoder clean = new AacDecoder(stereo44k());
        AacDecoder embedded = new AacDecoder(stereo44k());
        for (byte[] p : packets("ms-noise-44k-stereo.aac")) {
            byte[] big = new byte[p.length + 64];
            random.nextBytes(big);
            System.arraycopy(p, 0, big, 32, p.length);
            assertArrayEquals(clean.decode(p, 0, p.length), embedded.decode(big, 32, p.length));
        }
        // Cut short, with the rest of the packet right behind it: the decoder must not read on into it.
        byte[] p = packets("ms-noise-44k-stereo.aac").get(10);
        for (int cut = 1; cut < p.length; cut += 7) {
            int length = p.length - cut;
            AacException e = assertThrows(AacException.class, () -> new AacDecoder(stereo44k()).decode(p, 0, length),
                    "cut by " + cut);
            assertEquals(AacException.Kind.CORRUPT, e.kind());
        }
        AacException empty = assertThrows(AacException.class, () -> new AacDecoder(stereo44k()).decode(new byte[0], 0, 0));
        assertEquals(AacException.Kind.CORRUPT, empty.kind());
    }

    /**
     * Random bytes as packets (mono, stereo and 5.1), and real packets with bits flipped: decoded or refused with
     * an AacException, nothing else.
     */
    @Test
    void damagedPacketsGiveSamplesOrAacException() throws Exception {
        int decoded = 0;
        int refused = 0;
        for (String name : new String[] {"ms-noise-44k-stereo.aac", "tns-variants-44k-mono.aac", "pulse-44k-mono.aac",
                "adts-44k-stereo.aac"}) {
            List<byte[]> packets = packets(name);
            AacDecoder decoder = new AacDecoder(name.contains("stereo") ? stereo44k() : AacConfig.fromAdts(1, 4, 1));
            for (int trial = 0; trial < 2000; trial++) {
                byte[] p = packets.get(random.nextInt(packets.size())).clone();
                for (int k = 0; k <= random.nextInt(4); k++) {
                    int bit = random.nextInt(p.length * 8);
                    p[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                }
                try {
                    decoder.decode(p, 0, p.length);
                    decoded++;
                } catch (AacException e) {
                    refused++;
                }
            }
        }
        for (int configuration : new int[] {1, 2, 6}) {
            AacDecoder decoder = new AacDecoder(AacConfig.fromAdts(1, 3 + configuration % 5, configuration));
            for (int trial = 0; trial < 3000; trial++) {
                byte[] p = new byte[random.nextInt(400)];
                random.nextBytes(p);
                if (trial % 4 == 0 && p.length > 0) {
                    p[0] = (byte) (p[0] & 0x1f | (configuration == 2 ? 0x20 : 0)); // start with an SCE or a CPE
                }
                try {
                    float[][] pcm = decoder.decode(p, 0, p.length);
                    assertEquals(decoder.channels(), pcm.length);
                    decoded++;
                } catch (AacException e) {
                    refused++;
                }
            }
        }
        System.out.printf("damaged and random packets (%s): %d decoded, %d refused%n", random, decoded, refused);
        assertTrue(refused > 0);
    }

    /** A silent mono frame written bit by bit: an SCE with no coded bands, then {@code extra} elements, then END. */
    static byte[] frame(long[]... extra) {
        BitWriter w = new BitWriter();
        w.write(AacDecoder.SCE, 3).write(0, 4).write(100, 8); // element, tag, global_gain
        w.write(0, 1).write(IcsInfo.ONLY_LONG, 2).write(0, 1).write(0, 6).write(0, 1); // ics_info: max_sfb 0
        w.write(0, 1).write(0, 1).write(0, 1); // no pulse, TNS or gain control data
        for (long[] fields : extra) {
            for (int i = 0; i < fields.length; i += 2) {
                w.write(fields[i], (int) fields[i + 1]);
            }
        }
        w.write(AacDecoder.END, 3);
        return w.bytes();
    }

    static final long[] SBR_FILL = {AacDecoder.FIL, 3, 2, 4, 13, 4, 0, 12}; // fill_element, count 2, EXT_SBR_DATA
    static final long[] COUPLING = {AacDecoder.CCE, 3, 0, 4};

    @Test
    void theSilentFrameDecodesToSilence() {
        AacDecoder decoder = new AacDecoder(AacConfig.fromAdts(1, 4, 1));
        byte[] f = frame();
        float[][] pcm = decoder.decode(f, 0, f.length);
        assertArrayEquals(new float[1024], pcm[0]);
    }

    /** The largest escape value, 8191, with four pulses of amplitude 15 on it: |q| = 8251 decodes. */
    @Test
    void theLargestValueAPulseCanMake() {
        BitWriter w = new BitWriter();
        w.write(AacDecoder.SCE, 3).write(0, 4).write(100, 8);
        w.write(0, 1).write(IcsInfo.ONLY_LONG, 2).write(0, 1).write(1, 6).write(0, 1); // max_sfb 1
        w.write(11, 4).write(1, 5); // one section: codebook 11, one band
        codeword(w, Codebooks.scalefactor(), 60); // scalefactor = global gain
        w.write(1, 1).write(3, 2).write(0, 6); // four pulses from band 0
        for (int i = 0; i < 4; i++) {
            w.write(0, 5).write(15, 4); // all at coefficient 0, amplitude 15
        }
        w.write(0, 1).write(0, 1); // no TNS, no gain control
        codeword(w, Codebooks.spectrum(11), 16 * 17); // the pair (16, 0)
        w.write(0, 1).write(0xff, 8).write(0, 1).write(4095, 12); // + ; escape: 8 ones, 0, 12 bits -> 8191
        codeword(w, Codebooks.spectrum(11), 0); // (0, 0)
        w.write(AacDecoder.END, 3);
        byte[] frame = w.bytes();
        float[][] pcm = new AacDecoder(AacConfig.fromAdts(1, 4, 1)).decode(frame, 0, frame.length);
        double energy = 0;
        for (float v : pcm[0]) {
            assertTrue(Float.isFinite(v));
            energy += v * v;
        }
        assertTrue(energy > 0);
    }

    static void codeword(BitWriter w, Huffman book, int index) {
        Huffman.Codeword c = book.codewords().stream().filter(x -> x.index() == index).findFirst().orElseThrow();
        w.write(c.code(), c.length());
    }

    @Test
    void refusesWhatOnlyFfmpegDecodes() {
        AacConfig mono = AacConfig.fromAdts(1, 4, 1);
        byte[] sbr = frame(SBR_FILL);
        AacException e = assertThrows(AacException.class, () -> new AacDecoder(mono).decode(sbr, 0, sbr.length));
        assertEquals(AacException.Kind.UNSUPPORTED, e.kind());
        assertEquals("HE-AAC (SBR data in a fill element)", e.getMessage());
        byte[] cce = frame(COUPLING);
        assertEquals("a coupling channel element",
                assertThrows(AacException.class, () -> new AacDecoder(mono).decode(cce, 0, cce.length)).getMessage());
        // An AudioSpecificConfig that says "no SBR": SBR data is skipped, as FFmpeg skips it.
        AacConfig noSbr = new AacConfig(4, 1, mono.layout(), true);
        assertArrayEquals(new float[1024], new AacDecoder(noSbr).decode(sbr, 0, sbr.length)[0]);
        for (int profile : new int[] {0, 2, 3}) { // Main, SSR, and the reserved 4th (LTP's object type)
            assertEquals(AacException.Kind.UNSUPPORTED,
                    assertThrows(AacException.class, () -> AacConfig.fromAdts(profile, 4, 1)).kind());
        }
        assertEquals("channel configuration 7",
                assertThrows(AacException.class, () -> AacConfig.fromAdts(1, 4, 7)).getMessage());
        // HE-AAC signalled in an AudioSpecificConfig, explicitly (object type 5) and backward-compatibly.
        assertEquals("HE-AAC (SBR)", assertThrows(AacException.class,
                () -> AacConfig.fromAudioSpecificConfig(new byte[] {0x2a, 0x08})).getMessage());
        byte[] compatible = {0x12, 0x08, 0x56, (byte) 0xe5, (byte) 0x80}; // LC, 44.1 kHz, mono; 0x2b7, 5, SBR 1
        assertEquals("HE-AAC (SBR signalled in the AudioSpecificConfig)",
                assertThrows(AacException.class, () -> AacConfig.fromAudioSpecificConfig(compatible)).getMessage());
        byte[] lc = {0x12, 0x08, 0x56, (byte) 0xe5, 0x00}; // what FFmpeg's encoder writes: SBR 0
        assertTrue(AacConfig.fromAudioSpecificConfig(lc).sbrAbsent());
        assertEquals("960-sample frames (frameLengthFlag)", assertThrows(AacException.class,
                () -> AacConfig.fromAudioSpecificConfig(new byte[] {0x12, 0x0c})).getMessage());
    }

    @Test
    void aFrameMustCarryItsConfigurationsElements() {
        AacDecoder stereo = new AacDecoder(stereo44k());
        byte[] mono = frame();
        AacException e = assertThrows(AacException.class, () -> stereo.decode(mono, 0, mono.length));
        assertEquals("element SCE (tag 0) has no place in the channel layout", e.getMessage());
        byte[] twice = frame(new long[] {AacDecoder.SCE, 3, 0, 4, 100, 8, 0, 1, 0, 2, 0, 1, 0, 6, 0, 1, 0, 3});
        AacException second = assertThrows(AacException.class,
                () -> new AacDecoder(AacConfig.fromAdts(1, 4, 1)).decode(twice, 0, twice.length));
        assertEquals("element SCE (tag 0) has no place in the channel layout", second.getMessage());
        byte[] nothing = {(byte) 0xe0}; // END alone
        assertEquals("the frame lacks its SCE", assertThrows(AacException.class,
                () -> new AacDecoder(AacConfig.fromAdts(1, 4, 1)).decode(nothing, 0, 1)).getMessage());
    }

    /** MSB-first bit writer. */
    static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        BitWriter write(long value, int bits) {
            for (int i = bits - 1; i >= 0; i--) {
                current = current << 1 | (int) (value >>> i & 1);
                if (++used == 8) {
                    out.write(current);
                    current = 0;
                    used = 0;
                }
            }
            return this;
        }

        byte[] bytes() {
            if (used > 0) {
                write(0, 8 - used);
            }
            return out.toByteArray();
        }
    }
}
