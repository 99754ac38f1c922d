package videollama.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import videollama.model.tokenizer.SentencePieceModel.PieceType;

/**
 * sentencepiece's {@code encode} of one sentence with a BPE model, following its normalizer and
 * {@code bpe_model.cc}:
 * <ol>
 *   <li>Normalize. The only normalization supported is the identity one LLaMA uses (an empty
 *       {@code precompiled_charsmap}), with the {@code NormalizerSpec} flags honoured: {@code remove_extra_whitespaces}
 *       drops leading spaces, squeezes runs of spaces to one and drops trailing ones; {@code add_dummy_prefix} puts one
 *       space in front of the text (even when it already starts with one); {@code escape_whitespaces} turns every space
 *       into "▁" (U+2581). Only the ASCII space counts as whitespace. A lone UTF-16 surrogate, which has no UTF-8 form,
 *       is read as U+FFFD, as sentencepiece reads malformed UTF-8.</li>
 *   <li>Split into symbols, one per code point, except that a USER_DEFINED piece is one symbol (longest match) that
 *       never merges with its neighbours.</li>
 *   <li>Merge: repeatedly join the adjacent pair of symbols whose concatenation is a NORMAL, USER_DEFINED or UNUSED
 *       piece with the highest score, the leftmost such pair on ties. A priority queue holds the candidate pairs;
 *       entries made stale by earlier merges are recognised by their length and dropped when they come up, so the
 *       whole is O(n log n).</li>
 *   <li>A resulting symbol that is an UNUSED piece is split back into the two symbols it was last merged from
 *       (recursively).</li>
 *   <li>Emit each symbol's id; a symbol that is no piece becomes, with {@code byte_fallback}, one {@code <0xXX>} piece
 *       per UTF-8 byte, and otherwise the unknown id, a run of unknown symbols giving one unknown id.</li>
 * </ol>
 *
 * <p>Immutable and safe to share between threads: each call works on state of its own.
 */
final class BpeEncoder {
    private final SentencePieceModel model;
    /** Null when the model has no USER_DEFINED piece. */
    private final UserDefinedMatcher userDefined;

    BpeEncoder(SentencePieceModel model) {
        this.model = model;
        List<String> userDefinedPieces = model.userDefinedPieces();
        this.userDefined = userDefinedPieces.isEmpty() ? null : new UserDefinedMatcher(userDefinedPieces);
    }

    /** Appends the ids of {@code text}, encoded as one sentence (steps 1 to 5 above), to {@code out}. */
    void encodeInto(String text, IntList out) {
        if (text.isEmpty()) {
            return;
        }
        String normalized = normalize(text);
        if (normalized.isEmpty()) {
            return;
        }
        Merger merger = new Merger(normalized);
        merger.run();
        List<String> result = new ArrayList<>();
        merger.emit(result);
        boolean previousUnknown = false;
        for (String piece : result) {
            int id = model.pieceToId(piece);
            boolean unknown = model.type(id) == PieceType.UNKNOWN;
            if (unknown && model.byteFallback()) {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(model.byteId(b & 0xFF));
                }
            } else if (!(unknown && previousUnknown)) { // a run of unknown symbols is one unknown piece
                out.add(id);
            }
            previousUnknown = unknown;
        }
    }

    /** The normalized text: sentencepiece's Normalizer with no character map (step 1 above). */
    String normalize(String text) {
        boolean removeExtraWhitespaces = model.removeExtraWhitespaces();
        int n = text.length();
        int i = 0;
        if (removeExtraWhitespaces) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
        }
        if (i == n) {
            return "";
        }
        char space = model.escapeWhitespaces() ? SentencePieceModel.SPACE_SYMBOL : ' ';
        StringBuilder out = new StringBuilder(n + 1);
        if (model.addDummyPrefix()) {
            out.append(space);
        }
        boolean previousWasSpace = removeExtraWhitespaces;
        while (i < n) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ' ') {
                if (!previousWasSpace) {
                    out.append(space);
                }
                previousWasSpace = removeExtraWhitespaces;
            } else {
                if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                    cp = 0xFFFD; // a lone surrogate: no UTF-8 form, read as malformed input
                }
                out.appendCodePoint(cp);
                previousWasSpace = false;
            }
        }
        if (removeExtraWhitespaces) {
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == space) {
                end--;
            }
            out.setLength(end);
        }
        return out.toString();
    }

    /** A candidate merge of symbols left and right, whose concatenation is {@code length} chars long. */
    private record Candidate(float score, int left, int right, int length) {}

    /**
     * Highest score first, then leftmost. Scores compare as {@link Float#compare} does, -0.0 below 0.0: that is what
     * sentencepiece 0.2 does (tested: pieces scored -0.0 and 0.0 side by side, the 0.0 one merges first wherever it
     * is), and stories260K's first merge "▁t" is scored -0.0.
     */
    private static final Comparator<Candidate> BEST_FIRST = (a, b) -> {
        int byScore = Float.compare(b.score, a.score);
        return byScore != 0 ? byScore : Integer.compare(a.left, b.left);
    };

    /** The BPE state of one encode call: symbols are ranges of the normalized text in a doubly linked list. */
    private final class Merger {
        final String text;
        final int[] start;
        final int[] length; // 0 once merged into the symbol on its left
        final int[] prev;
        final int[] next;
        final boolean[] frozen;
        final PriorityQueue<Candidate> agenda = new PriorityQueue<>(BEST_FIRST);
        /** For UNUSED pieces formed by a merge: the two pieces they were formed from (last seen wins). */
        final Map<String, String[]> unmerge = new HashMap<>();

        /** Splits the text into symbols (step 2) and queues the merges of neighbours. */
        Merger(String text) {
            this.text = text;
            int capacity = text.length();
            start = new int[capacity];
            length = new int[capacity];
            prev = new int[capacity];
            next = new int[capacity];
            frozen = new boolean[capacity];
            int count = 0;
            for (int i = 0; i < text.length(); ) {
                int len = userDefined == null ? 0 : userDefined.match(text, i);
                frozen[count] = len > 0;
                if (len == 0) {
                    len = Character.charCount(text.codePointAt(i));
                }
                start[count] = i;
                length[count] = len;
                prev[count] = count - 1;
                next[count] = count + 1;
                count++;
                i += len;
            }
            next[count - 1] = -1;
            for (int s = 1; s < count; s++) {
                propose(s - 1, s);
            }
        }

        /** Queues the merge of symbols left and right if their concatenation is a piece. */
        void propose(int left, int right) {
            if (left < 0 || right < 0 || frozen[left] || frozen[right]) {
                return;
            }
            int len = length[left] + length[right];
            String merged = text.substring(start[left], start[left] + len);
            int id = model.mergeableId(merged);
            if (id < 0) {
                return;
            }
            agenda.add(new Candidate(model.score(id), left, right, len));
            if (model.type(id) == PieceType.UNUSED) {
                unmerge.put(merged, new String[] {
                    text.substring(start[left], start[left] + length[left]),
                    text.substring(start[right], start[right] + length[right])
                });
            }
        }

        /** Merges (step 3) until no candidate is left. */
        void run() {
            Candidate top;
            while ((top = agenda.poll()) != null) {
                int l = top.left;
                int r = top.right;
                // Stale: one side was merged away, or grew since this candidate was queued.
                if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != top.length) {
                    continue;
                }
                length[l] += length[r];
                length[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                propose(prev[l], l);
                propose(l, next[l]);
            }
        }

        /** The final pieces in order, UNUSED ones split back into what they were merged from (step 4). */
        void emit(List<String> out) {
            for (int s = 0; s >= 0; s = next[s]) {
                resegment(text.substring(start[s], start[s] + length[s]), out);
            }
        }

        private void resegment(String piece, List<String> out) {
            int id = model.pieceToId(piece);
            if (model.type(id) == PieceType.UNUSED) {
                String[] parts = unmerge.get(piece);
                if (parts != null) {
                    resegment(parts[0], out);
                    resegment(parts[1], out);
                    return;
                }
            }
            out.add(piece);
        }
    }
}
