package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes weight deltas, {@code delta = model - base}, the inverse of {@link DeltaApplier}. By default
 * each delta tensor is stored at the narrowest width (F32, else F64) for which applying it gives back
 * the model's tensor bit for bit; this is checked element by element, and a tensor no width can
 * restore exactly is an error naming it. (A negative zero in the model comes back as +0, as with torch's
 * own addition: the sign of an exact zero sum cannot be carried by the delta.) A fixed delta dtype (e.g. F16, as the published BayLing
 * deltas use) skips the check and is lossy. The model's dtypes are recorded in the delta's metadata so
 * that applying restores them.
 */
public final class DeltaMaker {

    private final DType deltaDtype;
    private final long maxShardBytes;

    /** @param deltaDtype dtype of every delta tensor, or null for the narrowest exact one */
    public DeltaMaker(DType deltaDtype, long maxShardBytes) {
        if (deltaDtype != null && !Elements.isFloating(deltaDtype)) {
            throw new IllegalArgumentException("delta dtype must be floating point, not " + deltaDtype);
        }
        this.deltaDtype = deltaDtype;
        this.maxShardBytes = maxShardBytes;
    }

    public DeltaMaker() {
        this(null, DeltaApplier.DEFAULT_MAX_SHARD_BYTES);
    }

    static double subtract(double model, double base) {
        return model - base;
    }

    /** Writes {@code model - base} to {@code deltaDir}, with the model directory's config and tokenizer files. */
    public DeltaApplier.Result make(Path modelDir, Path baseDir, Path deltaDir) throws IOException {
        try (CheckpointReader model = Checkpoints.open(modelDir); CheckpointReader base = Checkpoints.open(baseDir)) {
            List<String> names = Deltas.weights(base);
            Deltas.match(baseDir, base, modelDir, model, names);
            List<TensorInfo> out = new ArrayList<>();
            Map<String, DType> targets = new LinkedHashMap<>();
            for (String n : names) {
                TensorInfo m = model.info(n);
                targets.put(n, m.dtype());
                DType dt = deltaDtype != null ? deltaDtype : exactWidth(modelDir, model.read(n), base.read(n));
                out.add(new TensorInfo(n, dt, m.shape()));
            }
            Map<String, String> meta = Map.of(Deltas.TARGET_DTYPES_KEY, Deltas.encodeDtypes(targets));
            List<Path> files = SafetensorsWriter.writeCheckpoint(deltaDir, out, meta, maxShardBytes,
                    (t, w) -> Deltas.combine(model.read(t.name()), base.read(t.name()), t.dtype(), w, DeltaMaker::subtract));
            List<Path> side = Deltas.copySideFiles(modelDir, deltaDir);
            return new DeltaApplier.Result(names.size(), files, side);
        }
    }

    /** The narrowest of F32, F64 whose delta restores every element of {@code model} exactly. */
    private static DType exactWidth(Path modelDir, TensorData model, TensorData base) throws CheckpointException {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            if (restores(model, base, dt)) {
                return dt;
            }
        }
        throw new CheckpointException(modelDir, "tensor '" + model.name()
                + "' cannot be stored as an exact delta against the base (values too far apart even for F64)");
    }

    private static boolean restores(TensorData model, TensorData base, DType deltaDtype) {
        ByteBuffer dm = model.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer db = base.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(model.numel());
        for (int i = 0; i < n; i++) {
            double m = Elements.get(dm, model.dtype(), i);
            double b = Elements.get(db, base.dtype(), i);
            double d = Elements.roundTo(deltaDtype, subtract(m, b));
            double restored = Elements.roundTo(model.dtype(), DeltaApplier.add(b, d));
            if (restored != m && !(Double.isNaN(restored) && Double.isNaN(m))) {
                return false;
            }
        }
        return true;
    }
}
