package videollama.model.tokenizer;

import videollama.model.tokenizer.SentencePieceModel.PieceType;

/**
 * Turns generated ids into text one token at a time, for printing as tokens arrive. Made by
 * {@link SentencePieceTokenizer#printer()}, one per generated sequence; not thread-safe.
 *
 * <p>The concatenation of everything {@link #next} and {@link #flush} return for a sequence of ids equals
 * {@link SentencePieceTokenizer#decode} of those ids, which is sentencepiece's {@code decode}:
 * <ul>
 *   <li>A CONTROL piece ({@code <s>}, {@code </s>}) prints nothing and changes nothing, so feeding the BOS or not
 *       makes no difference.</li>
 *   <li>The UNKNOWN piece prints the model's {@code unk_surface} (" ⁇ ").</li>
 *   <li>Other pieces print their text with each "▁" read as a space; at the start of the text (see below) a leading
 *       "▁" is dropped first: it is the dummy prefix the encoder put in front of the text. This applies when the model
 *       adds a dummy prefix or removes extra whitespace, as sentencepiece does.</li>
 *   <li>Consecutive BYTE pieces ({@code <0xXX>}) are collected into UTF-8: a valid character is printed when its
 *       last byte arrives ({@code next} returns "" meanwhile); each byte that cannot start or continue a valid
 *       character gives one U+FFFD, as does each byte of a character cut short by a non-byte piece or by
 *       {@link #flush}. Sentencepiece's rule, which this follows, is its own strict UTF-8 decoder: no overlong forms,
 *       no surrogates, nothing above U+10FFFF.</li>
 * </ul>
 * <b>Start of the text.</b> The printer is at the start until something has printed a non-empty string (a piece with
 * text, the unknown surface, or a byte character or U+FFFD), or until a piece has had its leading "▁" dropped.
 * Thus "▁" followed by "▁Hello" prints " Hello", but when the model removes extra whitespace ("▁" dropped without
 * ending the start), "▁" "▁Hello" prints "Hello": exactly what sentencepiece's decoder does.
 */
public final class TokenPrinter {
    private final SentencePieceModel model;
    /** Whether the "▁" at the start of the text is dropped (sentencepiece: dummy prefix or extra whitespace). */
    private final boolean stripsLeadingSpace;
    private final boolean removeExtraWhitespaces;
    private boolean atStart;
    /** Bytes of a UTF-8 character still being assembled: at most one incomplete character. */
    private final byte[] pending = new byte[4];
    private int pendingCount;

    TokenPrinter(SentencePieceModel model, boolean atStart) {
        this.model = model;
        this.atStart = atStart;
        this.stripsLeadingSpace = model.addDummyPrefix() || model.removeExtraWhitespaces();
        this.removeExtraWhitespaces = model.removeExtraWhitespaces();
    }

    /**
     * The text token {@code id} completes: possibly "" (a control piece, a byte of an unfinished character, the
     * dummy-prefix "▁"), possibly more than the token's own text (pending bytes turned into U+FFFD).
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String next(int id) {
        PieceType type = model.type(id);
        StringBuilder out = new StringBuilder();
        if (type == PieceType.BYTE) {
            pending[pendingCount++] = (byte) model.byteValue(id);
            drainBytes(out, false);
            return out.toString();
        }
        drainBytes(out, true);
        if (type == PieceType.CONTROL) {
            return out.toString();
        }
        String text;
        if (type == PieceType.UNKNOWN) {
            text = model.unkSurface();
        } else {
            String piece = model.piece(id);
            if (atStart && stripsLeadingSpace && piece.charAt(0) == SentencePieceModel.SPACE_SYMBOL) {
                piece = piece.substring(1);
                if (!removeExtraWhitespaces) {
                    atStart = false;
                }
            }
            text = piece.replace(SentencePieceModel.SPACE_SYMBOL, ' ');
        }
        if (!text.isEmpty()) {
            atStart = false;
        }
        return out.append(text).toString();
    }

    /** Pending bytes of an unfinished character, each as U+FFFD; "" if none. The printer can go on afterwards. */
    public String flush() {
        StringBuilder out = new StringBuilder();
        drainBytes(out, true);
        return out.toString();
    }

    /**
     * Prints every character the pending bytes settle. With {@code endOfRun} the byte run is over, so an unfinished
     * character is settled too (as one U+FFFD per byte).
     */
    private void drainBytes(StringBuilder out, boolean endOfRun) {
        int before = out.length();
        while (pendingCount > 0) {
            int b0 = pending[0] & 0xFF;
            int need;
            if (b0 < 0x80) {
                need = 1;
            } else if ((b0 & 0xE0) == 0xC0) {
                need = 2;
            } else if ((b0 & 0xF0) == 0xE0) {
                need = 3;
            } else if ((b0 & 0xF8) == 0xF0) {
                need = 4;
            } else {
                replaceFirstByte(out);
                continue;
            }
            boolean trailing = true;
            for (int k = 1; k < Math.min(need, pendingCount); k++) {
                trailing &= (pending[k] & 0xC0) == 0x80;
            }
            if (!trailing) {
                replaceFirstByte(out);
                continue;
            }
            if (pendingCount < need) {
                if (endOfRun) {
                    replaceFirstByte(out);
                    continue;
                }
                break; // wait for more bytes
            }
            int cp = switch (need) {
                case 1 -> b0;
                case 2 -> (b0 & 0x1F) << 6 | (pending[1] & 0x3F);
                case 3 -> (b0 & 0x0F) << 12 | (pending[1] & 0x3F) << 6 | (pending[2] & 0x3F);
                default -> (b0 & 0x07) << 18 | (pending[1] & 0x3F) << 12 | (pending[2] & 0x3F) << 6 | (pending[3] & 0x3F);
            };
            int min = switch (need) {
                case 1 -> 0;
                case 2 -> 0x80;
                case 3 -> 0x800;
                default -> 0x10000;
            };
            boolean valid = cp >= min && (cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF));
            if (!valid) {
                replaceFirstByte(out);
                continue;
            }
            out.appendCodePoint(cp);
            consume(need);
        }
        if (out.length() > before) {
            atStart = false;
        }
    }

    private void replaceFirstByte(StringBuilder out) {
        out.append('\uFFFD');
        consume(1);
    }

    private void consume(int n) {
        System.arraycopy(pending, n, pending, 0, pendingCount - n);
        pendingCount -= n;
    }
}
