package org.mera.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Hands the native allocator's free memory back to the operating system. libtorch's tensors live in the native
 * heap, and an allocator that keeps freed pages (jemalloc with decay off, which the fast path sets: it saves the page
 * faults of re-mapping them within a run) would otherwise carry every peak into everything after it: a benchmark
 * row's peak RSS into the next row's, and each grid cell's into the rest of a grid that runs for days (a minilm
 * grid process held 7.6 GB resident for 0.6 GB live, and one was killed for memory at 18 GB).
 */
public final class NativeHeap {
    /** jemalloc's MALLCTL_ARENAS_ALL: "arena.4096.purge" purges every arena. */
    private static final String JEMALLOC_PURGE_ALL = "arena.4096.purge";

    /** How often {@link #purgeEvery} hands free pages back, unless {@code mera.heapPurgeSeconds} says otherwise. */
    public static final long DEFAULT_PURGE_SECONDS = 30;

    private static Thread purger;

    private NativeHeap() {}

    /**
     * Starts (once per process) a daemon thread that calls {@link #release} every {@code seconds}: within one grid
     * cell of varying batch shapes, jemalloc with decay off kept 6.6 GB resident for 0.87 GB live on minilm, and a
     * bert-base process reached 16 GB in its second cell (a 24 GB machine). A purge every half minute bounds that
     * at the cost of re-faulting the working set once per period. 0 or less: no thread. If a purge fails, the thread
     * says so on stderr and stops (the process goes on, unpurged).
     */
    public static synchronized void purgeEvery(long seconds) {
        if (purger != null || seconds <= 0) {
            return;
        }
        purger = new Thread(
                () -> {
                    try {
                        while (true) {
                            Thread.sleep(seconds * 1000);
                            release();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        System.err.println("mera: periodic native-heap purge stopped: " + e.getMessage());
                    }
                },
                "mera-native-heap-purge");
        purger.setDaemon(true);
        purger.start();
    }

    /**
     * Purges jemalloc's arenas when jemalloc is the process's allocator (preloaded by the fast path), else asks
     * glibc to trim its heaps ({@code malloc_trim(0)}). Returns which was done: "jemalloc", "glibc" or "none".
     */
    public static String release() {
        NativeLibrary process = NativeLibrary.getProcess();
        Function mallctl = find(process, "mallctl");
        if (mallctl != null) {
            int rc = mallctl.invokeInt(new Object[] {JEMALLOC_PURGE_ALL, Pointer.NULL, Pointer.NULL, Pointer.NULL, 0L});
            if (rc != 0) {
                throw new IllegalStateException("jemalloc mallctl(\"" + JEMALLOC_PURGE_ALL + "\") failed with " + rc);
            }
            return "jemalloc";
        }
        Function trim = find(process, "malloc_trim");
        if (trim != null) {
            trim.invokeInt(new Object[] {0L});
            return "glibc";
        }
        return "none";
    }

    private static Function find(NativeLibrary library, String symbol) {
        try {
            return library.getFunction(symbol);
        } catch (UnsatisfiedLinkError e) {
            return null; // not this allocator: the caller tries the next
        }
    }
}
