package org.mera.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.io.Json;

/**
 * Append-only JSONL of finished cells, one per line, each written with one write call followed by fsync,
 * so a killed process leaves at worst a torn last line. Opening for writing cuts a torn last line away
 * (it belonged to a cell that is then simply run again). A key is never written twice; if a file holds a
 * key twice anyway (edited by hand), the first line wins. One writer at a time ({@link ExperimentRunner}
 * holds a lock on the output folder).
 */
public final class ResultStore implements Closeable {
    private static final ObjectMapper LINES = Json.LENIENT;

    /** What was found in a results file. */
    public record Contents(Map<String, ResultRecord> byKey, long validBytes, boolean tornTail, int duplicatesIgnored) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, ResultRecord> byKey;
    private final boolean repairedTornTail;
    private final int duplicatesIgnored;
    private long size;
    private boolean broken;

    private ResultStore(Path file, FileChannel channel, Contents contents, boolean repaired) {
        this.file = file;
        this.channel = channel;
        this.byKey = new LinkedHashMap<>(contents.byKey());
        this.size = contents.validBytes();
        this.repairedTornTail = repaired;
        this.duplicatesIgnored = contents.duplicatesIgnored();
    }

    /** Opens (creating if needed) for appending; a torn last line is truncated away on disk. */
    public static ResultStore open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Contents contents = parse(file, Files.readAllBytes(file));
            boolean repaired = false;
            if (contents.tornTail()) {
                ch.truncate(contents.validBytes());
                ch.force(true);
                repaired = true;
            }
            ch.position(contents.validBytes());
            return new ResultStore(file, ch, contents, repaired);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Reads without changing the file (a torn last line is ignored, not cut); an absent file reads as empty. */
    public static Contents read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Contents(Map.of(), 0, false, 0);
        }
        return parse(file, Files.readAllBytes(file));
    }

    static Contents parse(Path file, byte[] bytes) throws IOException {
        Map<String, ResultRecord> byKey = new LinkedHashMap<>();
        int duplicates = 0;
        int start = 0;
        int lineNumber = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            if (end < 0) {
                // No newline: the write of this line was cut short. Everything before it is intact.
                return new Contents(Collections.unmodifiableMap(byKey), start, true, duplicates);
            }
            lineNumber++;
            String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            start = end + 1;
            if (line.isBlank()) {
                continue;
            }
            ResultRecord r;
            String damage;
            try {
                com.fasterxml.jackson.databind.JsonNode tree = LINES.readTree(line);
                damage = damage(tree);
                r = damage == null ? LINES.treeToValue(tree, ResultRecord.class) : null;
            } catch (IOException | RuntimeException e) {
                damage = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                r = null;
            }
            if (r == null) {
                throw new IOException(file + ":" + lineNumber + ": not a result record (" + damage
                        + "); a complete line can only be damaged by editing, so fix or remove it by hand");
            }
            if (byKey.putIfAbsent(r.key(), r) != null) {
                duplicates++;
            }
        }
        return new Contents(Collections.unmodifiableMap(byKey), bytes.length, false, duplicates);
    }

    private static final List<String> REQUIRED =
            List.of("key", "encoder", "task", "k", "seed", "method", "primaryMetric", "metrics");

    /**
     * What makes a parsed line unusable although it is JSON: a field the runner always writes missing or null, a k that
     * is not positive, a metric that is not a finite number (mera's metrics never are NaN; a report would average it in).
     * Null when the line is intact.
     */
    private static String damage(com.fasterxml.jackson.databind.JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            return "not a JSON object";
        }
        for (String field : REQUIRED) {
            if (!tree.hasNonNull(field)) {
                return "field '" + field + "' is missing";
            }
        }
        if (!tree.get("k").isIntegralNumber()
                || tree.get("k").asLong() <= 0
                || !tree.get("seed").isIntegralNumber()) {
            return "k " + tree.get("k") + " and seed " + tree.get("seed") + " must be whole numbers, k > 0";
        }
        if (!tree.get("metrics").isObject()) {
            return "metrics is not an object";
        }
        for (var it = tree.get("metrics").properties().iterator(); it.hasNext(); ) {
            var m = it.next();
            if (!m.getValue().isNumber() || !Double.isFinite(m.getValue().doubleValue())) {
                return "metric '" + m.getKey() + "' is "
                        + (m.getValue().isNumber()
                                ? String.valueOf(m.getValue().doubleValue())
                                : m.getValue().toString())
                        + ", not a finite number";
            }
        }
        return null;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    public Path file() {
        return file;
    }

    public boolean contains(String key) {
        return byKey.containsKey(key);
    }

    /** Finished cells in file order (first occurrence of each key). */
    public Map<String, ResultRecord> records() {
        return Collections.unmodifiableMap(byKey);
    }

    public boolean repairedTornTail() {
        return repairedTornTail;
    }

    public int duplicatesIgnored() {
        return duplicatesIgnored;
    }

    /** Appends one record durably (write + fsync) before returning. A key already stored is refused. */
    public synchronized void append(ResultRecord record) throws IOException {
        if (broken) {
            throw new IOException("results file " + file + " is unusable after an earlier failed write; reopen it");
        }
        if (byKey.containsKey(record.key())) {
            throw new IllegalStateException(
                    "cell " + record.key() + " is already in " + file + "; results are never written twice");
        }
        byte[] line = (LINES.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        if (indexOf(line, (byte) '\n', 0) != line.length - 1) {
            throw new IllegalStateException("a result line must not contain a newline: " + record.key());
        }
        ByteBuffer buf = ByteBuffer.wrap(line);
        try {
            while (buf.hasRemaining()) {
                channel.write(buf, size + buf.position());
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Cut a partial line away so the next line cannot be glued onto it.
            broken = true;
            try {
                channel.truncate(size);
            } catch (IOException t) {
                e.addSuppressed(t);
            }
            throw e;
        }
        size += line.length;
        byKey.put(record.key(), record);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** All records as a list, in file order. */
    public List<ResultRecord> list() {
        return new ArrayList<>(byKey.values());
    }
}
