package org.bayling.model;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The C allocator libtorch's CPU tensors come from. glibc keeps freed blocks below its mmap threshold in its
 * arenas, resident, and a load frees hundreds of megabytes of such float32 temporaries between the weights it
 * keeps; {@code malloc_trim(0)} hands their pages back to the kernel. Elsewhere (no glibc) nothing is done.
 */
final class NativeHeap {

    private interface CLibrary extends Library {
        int malloc_trim(long pad);
    }

    private static final CLibrary C = load();

    private NativeHeap() {
    }

    private static CLibrary load() {
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            c.malloc_trim(0); // resolve the symbol now: a C library without it fails here, once
            return c;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    /** Returns free pages of the C allocator's arenas to the kernel. */
    static void releaseFreed() {
        if (C != null) {
            C.malloc_trim(0);
        }
    }
}
