package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NativeHeapTest {
    /** The test JVM runs on glibc without a preloaded allocator, so release() must reach malloc_trim. */
    @Test
    void releaseTrimsGlibcWhenNoOtherAllocatorIsLoaded() {
        String preload = System.getenv("LD_PRELOAD");
        String expected = preload != null && preload.contains("jemalloc") ? "jemalloc" : "glibc";
        assertEquals(expected, NativeHeap.release());
    }
}
