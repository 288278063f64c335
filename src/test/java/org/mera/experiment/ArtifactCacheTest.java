package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCacheTest {
    @Test
    void buildsOnceAndReusesTheFolder(@TempDir Path tmp) throws IOException {
        ArtifactCache cache = new ArtifactCache(tmp.resolve("cache"));
        AtomicInteger builds = new AtomicInteger();
        String key = ArtifactCache.key("source-adapter", Map.of("task", "MNLI", "lr", 1e-4));
        Path first = cache.getOrCreate(key, dir -> {
            builds.incrementAndGet();
            Files.writeString(dir.resolve("adapter.txt"), "weights");
        });
        Path second = cache.getOrCreate(key, dir -> builds.incrementAndGet());
        assertEquals(first, second);
        assertEquals(1, builds.get());
        assertEquals("weights", Files.readString(second.resolve("adapter.txt")));
        assertEquals(
                key, ArtifactCache.key("source-adapter", Map.of("lr", 1e-4, "task", "MNLI")), "key ignores map order");
        assertNotEquals(key, ArtifactCache.key("source-adapter", Map.of("task", "QNLI", "lr", 1e-4)));
    }

    @Test
    void failedBuildLeavesNothingAndCanBeRetried(@TempDir Path tmp) throws IOException {
        ArtifactCache cache = new ArtifactCache(tmp.resolve("cache"));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> cache.getOrCreate("merged-x", dir -> {
                    Files.writeString(dir.resolve("half.bin"), "partial");
                    throw new IllegalStateException("out of memory, say");
                }));
        assertEquals("out of memory, say", e.getMessage());
        assertFalse(cache.get("merged-x").isPresent());
        try (var entries = Files.list(cache.root())) {
            assertEquals(
                    List.of(),
                    entries.filter(p -> !p.getFileName().toString().endsWith(".lock"))
                            .toList(),
                    "no temporary folder left behind");
        }
        Path ok = cache.getOrCreate("merged-x", dir -> Files.writeString(dir.resolve("full.bin"), "done"));
        assertTrue(Files.exists(ok.resolve("full.bin")));
        try (var entries = Files.list(cache.root())) {
            assertEquals(List.of(ok), entries.toList(), "a successful build removes the lock file");
        }
    }

    @Test
    void theResumeFileOutlivesAFailedBuildAndGoesWithTheEntry(@TempDir Path tmp) throws IOException {
        ArtifactCache cache = new ArtifactCache(tmp.resolve("cache"));
        Path resume = cache.resumeFile("source-adapter-x");
        assertThrows(
                IllegalStateException.class,
                () -> cache.getOrCreate("source-adapter-x", dir -> {
                    Files.writeString(resume, "state at step 300");
                    throw new IllegalStateException("killed");
                }));
        assertEquals("state at step 300", Files.readString(resume), "kept for the next build to resume from");
        new ArtifactCache(tmp.resolve("cache")); // a new process's cleaning of abandoned builds keeps it too
        assertTrue(Files.exists(resume));
        Path ok = cache.getOrCreate("source-adapter-x", dir -> {
            assertEquals("state at step 300", Files.readString(resume));
            Files.writeString(dir.resolve("adapter.bin"), "done");
        });
        assertFalse(Files.exists(resume), "deleted once the entry is built");
        // a resume file's temporary write left by a kill: removed by the next process once it is old, kept while fresh
        Path stale = cache.root().resolve(".source-adapter-y.resume.123.tmp");
        Path fresh = cache.root().resolve(".source-adapter-z.resume.456.tmp");
        Files.writeString(stale, "half");
        Files.writeString(fresh, "being written");
        Files.setLastModifiedTime(
                stale,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now()
                        .minus(ArtifactCache.ABANDONED_WRITE)
                        .minusSeconds(60)));
        new ArtifactCache(tmp.resolve("cache"));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
        Files.delete(fresh);
        try (var entries = Files.list(cache.root())) {
            assertEquals(List.of(ok), entries.toList());
        }
    }

    @Test
    void abandonedBuildOfADeadProcessIsRemoved(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cache"));
        Process dead = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        dead.waitFor();
        Path abandoned = Files.createDirectories(root.resolve(".tmp-key-" + dead.pid() + "-123"));
        Files.writeString(abandoned.resolve("half.bin"), "x");
        Path ours = Files.createDirectories(
                root.resolve(".tmp-key-" + ProcessHandle.current().pid() + "-456"));
        new ArtifactCache(root);
        assertFalse(Files.exists(abandoned));
        assertTrue(Files.exists(ours), "a live process's build is left alone");
    }

    @Test
    void anEntryAnotherProcessIsBuildingIsWaitedForNotBuiltTwice(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cache"));
        String key = "source-adapter-shared";
        Process other = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolder.class.getName(),
                        root.resolve("." + key + ".lock").toString(),
                        root.resolve(key).toString())
                .redirectErrorStream(true)
                .start();
        try (var out = new java.io.BufferedReader(
                new java.io.InputStreamReader(other.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            assertEquals("locked", out.readLine(), "the other process holds the lock");
            AtomicInteger builds = new AtomicInteger();
            Path entry = new ArtifactCache(root).getOrCreate(key, dir -> builds.incrementAndGet());
            assertEquals(0, builds.get(), "built once, by the process that held the lock");
            assertEquals("built by the other process", Files.readString(entry.resolve("adapter.txt")));
        } finally {
            other.waitFor();
        }
        assertEquals(0, other.exitValue());
    }

    /** Run as its own process: locks an entry's lock file, builds the entry slowly, then releases the lock. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (var channel = java.nio.channels.FileChannel.open(
                            Path.of(args[0]),
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.WRITE);
                    var lock = channel.lock()) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(1500);
                Path entry = Files.createDirectories(Path.of(args[1]));
                Files.writeString(entry.resolve("adapter.txt"), "built by the other process");
            }
        }
    }

    @Test
    void rejectsKeysThatAreNotPlainNames(@TempDir Path tmp) throws IOException {
        ArtifactCache cache = new ArtifactCache(tmp);
        assertThrows(IllegalArgumentException.class, () -> cache.getOrCreate("../escape", dir -> {}));
        assertThrows(IllegalArgumentException.class, () -> cache.getOrCreate(".hidden", dir -> {}));
    }
}
