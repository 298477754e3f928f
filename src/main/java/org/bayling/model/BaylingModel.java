package org.bayling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.checkpoint.CheckpointReader;
import org.bayling.model.checkpoint.Checkpoints;
import org.bayling.prompt.ConversationTemplate;

/**
 * A BayLing checkpoint directory, loaded: its config, generation defaults, tokenizer, conversation
 * template and decoder weights. (What identifies a model in outputs is {@code spark.ModelManifest}'s
 * content hash, computed once on the driver.)
 */
public final class BaylingModel implements AutoCloseable {

    private final Path dir;
    private final ModelConfig config;
    private final GenerationConfig defaults;
    private final BaylingTokenizer tokenizer;
    private final ConversationTemplate template;
    private final LlamaModel decoder;

    private BaylingModel(Path dir, ModelConfig config, GenerationConfig defaults, BaylingTokenizer tokenizer,
                         ConversationTemplate template, LlamaModel decoder) {
        this.dir = dir;
        this.config = config;
        this.defaults = defaults;
        this.tokenizer = tokenizer;
        this.template = template;
        this.decoder = decoder;
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
            return new BaylingModel(dir, config, defaults, tokenizer, tpl, decoder);
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

    public Path dir() {
        return dir;
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
