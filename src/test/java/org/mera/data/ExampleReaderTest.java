package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted and hand-made inputs written to a temporary directory. */
class ExampleReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private static void assertError(ExampleFileException e, Path file, int line, String fragment) {
        assertEquals(file, e.file());
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void tsvSplitsOnTabsOnlyAndKeepsQuotes() throws IOException {
        Path f = write(
                "rte.tsv",
                "index\tsentence1\tsentence2\tlabel\r\n"
                        + "0\tHe said \"yes, really\tno\" it is.\tentailment\r\n\r\n"
                        + "1\ta\tb\tnot_entailment");
        assertEquals(
                List.of(
                        new Example("He said \"yes, really", "no\" it is.", "entailment"),
                        new Example("a", "b", "not_entailment")),
                ExampleReader.read(f, GlueTasks.RTE));
    }

    @Test
    void mrpcHeaderWithByteOrderMark() throws IOException {
        Path f = write("mrpc.tsv", "\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tA .\tB .\n");
        assertEquals(List.of(new Example("A .", "B .", "1")), ExampleReader.read(f, GlueTasks.MRPC));
    }

    @Test
    void missingColumnNamesFileLineAndHeader() throws IOException {
        Path f = write("sst.tsv", "sentence\tscore\ngood .\t1\n");
        ExampleFileException e = assertThrows(ExampleFileException.class, () -> ExampleReader.read(f, GlueTasks.SST2));
        assertError(e, f, 1, "missing column 'label'");
    }

    @Test
    void shortRowNamesTheColumn() throws IOException {
        Path f = write("rte.tsv", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\n");
        ExampleFileException e = assertThrows(ExampleFileException.class, () -> ExampleReader.read(f, GlueTasks.RTE));
        assertError(e, f, 3, "column 'label'");
    }

    @Test
    void unknownLabelIsCheckedAgainstTheTask() throws IOException {
        Path f = write("cola.tsv", "gj04\t1\t\tFine.\ngj04\t2\t*\tBad.\n");
        ExampleFileException e = assertThrows(ExampleFileException.class, () -> ExampleReader.read(f, GlueTasks.COLA));
        assertError(e, f, 2, "unknown label '2' for task CoLA");
        Path g = write("rte.tsv", "index\tsentence1\tsentence2\tlabel\n0\tHe said \"x\ty\"\tz\tentailment\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(g, GlueTasks.RTE)),
                g,
                2,
                "unknown label 'z'");
    }

    @Test
    void regressionLabelMustBeANumber() throws IOException {
        Path f = write(
                "stsb.jsonl",
                "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": \"3.800\"}\n"
                        + "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": 4}\n"
                        + "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": \"high\"}\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(f, GlueTasks.STSB)),
                f,
                3,
                "not a number");
        Path ok = write(
                "ok.jsonl",
                "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": \"3.800\"}\n"
                        + "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": 4}\n");
        assertEquals(
                List.of(new Example("a", "b", "3.800"), new Example("a", "b", "4")),
                ExampleReader.read(ok, GlueTasks.STSB));
    }

    @Test
    void emptyFilesAreErrors() throws IOException {
        Path tsv = write("empty.tsv", "");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(tsv, GlueTasks.COLA)),
                tsv,
                0,
                "no examples");
        Path headerOnly = write("h.tsv", "sentence\tlabel\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(headerOnly, GlueTasks.SST2)),
                headerOnly,
                0,
                "no examples");
        Path jsonl = write("empty.jsonl", "\n\n");
        assertError(
                assertThrows(
                        ExampleFileException.class,
                        () -> ExampleReader.readJsonl(jsonl, GlueTasks.SST2, Columns.DEFAULT)),
                jsonl,
                0,
                "no examples");
    }

    @Test
    void badJsonAndMissingFields() throws IOException {
        Path f = write("bad.jsonl", "{\"text_a\": \"a\", \"label\": \"1\"}\n{\"text_a\": \"b\", \"label\": \n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(f, GlueTasks.SST2)),
                f,
                2,
                "bad JSON");
        Path arr = write("arr.jsonl", "[1, 2]\n");
        assertError(
                assertThrows(
                        ExampleFileException.class,
                        () -> ExampleReader.readJsonl(arr, GlueTasks.SST2, Columns.DEFAULT)),
                arr,
                1,
                "JSON object");
        Path noB = write(
                "nob.jsonl",
                "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": \"entailment\"}\n"
                        + "{\"text_a\": \"a\", \"label\": \"entailment\"}\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(noB, GlueTasks.RTE)),
                noB,
                2,
                "missing field 'text_b'");
    }

    @Test
    void jsonlWithCustomFieldsAndUnlabelled() throws IOException {
        Path f = write("x.jsonl", "{\"q\": \"a?\", \"s\": \"b.\", \"y\": \"not_entailment\", \"extra\": [1]}\n");
        assertEquals(
                List.of(new Example("a?", "b.", "not_entailment")),
                ExampleReader.readJsonl(f, GlueTasks.QNLI, Columns.named("q", "s", "y")));
        assertEquals(
                List.of(new Example("a?", "b.", null)),
                ExampleReader.readJsonl(f, GlueTasks.QNLI, Columns.named("q", "s", null)));
        Path premise = write("p.jsonl", "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"neutral\"}\n");
        assertEquals(List.of(new Example("p", "h", "neutral")), ExampleReader.read(premise, GlueTasks.MNLI));
        Path other = write("o.jsonl", "{\"sentence\": \"p\", \"label\": \"1\"}\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(other, GlueTasks.SST2)),
                other,
                1,
                "neither 'text_a' nor 'premise'");
    }

    @Test
    void csvFollowsRfc4180() throws IOException {
        Path f = write(
                "x.csv",
                "label,text_a,text_b\r\n"
                        + "1,\"Hello, \"\"world\"\"\",plain\r\n"
                        + "0,\"two\nlines\",\"\"\r\n"
                        + "1,last,row");
        assertEquals(
                List.of(
                        new Example("Hello, \"world\"", "plain", "1"),
                        new Example("two\nlines", "", "0"),
                        new Example("last", "row", "1")),
                ExampleReader.read(f, GlueTasks.MRPC));
        Path bad = write("bad.csv", "text_a,label\ngood,1\n\"multi\nline\",7\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(bad, GlueTasks.SST2)),
                bad,
                3,
                "unknown label '7'");
        Path open = write("open.csv", "text_a,label\n\"never closed,1\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(open, GlueTasks.SST2)),
                open,
                2,
                "never closed");
        Path stray = write("stray.csv", "text_a,label\n\"a\"b,1\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(stray, GlueTasks.SST2)),
                stray,
                2,
                "after a closing quote");
        // an unquoted comma in a text: refused at its row, not read as a label that fails in another file
        Path comma = write("comma.csv", "text_a,label\nFine.,1\nGood food, great staff.,1\n");
        assertError(
                assertThrows(ExampleFileException.class, () -> ExampleReader.read(comma, GlueTasks.SST2)),
                comma,
                3,
                "row has 3 fields but the header on line 1 names 2; a text holding a comma must be quoted");
        Path trailing = write("trailing.csv", "text_a,label\nFine.,1,\n");
        assertEquals(
                List.of(new Example("Fine.", null, "1")),
                ExampleReader.read(trailing, GlueTasks.SST2),
                "a spreadsheet's trailing empty field is no text");
        Path cols = write("cols.csv", "sentence,y\nok,1\n");
        assertEquals(
                List.of(new Example("ok", null, "1")),
                ExampleReader.readCsv(cols, GlueTasks.SST2, Columns.named("sentence", null, "y")));
    }

    @Test
    void pairTaskNeedsSecondTextColumn() throws IOException {
        Path f = write("x.jsonl", "{\"text_a\": \"a\", \"label\": \"1\"}\n");
        assertThrows(
                ExampleFileException.class,
                () -> ExampleReader.readJsonl(f, GlueTasks.MRPC, Columns.named("text_a", null, "label")));
    }

    @Test
    void jsonlLayoutOfTheWordNetSuite() throws IOException {
        Task task = new Task("WN-Syn", true, List.of("no", "yes"), "accuracy", "lexical");
        String row = "{\"text_a\": \"dog\", \"text_b\": \"hound\", \"label\": \"yes\"}\n"
                + "{\"text_a\": \"dog\", \"text_b\": \"cat\", \"label\": \"no\"}\n";
        write("WN-Syn/k-shot/16-13/train.jsonl", row);
        write("WN-Syn/k-shot/16-13/dev.jsonl", row + row);
        write("WN-Syn/test.jsonl", row);
        write("WN-Syn/pool/train.jsonl", row + row + row);
        write("WN-Syn/pool/dev.jsonl", row);
        TaskDirectory data = TaskDirectory.under(dir, task);
        assertEquals(2, data.kshotTrain(16, 13).size());
        assertEquals(4, data.kshotDev(16, 13).size());
        assertEquals(2, data.test().size());
        assertEquals("test.jsonl", data.testFile().getFileName().toString());
        assertEquals(6, data.poolTrain().size());
        assertEquals(2, data.poolDev().size());
        assertEquals(List.of(13), data.kshotSeeds(16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.kshotTrain(16, 42));
        assertTrue(e.getMessage().contains("[13]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskDirectory.under(dir, GlueTasks.RTE));
    }
}
