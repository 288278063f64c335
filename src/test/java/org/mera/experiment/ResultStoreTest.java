package org.mera.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultStoreTest {
    static ResultRecord record(String key, double acc) {
        return new ResultRecord(key, "enc", "RTE", 16, 13, "adapter", null, List.of(), "accuracy",
                Map.of("accuracy", acc), Map.of("note", "x"), 5, "2024-01-01T00:00:00Z", "run");
    }

    @Test
    void tornLastLineIsIgnoredOnReadAndCutOnOpen(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("results.jsonl");
        try (ResultStore s = ResultStore.open(file)) {
            s.append(record("a", 0.5));
            s.append(record("b", 0.6));
        }
        long whole = Files.size(file);
        Files.writeString(file, "{\"key\":\"c\",\"encoder\":\"en", StandardOpenOption.APPEND);

        ResultStore.Contents read = ResultStore.read(file);
        assertTrue(read.tornTail());
        assertEquals(List.of("a", "b"), List.copyOf(read.byKey().keySet()));
        assertTrue(Files.size(file) > whole, "reading does not modify the file");

        try (ResultStore s = ResultStore.open(file)) {
            assertTrue(s.repairedTornTail());
            assertEquals(whole, Files.size(file), "torn tail truncated away");
            s.append(record("c", 0.7));
        }
        try (ResultStore s = ResultStore.open(file)) {
            assertFalse(s.repairedTornTail());
            assertEquals(List.of("a", "b", "c"), List.copyOf(s.records().keySet()));
            assertEquals(0.7, s.records().get("c").primary());
        }
    }

    @Test
    void aKeyIsNeverWrittenTwiceAndFirstWinsOnLoad(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("results.jsonl");
        try (ResultStore s = ResultStore.open(file)) {
            s.append(record("a", 0.5));
            assertThrows(IllegalStateException.class, () -> s.append(record("a", 0.9)));
        }
        assertEquals(1, Files.readAllLines(file).size());
        // A hand-edited duplicate: the first line wins.
        String line = Files.readAllLines(file).get(0).replace("0.5", "0.9");
        Files.writeString(file, line + "\n", StandardOpenOption.APPEND);
        try (ResultStore s = ResultStore.open(file)) {
            assertEquals(1, s.duplicatesIgnored());
            assertEquals(0.5, s.records().get("a").primary());
        }
    }

    @Test
    void damagedCompleteLineIsAnErrorNamingFileAndLine(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("results.jsonl");
        try (ResultStore s = ResultStore.open(file)) {
            s.append(record("a", 0.5));
        }
        Files.write(file, "not json\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        try (ResultStore s = ResultStore.open(tmp.resolve("other.jsonl"))) {
            assertTrue(s.records().isEmpty());
        }
        IOException e = assertThrows(IOException.class, () -> ResultStore.open(file));
        assertTrue(e.getMessage().contains("results.jsonl:2"), e.getMessage());
    }

    @Test
    void recordWithoutPrimaryMetricIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ResultRecord("k", "enc", "MRPC", 16,
                13, "adapter", null, List.of(), "f1", Map.of("accuracy", 0.5), Map.of(), 1, "t", "r"));
        assertTrue(e.getMessage().contains("f1"), e.getMessage());
    }
}
