package org.bayling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.checkpoint.CheckpointReader;
import org.bayling.model.checkpoint.Checkpoints;
import org.bayling.prompt.ConversationTemplate;

/**
 * A BayLing checkpoint directory, loaded: its config, generation defaults, tokenizer, conversation
 * template and decoder weights, plus a name and content hash that identify it in outputs.
 */
public final class BaylingModel implements AutoCloseable {

    private final Path dir;
    private final ModelConfig config;
    private final GenerationConfig defaults;
    private final BaylingTokenizer tokenizer;
    private final ConversationTemplate template;
    private final LlamaModel decoder;
    private final String hash;

    private BaylingModel(Path dir, ModelConfig config, GenerationConfig defaults, BaylingTokenizer tokenizer,
                         ConversationTemplate template, LlamaModel decoder, String hash) {
        this.dir = dir;
        this.config = config;
        this.defaults = defaults;
        this.tokenizer = tokenizer;
        this.template = template;
        this.decoder = decoder;
        this.hash = hash;
    }

    /**
     * Loads a Hugging Face model directory.
     *
     * @param parent    manager that owns the weights (a DJL {@code Model}'s), on the compute device
     * @param precision compute dtype and weight storage
     * @param template  {@code bayling}, {@code bayling3}, or null to detect it from the tokenizer
     */
    public static BaylingModel load(Path dir, NDManager parent, Precision precision, String template) throws IOException {
        ModelConfig config = ModelConfig.load(dir);
        GenerationConfig defaults = GenerationDefaults.load(dir, config);
        ConversationTemplate tpl = template == null ? ConversationTemplate.detect(dir) : ConversationTemplate.byName(template);
        BaylingTokenizer tokenizer = BaylingTokenizer.load(dir, config);
        try (CheckpointReader reader = Checkpoints.open(dir)) {
            LlamaModel decoder = LlamaModel.load(config, reader, parent, precision);
            return new BaylingModel(dir, config, defaults, tokenizer, tpl, decoder, contentHash(dir));
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Loads onto a device with its own manager, in the device's default precision ({@code --dtype auto}). */
    public static BaylingModel load(Path dir, Device device) throws IOException {
        return load(dir, device, Precision.resolve(null, null, device, ModelConfig.load(dir).torchDtype()));
    }

    /** Loads onto a device with its own manager, in {@code precision}. */
    public static BaylingModel load(Path dir, Device device, Precision precision) throws IOException {
        NDManager manager = PyTorchRuntime.engine().newBaseManager(device);
        try {
            return load(dir, manager, precision, null);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * SHA-256 over the directory's regular files (names, sizes and contents), so two copies of one
     * checkpoint hash alike wherever they live. Files over 256 MiB contribute their size and their
     * first and last 16 MiB: a full read of a 26 GB checkpoint would cost minutes per load.
     */
    public static String contentHash(Path dir) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        byte[] buf = new byte[1 << 20];
        for (Path f : files) {
            long size = Files.size(f);
            sha.update((f.getFileName() + "\0" + size + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long limit = 256L << 20;
            try (InputStream in = Files.newInputStream(f)) {
                if (size <= limit) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                    }
                } else {
                    digestRange(in, sha, buf, 16L << 20);
                    in.skipNBytes(size - (32L << 20));
                    digestRange(in, sha, buf, 16L << 20);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static void digestRange(InputStream in, MessageDigest sha, byte[] buf, long bytes) throws IOException {
        while (bytes > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, bytes));
            if (n <= 0) {
                return;
            }
            sha.update(buf, 0, n);
            bytes -= n;
        }
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public String hash() {
        return hash;
    }

    public ModelConfig config() {
        return config;
    }

    /** Defaults from {@code generation_config.json} with EOS ids resolved. */
    public GenerationConfig defaults() {
        return defaults;
    }

    public BaylingTokenizer tokenizer() {
        return tokenizer;
    }

    public ConversationTemplate template() {
        return template;
    }

    public LlamaModel decoder() {
        return decoder;
    }

    /** EOS ids for a config: its own, else the model's. */
    public GenerationConfig resolve(GenerationConfig config) {
        return config.eosIds().isEmpty() ? config.withEosIds(defaults.eosIds()) : config;
    }

    @Override
    public void close() {
        decoder.close();
        tokenizer.close();
    }
}
