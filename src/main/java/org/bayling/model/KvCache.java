package org.bayling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.bayling.model.checkpoint.DType;

/**
 * Keys and values of every layer for a batch of rows, preallocated as {@code [rows, kvHeads, capacity,
 * headDim]} and written in place, so a decode step copies one token per row instead of the whole
 * cache. Slots are shared by all rows; each row records which slots hold its real tokens (left
 * padding, truncated turns) and its next position. Keys and values are held in the compute dtype.
 * The cache owns its arrays through its own manager and frees them on {@link #close()}.
 */
final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final DType dtype;
    private NDArray[] keys;
    private NDArray[] values;
    private int rows;
    private int capacity;
    private int length;
    private boolean[][] valid;  // [row][slot]
    private int[] nextPosition; // per row: tokens held, hence the position of the next one

    private KvCache(NDManager parent, int layers, int kvHeads, int headDim, DType dtype) {
        this.manager = parent.newSubManager();
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.dtype = dtype;
    }

    KvCache(NDManager parent, ModelConfig config, DType dtype, int rows, int initialCapacity) {
        this(parent, config.numLayers(), config.numKvHeads(), config.headDim(), dtype);
        this.rows = rows;
        this.capacity = Math.max(16, initialCapacity);
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = zeros(capacity);
            values[l] = zeros(capacity);
        }
        this.valid = new boolean[rows][capacity];
        this.nextPosition = new int[rows];
    }

    int rows() {
        return rows;
    }

    /** Slots in use (the longest row, padding included). */
    int length() {
        return length;
    }

    boolean valid(int row, int slot) {
        return valid[row][slot];
    }

    int nextPosition(int row) {
        return nextPosition[row];
    }

    /** Grows the buffers (doubling) so that {@code needed} slots fit. */
    void reserve(int needed) {
        if (needed <= capacity) {
            return;
        }
        int newCapacity = Math.max(needed, capacity * 2);
        for (int l = 0; l < layers; l++) {
            keys[l] = grow(keys[l], newCapacity);
            values[l] = grow(values[l], newCapacity);
        }
        for (int r = 0; r < rows; r++) {
            valid[r] = Arrays.copyOf(valid[r], newCapacity);
        }
        capacity = newCapacity;
    }

    private NDArray grow(NDArray old, int newCapacity) {
        NDArray bigger = zeros(newCapacity);
        if (length > 0) {
            bigger.set(new NDIndex(":, :, :{}", length), old.get(new NDIndex(":, :, :{}", length)));
        }
        old.close();
        return bigger;
    }

    /** Zeros {@code [rows, kvHeads, slots, headDim]} in the cache's dtype (DJL cannot make bfloat16 arrays itself). */
    private NDArray zeros(int slots) {
        Shape shape = new Shape(rows, kvHeads, slots, headDim);
        return switch (dtype) {
            case F32 -> manager.zeros(shape, DataType.FLOAT32);
            case F16 -> manager.zeros(shape, DataType.FLOAT16);
            default -> {
                // TorchScript runs in inference mode; a clone made out here can be written in place.
                NDArray inference = TorchOps.get().zeros(shape, dtype, manager);
                NDArray zeros = inference.duplicate();
                inference.close();
                yield zeros;
            }
        };
    }

    /**
     * One layer's whole key buffer {@code [rows, kvHeads, capacity, headDim]}: the attention operator
     * writes the new slots [length, length + t) in place and reads [0, length + t).
     */
    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    /** Records that {@code t} slots were appended, with which of them hold real tokens per row. */
    void commit(boolean[][] newValid, int t) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < t; i++) {
                if (newValid[r][i]) {
                    valid[r][length + i] = true;
                    nextPosition[r]++;
                }
            }
        }
        length += t;
    }

    /** New row i = old row {@code order[i]}. */
    void select(int[] order) {
        boolean identity = order.length == rows;
        for (int i = 0; identity && i < order.length; i++) {
            identity = order[i] == i;
        }
        if (identity) {
            return;
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray index = tmp.create(Arrays.stream(order).asLongStream().toArray());
            for (int l = 0; l < layers; l++) {
                keys[l] = reorder(keys[l], index);
                values[l] = reorder(values[l], index);
            }
        }
        boolean[][] v = new boolean[order.length][];
        int[] p = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            v[i] = valid[order[i]].clone();
            p[i] = nextPosition[order[i]];
        }
        valid = v;
        nextPosition = p;
        rows = order.length;
    }

    private NDArray reorder(NDArray old, NDArray index) {
        NDArray picked = old.get(new NDIndex("{}", index));
        picked.attach(manager);
        old.close();
        return picked;
    }

    /** A new cache holding copies of the given rows (the copy outlives this cache). */
    KvCache copyRows(int[] order) {
        KvCache copy = new KvCache(manager.getParentManager(), layers, kvHeads, headDim, dtype);
        copy.rows = order.length;
        copy.capacity = capacity;
        copy.length = length;
        copy.keys = new NDArray[layers];
        copy.values = new NDArray[layers];
        try (NDManager tmp = manager.newSubManager()) {
            NDArray index = tmp.create(Arrays.stream(order).asLongStream().toArray());
            for (int l = 0; l < layers; l++) {
                copy.keys[l] = keys[l].get(new NDIndex("{}", index));
                copy.keys[l].attach(copy.manager);
                copy.values[l] = values[l].get(new NDIndex("{}", index));
                copy.values[l].attach(copy.manager);
            }
        }
        copy.valid = new boolean[order.length][];
        copy.nextPosition = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            copy.valid[i] = valid[order[i]].clone();
            copy.nextPosition[i] = nextPosition[order[i]];
        }
        return copy;
    }

    /**
     * A new cache whose row i starts as a copy of {@code seeds[i]} (a one-row cache, or null for an
     * empty row). Rows sharing one seed are copied with a single gather.
     */
    static KvCache seeded(NDManager parent, ModelConfig config, DType dtype, KvCache[] seeds) {
        int rows = seeds.length;
        int longest = 0;
        for (KvCache s : seeds) {
            longest = Math.max(longest, s == null ? 0 : s.length);
        }
        KvCache cache = new KvCache(parent, config, dtype, rows, longest + 64);
        cache.length = longest;
        for (int i = 0; i < rows; i++) {
            KvCache s = seeds[i];
            if (s == null || s.length == 0) {
                continue;
            }
            NDIndex target = new NDIndex("{}:{}, :, :{}", i, i + 1, s.length);
            NDIndex source = new NDIndex(":, :, :{}", s.length);
            for (int l = 0; l < cache.layers; l++) {
                NDArray k = s.keys[l].get(source);
                NDArray v = s.values[l].get(source);
                cache.keys[l].set(target, k);
                cache.values[l].set(target, v);
                k.close(); // views: closing frees the handle, not the seed's storage
                v.close();
            }
            System.arraycopy(s.valid[0], 0, cache.valid[i], 0, s.length);
            cache.nextPosition[i] = s.nextPosition[0];
        }
        return cache;
    }

    /** Keeps only the first {@code keep} real tokens of a row; later slots become padding for it. */
    void truncate(int row, int keep) {
        int seen = 0;
        for (int s = 0; s < length; s++) {
            if (valid[row][s]) {
                if (seen >= keep) {
                    valid[row][s] = false;
                } else {
                    seen++;
                }
            }
        }
        nextPosition[row] = seen;
    }

    @Override
    public void close() {
        manager.close();
    }
}
