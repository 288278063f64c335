package org.mera.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Claims an output (a directory, or a single file) for one mera process, like {@code experiment}'s folder lock:
 * an OS file lock on {@code DIR/.mera.lock} or {@code FILE.lock}, taken before any work, so that a second
 * {@code train}/{@code fewshot}/{@code merge} into the same place is refused at once instead of silently
 * replacing the first one's result, and an unwritable place fails before training rather than after it (taking
 * the lock creates the folder and a file in it). The lock file is removed on {@link #close()}; a process killed
 * with kill -9 leaves it behind unlocked, and the next claim simply takes it.
 */
public final class OutputLock implements AutoCloseable {
    /** The name of the lock file inside a claimed directory (commands ignore it when checking emptiness). */
    public static final String DIRECTORY_LOCK = ".mera.lock";

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    /** A directory this lock created: removed again on close if nothing was written into it (a failed run). */
    private Path created;

    private OutputLock(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** Claims directory {@code dir} (created if absent). */
    public static OutputLock directory(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is a file, not a directory; give a directory for the output");
        }
        boolean existed = Files.isDirectory(dir);
        Files.createDirectories(dir);
        OutputLock l = claim(dir.resolve(DIRECTORY_LOCK), dir);
        l.created = existed ? null : dir;
        return l;
    }

    /** Claims output file {@code file} (its folder is created if absent); the file itself is not touched. */
    public static OutputLock file(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory; give a file name for the output");
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new java.nio.file.AccessDeniedException(file.toString(), null, "the output file is not writable");
        }
        return claim(parent.resolve(file.getFileName() + ".lock"), file);
    }

    private static OutputLock claim(Path lockFile, Path what) throws IOException {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            ch.close();
            throw new IOException("another mera process is already writing to " + what + " (it holds " + lockFile
                    + "); wait for it to finish or choose another output");
        }
        return new OutputLock(lockFile, ch, l);
    }

    @Override
    public void close() throws IOException {
        try (channel;
                lock) {
            Files.deleteIfExists(lockFile);
        }
        if (created != null) {
            try (var entries = Files.list(created)) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(created);
                }
            }
        }
    }
}
