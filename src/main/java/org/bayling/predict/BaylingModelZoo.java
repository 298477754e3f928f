package org.bayling.predict;

import ai.djl.Application;
import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import ai.djl.repository.MRL;
import ai.djl.repository.Repository;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.bayling.model.BaylingModel;
import org.bayling.model.ModelConfig;
import org.bayling.model.Precision;
import org.bayling.model.UnsupportedPrecisionException;
import org.bayling.model.PyTorchRuntime;

/**
 * A DJL model zoo that loads BayLing / LLaMA checkpoints from a local Hugging Face directory
 * (never from the network). Use {@link #criteria(Path, Device)} to build the {@link Criteria}.
 */
public final class BaylingModelZoo extends ModelZoo {

    public static final String GROUP = "org.bayling";
    public static final String ARTIFACT = "bayling";
    /** Criteria argument naming the model directory. */
    public static final String MODEL_DIR = "modelDir";
    /** Criteria argument: {@code bayling} or {@code bayling3}; absent = detect. */
    public static final String TEMPLATE = "template";
    /** Criteria argument: compute dtype {@code auto} (default), {@code f32}, {@code f16} or {@code bf16}. */
    public static final String DTYPE = "dtype";
    /** Criteria argument: weight storage {@code auto} (default: as computed), {@code f32}, {@code f16}, {@code bf16} or {@code int8}. */
    public static final String WEIGHTS = "weights";

    public static final BaylingModelZoo INSTANCE = new BaylingModelZoo();

    private BaylingModelZoo() {
        addModel(new Loader());
    }

    /** Criteria for a model directory on a device (null: GPU 0 if any, else CPU). */
    public static Criteria<GenerationRequest, GenerationResult> criteria(Path modelDir, Device device) {
        Criteria.Builder<GenerationRequest, GenerationResult> b = Criteria.builder()
                .setTypes(GenerationRequest.class, GenerationResult.class)
                .optApplication(Application.NLP.TEXT_GENERATION)
                .optModelZoo(INSTANCE)
                .optGroupId(GROUP)
                .optArtifactId(ARTIFACT)
                .optEngine("PyTorch")
                .optArgument(MODEL_DIR, modelDir.toString());
        if (device != null) {
            b.optDevice(device);
        }
        return b.build();
    }

    /**
     * Loads a model directory as {@link Criteria#loadModel()} on {@link #criteria} does, typed: callers that
     * need the tokenizer and template next to the predictor get them without casting the ZooModel.
     *
     * @param device   null: GPU 0 if any, else CPU
     * @param dtype    compute dtype {@code auto|f32|f16|bf16}, or null for auto (see {@link Precision#resolve})
     * @param weights  weight storage {@code auto|f32|f16|bf16|int8}, or null for auto
     * @param template {@code bayling}, {@code bayling3}, or null to detect it from the tokenizer
     * @throws UnsupportedPrecisionException when this PyTorch build cannot run the precision on the device
     */
    public static BaylingZooModel load(Path dir, Device device, String dtype, String weights, String template)
            throws IOException, ModelNotFoundException {
        if (!Files.isDirectory(dir)) {
            throw new ModelNotFoundException("model directory not found: " + dir);
        }
        var engine = PyTorchRuntime.engine();
        Device d = device != null ? device : engine.defaultDevice();
        Precision precision = Precision.resolve(dtype, weights, d, ModelConfig.load(dir).torchDtype());
        Model model = Model.newInstance(ARTIFACT, d, "PyTorch");
        try {
            // decoding is a loop over a KV cache inside BaylingTranslator, not one block call: the block is the identity
            model.setBlock(new LambdaBlock(list -> list == null ? new NDList() : list));
            return new BaylingZooModel(model, BaylingModel.load(dir, model.getNDManager(), precision, template));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public String getGroupId() {
        return GROUP;
    }

    @Override
    public Set<String> getSupportedEngines() {
        return Set.of("PyTorch");
    }

    /** Loads the directory named by the {@value #MODEL_DIR} argument into a {@link BaylingZooModel}. */
    private static final class Loader implements ModelLoader {

        @Override
        public String getGroupId() {
            return GROUP;
        }

        @Override
        public String getArtifactId() {
            return ARTIFACT;
        }

        @Override
        public Application getApplication() {
            return Application.NLP.TEXT_GENERATION;
        }

        @Override
        public MRL getMrl() {
            return MRL.undefined(Repository.newInstance(ARTIFACT, Path.of(".")), GROUP, ARTIFACT);
        }

        @Override
        public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
                throws IOException, ModelNotFoundException, MalformedModelException {
            Object dirArg = criteria.getArguments().get(MODEL_DIR);
            if (dirArg == null) {
                throw new ModelNotFoundException("Criteria argument '" + MODEL_DIR + "' (the model directory) is required");
            }
            Object dtype = criteria.getArguments().get(DTYPE);
            Object weights = criteria.getArguments().get(WEIGHTS);
            Object template = criteria.getArguments().get(TEMPLATE);
            @SuppressWarnings("unchecked") // DJL's loader API is generic; this zoo only makes BaylingZooModels
            ZooModel<I, O> zoo = (ZooModel<I, O>) load(Path.of(dirArg.toString()), criteria.getDevice(),
                    dtype == null ? null : dtype.toString(), weights == null ? null : weights.toString(),
                    template == null ? null : template.toString());
            return zoo;
        }

        @Override
        public <I, O> boolean isDownloaded(Criteria<I, O> criteria) {
            return true; // local directories only
        }

        @Override
        public <I, O> void downloadModel(Criteria<I, O> criteria, Progress progress) {
            // nothing to download: models come from paths and Hadoop URIs, never the network
        }
    }
}
