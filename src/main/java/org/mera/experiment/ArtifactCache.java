package org.mera.experiment;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;

/**
 * A folder per key for expensive products shared between cells (trained source adapters, merged
 * adapters). An entry is built in a temporary sibling folder, its files fsynced, then renamed into place,
 * so an entry either exists complete or not at all; a build killed halfway leaves only a temporary folder,
 * removed once its process is gone. One build per key at a time, across threads and across processes sharing the
 * folder (two parts of a split grid): a second builder waits for the first and then finds the entry built.
 */
public final class ArtifactCache {
    /** Builds an artifact's files inside {@code dir} (an empty folder). */
    @FunctionalInterface
    public interface Builder {
        void build(Path dir) throws Exception;
    }

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final String TMP_PREFIX = ".tmp-";
    private static final String LOCK_SUFFIX = ".lock";

    private final Path root;
    /** One monitor per entry folder in this JVM: file locks exclude other processes only, not other threads. */
    private static final ConcurrentHashMap<Path, Object> KEY_LOCKS = new ConcurrentHashMap<>();

    /** The folder is created with the first artifact (a dry run that builds none leaves no trace). */
    public ArtifactCache(Path root) throws IOException {
        this.root = root;
        if (Files.isDirectory(root)) {
            removeAbandonedBuilds();
        }
    }

    public Path root() {
        return root;
    }

    /** A key for an artifact: hash of its identity (anything Jackson can write; map keys sorted). */
    public static String key(String kind, Object identity) {
        return kind + "-" + Json.hash(identity).substring(0, 32);
    }

    /**
     * A file beside the entry where its build keeps state that outlives the process (a training checkpoint, so that a
     * killed build resumes where it was); it survives failed and killed builds and is deleted once the entry is built.
     */
    public Path resumeFile(String key) {
        return root.resolve("." + checkKey(key) + RESUME_SUFFIX);
    }

    private static final String RESUME_SUFFIX = ".resume";

    public Optional<Path> get(String key) {
        Path dir = root.resolve(checkKey(key));
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** The artifact's folder, building it first if absent. A failed build leaves nothing behind. */
    public Path getOrCreate(String key, Builder builder) throws IOException {
        Path target = root.resolve(checkKey(key));
        synchronized (KEY_LOCKS.computeIfAbsent(target.toAbsolutePath().normalize(), k -> new Object())) {
            if (Files.isDirectory(target)) {
                // a process killed between the entry's rename and this file's deletion left it; it is of no more use
                Files.deleteIfExists(resumeFile(key));
                return target;
            }
            Files.createDirectories(root);
            // Another process building the same entry (a bert-base source adapter is an hour of CPU) is waited
            // for rather than duplicated; the OS releases its lock if it dies.
            Path lockFile = root.resolve("." + key + LOCK_SUFFIX);
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lock(channel, key)) {
                try {
                    if (Files.isDirectory(target)) {
                        return target;
                    }
                    return build(target, key, builder);
                } finally {
                    // Safe only once the entry exists: whoever locks this file next checks for the entry first.
                    // After a failed build the (empty) file stays until a build succeeds.
                    if (Files.isDirectory(target)) {
                        Files.deleteIfExists(resumeFile(key));
                        Files.deleteIfExists(lockFile);
                    }
                }
            }
        }
    }

    /**
     * Waits for the file lock, saying so when another process holds it. Where the file system has no locks (some
     * network mounts) it goes on without one, after a warning: the atomic rename keeps the entry whole, at the cost
     * of a build that may be done twice.
     */
    private FileLock lock(FileChannel channel, String key) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            System.err.println("mera: no file locks in " + root + " (" + e.getMessage()
                    + "); another process may build " + key + " at the same time");
            return null;
        }
        if (lock != null) {
            return lock;
        }
        System.err.println("mera: waiting for another process that is building " + key + " in " + root);
        return channel.lock();
    }

    private Path build(Path target, String key, Builder builder) throws IOException {
        Path tmp = Files.createDirectory(
                root.resolve(TMP_PREFIX + key + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        try {
            builder.build(tmp);
            syncTree(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
                // Another process finished the same artifact first; its copy is as good as ours.
                AtomicFiles.deleteTree(tmp);
            }
            syncDir(root);
            return target;
        } catch (Exception e) {
            try {
                AtomicFiles.deleteTree(tmp);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("building artifact " + key + " failed: " + e.getMessage(), e);
        }
    }

    private static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("artifact key '" + key + "' must match " + KEY.pattern());
        }
        return key;
    }

    /**
     * Temporary files of a resume file's atomic write ({@code .<key>.resume.<random>.tmp}) that a kill mid-write left:
     * a write takes well under a second, so one untouched for this long belongs to no live process.
     */
    static final java.time.Duration ABANDONED_WRITE = java.time.Duration.ofMinutes(10);

    private void removeAbandonedBuilds() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, ".*" + RESUME_SUFFIX + ".*.tmp")) {
            java.nio.file.attribute.FileTime cutoff = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(ABANDONED_WRITE));
            for (Path p : entries) {
                if (Files.getLastModifiedTime(p).compareTo(cutoff) < 0) {
                    Files.deleteIfExists(p);
                }
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, TMP_PREFIX + "*")) {
            for (Path p : entries) {
                String[] parts = p.getFileName().toString().split("-");
                long pid;
                try {
                    pid = Long.parseLong(parts[parts.length - 2]);
                } catch (RuntimeException e) {
                    continue; // not one of ours
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                AtomicFiles.deleteTree(p);
            }
        }
    }

    private static void syncTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                } else if (Files.isDirectory(p)) {
                    syncDir(p);
                }
            }
        }
    }

    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a folder; the rename itself is still atomic there.
        }
    }
}
