package org.bayling.model;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bayling.model.checkpoint.CheckpointException;
import org.bayling.model.checkpoint.CheckpointHeaders;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.ModelFiles;
import org.bayling.model.checkpoint.TensorInfo;

/**
 * Checks a model directory before anything loads it (on the Spark driver, before any task; before
 * {@code generate} or {@code bench} load weights): {@code config.json} values, {@code generation_config.json},
 * the tokenizer files, and every tensor the config implies against the checkpoint's headers (present, float,
 * the shape the config implies, inside its file). Reads headers only, never the weights, so a corrupt
 * 26 GB checkpoint fails in seconds.
 */
public final class ModelCheck {

    /** config.json, tokenizer_config.json and generation_config.json are a few kB; tokenizer.json a few MB. */
    private static final long MAX_SMALL_FILE = 16L << 20;
    private static final long MAX_TOKENIZER_FILE = 256L << 20;
    /** One tensor is one Java buffer when loaded. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;
    private static final Set<DType> FLOATS = Set.of(DType.F32, DType.F16, DType.BF16, DType.F64);

    private ModelCheck() {
    }

    /** Checks the model; returns its config. Any problem is a {@link ModelUnreadableException} naming the file. */
    public static ModelConfig check(ModelFiles files) {
        String model = files.root();
        try {
            if (!files.exists()) {
                throw new ModelUnreadableException(model, null, "does not exist (or is not a directory)", null);
            }
            if (!files.isFile("config.json")) {
                throw new ModelUnreadableException(model, "config.json", "missing: not a Hugging Face model directory",
                        null);
            }
            ModelConfig config = ModelConfig.parse(files.readString("config.json", MAX_SMALL_FILE), "config.json");
            if (files.isFile(GenerationDefaults.FILE)) {
                GenerationDefaults.parse(files.readString(GenerationDefaults.FILE, MAX_SMALL_FILE),
                        GenerationDefaults.FILE, config);
            }
            if (!files.isFile(BaylingTokenizer.FILE)) {
                throw new ModelUnreadableException(model, BaylingTokenizer.FILE,
                        "missing (the model directory must hold the Hugging Face tokenizer)", null);
            }
            BaylingTokenizer.check(files.readString(BaylingTokenizer.FILE, MAX_TOKENIZER_FILE),
                    files.isFile(BaylingTokenizer.CONFIG_FILE)
                            ? files.readString(BaylingTokenizer.CONFIG_FILE, MAX_SMALL_FILE) : null, config);
            checkTensors(CheckpointHeaders.read(files), CheckpointHeaders.mainFile(files), config);
            return config;
        } catch (CheckpointException e) {
            throw ModelUnreadableException.of(model, null, e);
        } catch (IOException e) {
            throw new ModelUnreadableException(model, null, "unreadable: " + e.getMessage(), e);
        }
    }

    /** Every tensor the decoder reads, with the shape {@code config} implies ({@code lm_head} only when untied). */
    public static Map<String, long[]> expectedShapes(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long ff = c.intermediateSize();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new long[] {h});
            m.put(p + "self_attn.q_proj.weight", new long[] {q, h});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            m.put(p + "self_attn.o_proj.weight", new long[] {h, q});
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
            m.put(p + "mlp.gate_proj.weight", new long[] {ff, h});
            m.put(p + "mlp.up_proj.weight", new long[] {ff, h});
            m.put(p + "mlp.down_proj.weight", new long[] {h, ff});
        }
        m.put("model.norm.weight", new long[] {h});
        m.put("lm_head.weight", new long[] {c.vocabSize(), h});
        return m;
    }

    private static void checkTensors(Map<String, CheckpointHeaders.Tensor> tensors, String checkpoint, ModelConfig c)
            throws CheckpointException {
        for (Map.Entry<String, long[]> e : expectedShapes(c).entrySet()) {
            String name = e.getKey();
            CheckpointHeaders.Tensor t = tensors.get(name);
            if (t == null) {
                if (name.equals("lm_head.weight") && c.tieWordEmbeddings()) {
                    continue; // tied: the embedding serves as the head
                }
                throw new CheckpointException(checkpoint, "no tensor '" + name + "'"
                        + (name.equals("lm_head.weight") ? " and config.json does not set tie_word_embeddings" : "")
                        + " (config.json: " + c.numLayers() + " layers)");
            }
            TensorInfo info = t.info();
            if (!Arrays.equals(info.shape(), e.getValue())) {
                throw new CheckpointException(t.file(), "tensor '" + name + "' has shape " + Arrays.toString(info.shape())
                        + " but config.json implies " + Arrays.toString(e.getValue()));
            }
            if (!FLOATS.contains(info.dtype())) {
                throw new CheckpointException(t.file(), "tensor '" + name + "' has dtype " + info.dtype()
                        + " (weights must be F32, F16, BF16 or F64)");
            }
            if (info.byteSize() > MAX_TENSOR_BYTES) {
                throw new CheckpointException(t.file(), "tensor '" + name + "' is " + info.byteSize()
                        + " bytes, more than the 2 GiB one tensor may hold when loaded");
            }
        }
    }
}
