package org.mera;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** File helpers shared by tests. */
public final class TestFiles {
    private TestFiles() {}

    /** Copies the folder {@code from} (files and subfolders) to {@code to}, which must not exist yet; returns {@code to}. */
    public static Path copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
        return to;
    }
}
