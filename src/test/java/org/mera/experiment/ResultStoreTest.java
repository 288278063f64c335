package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultStoreTest {
    static ResultRecord record(String key, double acc) {
        return new ResultRecord(
                key,
                "enc",
                "RTE",
                16,
                13,
                "adapter",
                null,
                List.of(),
                "accuracy",
                Map.of("accuracy", acc),
                Map.of("note", "x"),
                5,
                "2024-01-01T00:00:00Z",
                "run");
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
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ResultRecord(
                        "k",
                        "enc",
                        "MRPC",
                        16,
                        13,
                        "adapter",
                        null,
                        List.of(),
                        "f1",
                        Map.of("accuracy", 0.5),
                        Map.of(),
                        1,
                        "t",
                        "r"));
        assertTrue(e.getMessage().contains("f1"), e.getMessage());
    }

    /**
     * Found by ReaderFuzzTest: a line that is JSON but not a usable record (a metric of 1e309 or null, k missing or 0, a
     * field cut away) used to be read as k=0 or an infinite metric and averaged into reports; it is refused by line.
     */
    @Test
    void aLineThatParsesButIsDamagedIsRefusedByLine(@TempDir Path tmp) throws Exception {
        String good =
                "{\"key\":\"a1\",\"encoder\":\"minilm\",\"task\":\"MRPC\",\"k\":16,\"seed\":13,\"method\":\"adapter\","
                        + "\"source\":null,\"sources\":[],\"primaryMetric\":\"f1\",\"metrics\":{\"f1\":0.72,\"accuracy\":0.62},\"extra\":{},"
                        + "\"durationMs\":5,\"finishedAt\":\"2026-11-27T20:04:21Z\",\"runId\":\"r\"}";
        Path file = tmp.resolve("results.jsonl");
        Files.writeString(file, good + "\n");
        assertEquals(1, ResultStore.read(file).byKey().size());
        for (String[] damage : new String[][] {
            {"\"f1\":0.72", "\"f1\":1e309", "metric 'f1' is Infinity"},
            {"\"f1\":0.72", "\"f1\":null", "metric 'f1' is null"},
            {"\"k\":16,", "", "field 'k' is missing"},
            {"\"k\":16", "\"k\":0", "k 0 and seed 13 must be whole numbers, k > 0"},
            {"\"task\":\"MRPC\",", "", "field 'task' is missing"}
        }) {
            Files.writeString(file, good + "\n" + good.replace("a1", "a2").replace(damage[0], damage[1]) + "\n");
            IOException e = assertThrows(IOException.class, () -> ResultStore.read(file), damage[1]);
            assertTrue(e.getMessage().startsWith(file + ":2: not a result record (" + damage[2]), e.getMessage());
        }
    }
}
