package org.mera.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.mera.io.AtomicFiles;

/**
 * A generated block inside a hand-written markdown file, fenced by HTML comments so that regenerating it
 * leaves the surrounding prose alone:
 *
 * <pre>
 * &lt;!-- BEGIN mera-bench:matmul-plain --&gt;
 * ...generated...
 * &lt;!-- END mera-bench:matmul-plain --&gt;
 * </pre>
 */
public final class MarkdownSection {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private MarkdownSection() {}

    public static String beginMarker(String sectionId) {
        return "<!-- BEGIN mera-bench:" + checkId(sectionId) + " -->";
    }

    public static String endMarker(String sectionId) {
        return "<!-- END mera-bench:" + checkId(sectionId) + " -->";
    }

    /**
     * Returns {@code document} with the body of section {@code sectionId} replaced by {@code body}, or with the
     * section appended at the end when the document does not have it yet.
     *
     * @throws IllegalArgumentException when the section's markers are unbalanced, duplicated or out of order
     */
    public static String replace(String document, String sectionId, String body) {
        String begin = beginMarker(sectionId);
        String end = endMarker(sectionId);
        String block = begin + "\n" + body.strip() + "\n" + end;
        int b = document.indexOf(begin);
        int e = document.indexOf(end);
        if (b < 0 && e < 0) {
            if (document.isEmpty()) {
                return block + "\n";
            }
            String separator = document.endsWith("\n\n") ? "" : document.endsWith("\n") ? "\n" : "\n\n";
            return document + separator + block + "\n";
        }
        if (b < 0 || e < 0) {
            throw new IllegalArgumentException("section '" + sectionId + "' has "
                    + (b < 0 ? "an END marker but no BEGIN" : "a BEGIN marker but no END"));
        }
        if (e < b) {
            throw new IllegalArgumentException(
                    "section '" + sectionId + "' has its END marker before its BEGIN marker");
        }
        if (document.indexOf(begin, b + 1) >= 0 || document.indexOf(end, e + 1) >= 0) {
            throw new IllegalArgumentException("section '" + sectionId + "' appears more than once");
        }
        return document.substring(0, b) + block + document.substring(e + end.length());
    }

    /** Replaces (or appends) the section in {@code file}, creating the file if needed; written atomically. */
    public static void updateFile(Path file, String sectionId, String body) throws IOException {
        String document = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        String updated;
        try {
            updated = replace(document, sectionId, body);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
        }
        AtomicFiles.writeString(file, updated);
    }

    private static String checkId(String sectionId) {
        if (sectionId == null || !ID.matcher(sectionId).matches()) {
            throw new IllegalArgumentException("section id must match " + ID.pattern() + ", got '" + sectionId + "'");
        }
        return sectionId;
    }
}
