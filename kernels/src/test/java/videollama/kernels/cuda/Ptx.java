package videollama.kernels.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the tests read off a PTX file: its ISA version, target, and each entry point's parameter types. */
record Ptx(String version, String target, Map<String, List<String>> entries) {
    private static final Pattern VERSION = Pattern.compile("(?m)^\\.version (\\d+\\.\\d+)$");
    private static final Pattern TARGET = Pattern.compile("(?m)^\\.target (\\S+)$");
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+)");

    static Ptx parse(String text) {
        Matcher v = VERSION.matcher(text);
        Matcher t = TARGET.matcher(text);
        Map<String, List<String>> entries = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(text);
        while (e.find()) {
            List<String> params = new ArrayList<>();
            Matcher p = PARAM.matcher(e.group(2));
            while (p.find()) {
                params.add(p.group(1));
            }
            entries.put(e.group(1), params);
        }
        return new Ptx(v.find() ? v.group(1) : "", t.find() ? t.group(1) : "", entries);
    }

    /** The ISA version as a number to compare, e.g. 78 for 7.8. */
    int versionNumber() {
        String[] parts = version.split("\\.");
        return Integer.parseInt(parts[0]) * 10 + Integer.parseInt(parts[1]);
    }
}
