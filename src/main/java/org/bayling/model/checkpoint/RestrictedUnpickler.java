package org.bayling.model.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for torch state dicts that only ever builds data. It implements the opcodes
 * {@code torch.save} emits (protocols 2 to 4) and resolves a short allowlist of globals to plain
 * descriptions ({@link Global}); a global outside the allowlist, or any other opcode, is refused at the
 * point it appears. Nothing is imported, instantiated or called: REDUCE on an allowed global is
 * interpreted here (an ordered dict, a tensor description), never executed.
 */
final class RestrictedUnpickler {

    /** Thrown for anything the allowlist refuses; the caller wraps it with the file name. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** A module-level name the pickle refers to (already checked against the allowlist). */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A Python tuple. */
    record Tuple(List<Object> items) {
    }

    /** A storage record: {@code ('storage', storage_type, key, location, numel)}. */
    record StorageRef(DType dtype, String key, String location, long numel) {
    }

    /** What {@code torch._utils._rebuild_tensor_v2} would build: a view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DType.F32),
            Map.entry("HalfStorage", DType.F16),
            Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("DoubleStorage", DType.F64),
            Map.entry("LongStorage", DType.I64),
            Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16),
            Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8),
            Map.entry("BoolStorage", DType.BOOL));

    private static final Set<String> CALLABLES = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state");

    /** Every global a state dict may name; anything else is refused. */
    static boolean allowed(String module, String name) {
        String full = module + "." + name;
        return CALLABLES.contains(full) || (module.equals("torch") && STORAGE_TYPES.containsKey(name));
    }

    private static final Object MARK_OBJ = new Object();
    private static final int MAX_MEMO = 10_000_000;

    private final ByteBuffer in;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] pickle) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Loads one pickle; returns maps, lists, tuples, strings, numbers and {@link TensorRef}s. */
    static Object load(byte[] pickle) throws Refused {
        try {
            return new RestrictedUnpickler(pickle).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new Refused("pickle is truncated or corrupt");
        }
    }

    private Object run() throws Refused {
        while (true) {
            if (!in.hasRemaining()) {
                throw new Refused("pickle ends without a STOP opcode");
            }
            int at = in.position();
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = in.get() & 0xFF;
                    if (proto > 5) {
                        throw new Refused("unsupported pickle protocol " + proto);
                    }
                }
                case 0x95 -> in.getLong(); // FRAME: framing is only a hint
                case '.' -> { // STOP
                    if (stack.size() != 1) {
                        throw new Refused("pickle stops with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    stack.add(MARK_OBJ);
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(tupleOf(1)); // TUPLE1
                case 0x86 -> push(tupleOf(2)); // TUPLE2
                case 0x87 -> push(tupleOf(3)); // TUPLE3
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'd' -> { // DICT
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, popMark());
                    push(m);
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(hashable(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putPairs(dict(peek()), items);
                }
                case 'X' -> push(utf8(uint32())); // BINUNICODE
                case 0x8C -> push(utf8(in.get() & 0xFF)); // SHORT_BINUNICODE
                case 0x8D -> push(utf8(length(in.getLong()))); // BINUNICODE8
                case 'C' -> push(bytes(in.get() & 0xFF)); // SHORT_BINBYTES
                case 'B' -> push(bytes(uint32())); // BINBYTES
                case 'U' -> push(new String(bytes(in.get() & 0xFF), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
                case 'T' -> push(new String(bytes(uint32()), StandardCharsets.ISO_8859_1)); // BINSTRING
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) (in.get() & 0xFF)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xFFFF)); // BININT2
                case 0x8A -> push(longN(in.get() & 0xFF)); // LONG1
                case 0x8B -> push(longN(uint32())); // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'q' -> memoPut(in.get() & 0xFF); // BINPUT
                case 'r' -> memoPut(in.getInt() & 0xFFFFFFFFL); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xFF)); // BINGET
                case 'j' -> push(memoGet(in.getInt() & 0xFFFFFFFFL)); // LONG_BINGET
                case 'c' -> { // GLOBAL
                    String module = line();
                    String name = line();
                    push(global(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw new Refused("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                case 'i' -> { // INST: names a class and instantiates it
                    String module = line();
                    String name = line();
                    global(module, name);
                    throw new Refused("opcode INST (instantiating " + module + "." + name + ") is not allowed");
                }
                default -> throw new Refused(String.format("unsupported pickle opcode 0x%02x%s at offset %d", op,
                        (op >= 0x20 && op < 0x7F) ? " ('" + (char) op + "')" : "", at));
            }
        }
    }

    private Global global(String module, String name) throws Refused {
        if (!allowed(module, name)) {
            throw new Refused("forbidden global '" + module + "." + name
                    + "': a state dict may only refer to collections.OrderedDict, torch._utils._rebuild_* and torch.*Storage");
        }
        return new Global(module, name);
    }

    private Object persistentLoad(Object pid) throws Refused {
        if (!(pid instanceof Tuple t) || t.items.size() != 5 || !"storage".equals(t.items.get(0))) {
            throw new Refused("unsupported persistent id " + describe(pid) + " (expected ('storage', type, key, location, numel))");
        }
        List<Object> p = t.items;
        if (!(p.get(1) instanceof Global g) || !g.module.equals("torch") || !STORAGE_TYPES.containsKey(g.name)) {
            throw new Refused("persistent id names storage type " + describe(p.get(1)) + ", not a torch storage");
        }
        if (!(p.get(2) instanceof String key) || !(p.get(3) instanceof String location) || !(p.get(4) instanceof Long numel)
                || numel < 0) {
            throw new Refused("malformed storage record " + describe(pid));
        }
        return new StorageRef(STORAGE_TYPES.get(g.name), key, location, numel);
    }

    private Object reduce(Object callable, Object args) throws Refused {
        if (!(callable instanceof Global g)) {
            throw new Refused("REDUCE on " + describe(callable) + ", which is not an allowed callable");
        }
        if (!(args instanceof Tuple t)) {
            throw new Refused("REDUCE arguments for " + g + " are not a tuple");
        }
        List<Object> a = t.items;
        switch (g.toString()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                    for (Object pair : pairs) {
                        if (!(pair instanceof Tuple kv) || kv.items.size() != 2) {
                            throw new Refused("OrderedDict item is not a pair");
                        }
                        m.put(hashable(kv.items.get(0)), kv.items.get(1));
                    }
                } else if (!a.isEmpty()) {
                    throw new Refused("unsupported OrderedDict arguments");
                }
                return m;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef s) || !(a.get(1) instanceof Long offset)) {
                    throw new Refused(g + " called with unexpected arguments " + describe(args));
                }
                long[] size = longs(a.get(2), g + " size");
                long[] stride = longs(a.get(3), g + " stride");
                if (size.length != stride.length) {
                    throw new Refused(g + ": size " + java.util.Arrays.toString(size) + " and stride "
                            + java.util.Arrays.toString(stride) + " differ in rank");
                }
                return new TensorRef(s, offset, size, stride);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef)) {
                    throw new Refused(g + " called without a tensor");
                }
                return a.get(0);
            }
            default -> throw new Refused("global '" + g + "' may not be called");
        }
    }

    private void build(Object target, Object state) throws Refused {
        // OrderedDict state (e.g. the state dict's _metadata attribute) and tensor state carry no weights.
        if (!(target instanceof Map) && !(target instanceof TensorRef)) {
            throw new Refused("BUILD on " + describe(target) + " is not allowed");
        }
    }

    private static long[] longs(Object o, String what) throws Refused {
        if (!(o instanceof Tuple t)) {
            throw new Refused(what + " is not a tuple");
        }
        long[] out = new long[t.items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items.get(i) instanceof Long v)) {
                throw new Refused(what + " holds a non-integer");
            }
            out[i] = v;
        }
        return out;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global || o instanceof String || o instanceof Long) {
            return "'" + o + "'";
        }
        if (o instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (Object item : t.items) {
                sb.append(sb.length() > 1 ? ", " : "").append(describe(item));
            }
            return sb.append(")").toString();
        }
        return o.getClass().getSimpleName();
    }

    private Tuple tupleOf(int n) {
        if (stack.size() < n) {
            throw new IndexOutOfBoundsException();
        }
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        for (Object o : items) {
            if (o == MARK_OBJ) {
                throw new IndexOutOfBoundsException();
            }
        }
        stack.subList(stack.size() - n, stack.size()).clear();
        return new Tuple(items);
    }

    private static void putPairs(Map<Object, Object> m, List<Object> items) throws Refused {
        if (items.size() % 2 != 0) {
            throw new Refused("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            m.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    private static Object hashable(Object key) throws Refused {
        if (key instanceof Map || key instanceof List) {
            throw new Refused("unhashable dict key");
        }
        return key;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) throws Refused {
        if (!(o instanceof List)) {
            throw new Refused("APPEND to " + describe(o) + ", not a list");
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o) throws Refused {
        if (!(o instanceof Map)) {
            throw new Refused("SETITEM on " + describe(o) + ", not a dict");
        }
        return (Map<Object, Object>) o;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK_OBJ) {
            throw new IndexOutOfBoundsException();
        }
        return o;
    }

    private Object peek() {
        Object o = stack.get(stack.size() - 1);
        if (o == MARK_OBJ) {
            throw new IndexOutOfBoundsException();
        }
        return o;
    }

    private List<Object> popMark() {
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private void memoPut(long index) throws Refused {
        if (index < 0 || index > MAX_MEMO) {
            throw new Refused("memo index " + index + " out of range");
        }
        memo.put(index, peek());
    }

    private Object memoGet(long index) throws Refused {
        if (!memo.containsKey(index)) {
            throw new Refused("memo index " + index + " was never stored");
        }
        return memo.get(index);
    }

    private int uint32() {
        return length(in.getInt() & 0xFFFFFFFFL);
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new IndexOutOfBoundsException();
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            // scan to the newline
        }
        byte[] b = new byte[in.position() - start - 1];
        in.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private Object longN(int n) throws Refused {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be); // two's complement
        if (v.bitLength() < 64) {
            return v.longValue();
        }
        return v;
    }
}
