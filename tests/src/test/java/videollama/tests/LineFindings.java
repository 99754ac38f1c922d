package videollama.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What a text check finds in each line of a file, as "file:line: finding" (the form a failure message lists). */
final class LineFindings {
    private LineFindings() {}

    static List<String> of(String file, String text, Function<String, List<String>> check) {
        List<String> findings = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String finding : check.apply(lines[i])) {
                findings.add(file + ":" + (i + 1) + ": " + finding);
            }
        }
        return findings;
    }

    /** The first column of each finding ("file:line"), for asserting which lines a planted text is found at. */
    static List<String> places(List<String> findings) {
        return findings.stream().map(f -> f.substring(0, f.indexOf(": "))).toList();
    }
}
