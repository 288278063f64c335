package org.mera.io;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean": the known name nearest to a misspelt one, for errors about unknown keys and options. */
public final class NearestName {
    private NearestName() {}

    /**
     * The known name with the smallest edit distance (case-insensitive) to {@code name}, if within half the
     * name's length (at least 2 edits); null when nothing is close.
     */
    public static String of(String name, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String a = name.toLowerCase(Locale.ROOT);
        for (String k : known) {
            int d = distance(a, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 2) ? best : null;
    }

    /** " (did you mean 'x'?)" or "" when no known name is close. */
    public static String hint(String name, Collection<String> known) {
        String n = of(name, known);
        return n == null ? "" : " (did you mean '" + n + "'?)";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
