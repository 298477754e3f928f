package org.bayling.model.checkpoint;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees direct and memory-mapped buffers when their user is done, not at the next garbage
 * collection: a checkpoint streams through many of them, and until then their pages count as the
 * process's resident memory (a 13 GB checkpoint would otherwise sit in memory twice while loading).
 */
public final class DirectBuffers {

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private DirectBuffers() {
    }

    /**
     * Releases {@code buffer}'s memory or mapping now. Only for a buffer the caller allocated or mapped
     * and no view of which is still in use; heap buffers, slices and duplicates are left to the GC.
     */
    public static void free(ByteBuffer buffer) {
        if (UNSAFE == null || buffer == null || !buffer.isDirect()) {
            return;
        }
        try {
            UNSAFE.invokeCleaner(buffer);
        } catch (IllegalArgumentException sliceOrDuplicate) {
            // a view of another buffer: its owner frees it
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // buffers are then freed by the GC, as usual
        }
    }
}
