package videollama.model.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Longest-match lookup of USER_DEFINED pieces, bucketed by first char. Immutable. */
final class UserDefinedMatcher {
    private final Map<Character, String[]> byFirst = new HashMap<>();

    UserDefinedMatcher(List<String> pieces) {
        Map<Character, List<String>> lists = new HashMap<>();
        for (String p : pieces) {
            lists.computeIfAbsent(p.charAt(0), c -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<Character, List<String>> e : lists.entrySet()) {
            String[] sorted = e.getValue().toArray(new String[0]);
            Arrays.sort(sorted, Comparator.comparingInt(String::length).reversed());
            byFirst.put(e.getKey(), sorted);
        }
    }

    /** Length in chars of the longest USER_DEFINED piece at text[i...], or 0. */
    int match(String text, int i) {
        String[] candidates = byFirst.get(text.charAt(i));
        if (candidates != null) {
            for (String c : candidates) {
                if (text.startsWith(c, i)) {
                    return c.length();
                }
            }
        }
        return 0;
    }
}
