package org.bayling.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What {@link DeltaApplier} and {@link DeltaMaker} share: name matching, element loops, side files. */
final class Deltas {

    /** safetensors metadata key holding the JSON map {tensor name: dtype of the model the delta restores}. */
    static final String TARGET_DTYPES_KEY = "bayling.delta.target_dtypes";

    /** Config and tokenizer files a model directory may carry beside its weights. */
    static final List<String> SIDE_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json", "added_tokens.json");

    /** Elements converted per step; buffers stay at a few MB whatever the tensor size. */
    static final int CHUNK = 1 << 18;

    private Deltas() {
    }

    /** Legacy buffers that older transformers saved and every model recomputes. */
    static boolean ignored(String name) {
        return name.endsWith(".rotary_emb.inv_freq");
    }

    /** The weights of a checkpoint, sorted, without {@link #ignored} buffers. */
    static List<String> weights(CheckpointReader r) {
        List<String> out = new ArrayList<>();
        for (String n : new TreeSet<>(r.names())) {
            if (!ignored(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Checks that {@code other} holds exactly the tensors of {@code reference} with the same shapes, floating point. */
    static void match(Path referenceDir, CheckpointReader reference, Path otherDir, CheckpointReader other,
                      List<String> names) throws IOException {
        Set<String> otherNames = new TreeSet<>(weights(other));
        for (String n : names) {
            if (!otherNames.remove(n)) {
                throw new CheckpointException(otherDir, "tensor '" + n + "' of " + referenceDir + " is missing here");
            }
            TensorInfo a = reference.info(n);
            TensorInfo b = other.info(n);
            if (!java.util.Arrays.equals(a.shape(), b.shape())) {
                throw new CheckpointException(otherDir, "tensor '" + n + "' has shape " + java.util.Arrays.toString(b.shape())
                        + " but " + referenceDir + " has " + java.util.Arrays.toString(a.shape()));
            }
            for (TensorInfo t : List.of(a, b)) {
                if (!Elements.isFloating(t.dtype())) {
                    throw new CheckpointException(t == a ? referenceDir : otherDir, "tensor '" + n + "' is " + t.dtype()
                            + "; deltas apply to floating-point tensors only");
                }
            }
        }
        if (!otherNames.isEmpty()) {
            throw new CheckpointException(otherDir, "tensor '" + otherNames.iterator().next() + "' (and "
                    + (otherNames.size() - 1) + " more) is not in " + referenceDir);
        }
    }

    /** Elementwise {@code out = round_to(outDtype, f(a, b))} in chunks, appending to the writer. */
    static void combine(TensorData a, TensorData b, DType outDtype, SafetensorsWriter out,
                        java.util.function.DoubleBinaryOperator f) throws IOException {
        int n = Math.toIntExact(a.numel());
        ByteBuffer da = a.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer db = b.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer buf = ByteBuffer.allocate(Math.min(n, CHUNK) * outDtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            buf.clear();
            for (int i = 0; i < len; i++) {
                double v = f.applyAsDouble(Elements.get(da, a.dtype(), start + i), Elements.get(db, b.dtype(), start + i));
                Elements.put(buf, outDtype, i, v);
            }
            buf.limit(len * outDtype.bytes());
            out.append(buf);
        }
    }

    /** Copies the config and tokenizer files present in {@code from} into {@code to}. */
    static List<Path> copySideFiles(Path from, Path to) throws IOException {
        List<Path> copied = new ArrayList<>();
        Files.createDirectories(to);
        for (String name : SIDE_FILES) {
            Path src = from.resolve(name);
            if (Files.isRegularFile(src)) {
                Path dst = to.resolve(name);
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                copied.add(dst);
            }
        }
        return copied;
    }

    static String encodeDtypes(Map<String, DType> dtypes) {
        Map<String, String> m = new LinkedHashMap<>();
        dtypes.forEach((k, v) -> m.put(k, v.name()));
        return new Gson().toJson(m);
    }

    static Map<String, DType> decodeDtypes(Path dir, String json) throws CheckpointException {
        Map<String, DType> out = new LinkedHashMap<>();
        if (json == null) {
            return out;
        }
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            for (var e : o.entrySet()) {
                out.put(e.getKey(), DType.fromSafetensors(e.getValue().getAsString()));
            }
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException e) {
            throw new CheckpointException(dir, "metadata '" + TARGET_DTYPES_KEY + "' is malformed: " + e.getMessage());
        }
        return out;
    }
}
