package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Written whole, with no temporary file left, and readable by others (a report is meant to be shared). */
class AtomicFilesTest {
    @Test
    void writesWholeAndReadableByOthers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/report.md");
        AtomicFiles.writeString(f, "hello");
        assertEquals("hello", Files.readString(f));
        try (var files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList(), "no temporary file left");
        }
        Assumptions.assumeTrue(Files.getFileAttributeView(f, PosixFileAttributeView.class) != null, "POSIX only");
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(f);
        assertTrue(
                p.contains(PosixFilePermission.OTHERS_READ) && p.contains(PosixFilePermission.GROUP_READ),
                "not owner-only like Java's temporary files: " + p);
    }
}
