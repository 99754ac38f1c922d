package videollama.model.generate;

import java.util.List;
import java.util.function.Consumer;

/** Accumulates the answer, cuts it at the first stop string, and releases text that cannot start one. */
final class StopStringFilter {
    private final List<String> stops;
    private final Consumer<String> sink;
    private final int holdBack;
    private final StringBuilder text = new StringBuilder();
    private int released;

    StopStringFilter(List<String> stops, Consumer<String> sink) {
        this.stops = stops;
        this.sink = sink;
        this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds text; true when a stop string has appeared (the text is then cut before it). */
    boolean append(String piece) {
        text.append(piece);
        int cut = firstStop();
        if (cut >= 0) {
            text.setLength(cut);
            release(cut);
            return true;
        }
        release(text.length() - holdBack);
        return false;
    }

    void finish() {
        release(text.length());
    }

    String text() {
        return text.toString();
    }

    private int firstStop() {
        int first = -1;
        // Only the tail can hold a new stop string: search from where the last check could have missed one.
        int from = Math.max(0, released - holdBack);
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    private void release(int upTo) {
        if (upTo > text.length()) {
            upTo = text.length();
        }
        // Never split a surrogate pair across two releases.
        if (upTo > released && upTo < text.length() && Character.isHighSurrogate(text.charAt(upTo - 1))) {
            upTo--;
        }
        if (upTo > released) {
            sink.accept(text.substring(released, upTo));
            released = upTo;
        }
    }
}
