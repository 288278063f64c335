package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeHeapTest {
    /** The test JVM runs on glibc without a preloaded allocator, so release() must reach malloc_trim. */
    @Test
    void releaseTrimsGlibcWhenNoOtherAllocatorIsLoaded() {
        String preload = System.getenv("LD_PRELOAD");
        String expected = preload != null && preload.contains("jemalloc") ? "jemalloc" : "glibc";
        assertEquals(expected, NativeHeap.release());
    }

    @Test
    void periodicPurgeRunsAsOneDaemonThread() {
        NativeHeap.purgeEvery(1);
        NativeHeap.purgeEvery(1);
        long purgers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("mera-native-heap-purge"))
                .peek(t -> assertTrue(t.isDaemon() && t.isAlive(), "a live daemon thread"))
                .count();
        assertEquals(1, purgers, "started once per process");
    }
}
