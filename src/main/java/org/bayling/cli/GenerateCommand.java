package org.bayling.cli;

import ai.djl.inference.Predictor;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bayling.generate.GeneratedSequence;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.BaylingModel;
import org.bayling.model.MemoryCheck;
import org.bayling.model.MemoryPlan;
import org.bayling.model.ModelCheck;
import org.bayling.model.ModelConfig;
import org.bayling.model.Precision;
import org.bayling.model.checkpoint.ModelFiles;
import org.bayling.predict.BaylingModelZoo;
import org.bayling.predict.BaylingZooModel;
import org.bayling.predict.GenerationRequest;
import org.bayling.predict.GenerationResult;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bayling generate}: one prompt through the BayLing predictor, printed as JSON or text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate from one prompt with a BayLing / LLaMA checkpoint directory.")
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Hugging Face model directory.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", description = "Instruction text (one turn of the model's BayLing template unless --raw).")
        String prompt;

        @Option(names = "--input-ids", split = ",", description = "Prompt token ids, e.g. 1,306,626.")
        int[] inputIds;
    }

    @Option(names = "--raw", description = "Tokenize --prompt as given, without the conversation template.")
    boolean raw;

    @Option(names = "--template", description = "bayling or bayling3 (default: detected from the tokenizer).")
    String template;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--device", defaultValue = "auto", description = "auto|cpu|gpu|gpu:N (auto: GPU 0 if any, else CPU).")
    String device;

    @Mixin
    PrecisionOptions precision = new PrecisionOptions();

    @Mixin
    GenerationOptions generation = new GenerationOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            ModelConfig modelConfig = ModelCheck.check(ModelFiles.local(model)); // headers only: a broken model ends here
            planMemory(modelConfig); // before any weight is read: a model that cannot fit ends here, with one line
        } catch (IllegalArgumentException e) { // a ModelUnreadableException (3) or a model that cannot fit (2)
            return CommandFailure.report("generate", e, System.err, false);
        }
        try (BaylingZooModel zoo = BaylingModelZoo.load(model, DeviceOption.parse(device), precision.dtype,
                precision.weights, template);
             Predictor<GenerationRequest, GenerationResult> predictor = zoo.newPredictor()) {
            BaylingModel bayling = zoo.bayling();
            GenerationConfig config = generation.applyTo(bayling.defaults());
            int[] ids = input.inputIds != null ? input.inputIds
                    : bayling.tokenizer().encode(raw ? input.prompt : bayling.template().render(List.of(), input.prompt));
            GenerationResult result = predictor.predict(GenerationRequest.of(List.of(ids), config));
            PrintWriter out = spec.commandLine().getOut();
            List<GeneratedSequence> seqs = result.sequences().get(0);
            if (json) {
                out.println(toJson(ids, seqs, bayling, config));
            } else {
                for (GeneratedSequence s : seqs) {
                    out.printf("[%s, score %.4f] %s%n", s.finishReason().label(), s.score(), text(bayling, config, s.tokens()));
                }
            }
            out.flush();
        }
        return 0;
    }

    /**
     * The memory plan for this prompt on the CPU (a GPU holds the weights in its own memory): the prompt's
     * tokens (estimated from its characters before the tokenizer is loaded) plus max_new_tokens, for every beam.
     */
    MemoryPlan planMemory(ModelConfig modelConfig) throws java.io.IOException {
        ai.djl.Device d = DeviceOption.parse(device);
        if (d != null ? d.isGpu() : ai.djl.util.cuda.CudaUtils.hasCuda()) {
            return null;
        }
        Precision p = Precision.resolve(precision.dtype, precision.weights, ai.djl.Device.cpu(), modelConfig.torchDtype());
        GenerationConfig config = generation.applyTo(MemoryCheck.generationDefaults(model, modelConfig));
        int promptTokens = input.inputIds != null ? input.inputIds.length
                : input.prompt.length() / 2 + (raw ? 1 : 64); // about two characters a token, and the template
        promptTokens = Math.max(1, Math.min(promptTokens, modelConfig.maxPositions()));
        int cache = MemoryPlan.cacheCapacity(promptTokens, promptTokens + config.maxNewTokens());
        MemoryPlan.Workload w = new MemoryPlan.Workload(Math.max(1, config.numBeams()), promptTokens, cache, 1);
        return MemoryCheck.checkCommand(MemoryCheck.ModelFacts.read(ModelFiles.local(model)), p, w);
    }

    static String text(BaylingModel model, GenerationConfig config, int[] tokens) {
        int n = tokens.length;
        if (n > 0 && config.eosIds().contains(tokens[n - 1])) {
            n--;
        }
        return model.tokenizer().decode(Arrays.copyOf(tokens, n));
    }

    private static String toJson(int[] ids, List<GeneratedSequence> seqs, BaylingModel model, GenerationConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> precision = new LinkedHashMap<>();
        precision.put("device", model.decoder().device().toString());
        precision.put("dtype", org.bayling.model.Precision.label(model.decoder().precision().compute()));
        precision.put("weights", model.decoder().precision().weights().label());
        root.put("precision", precision);
        root.put("input_ids", ids);
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (GeneratedSequence s : seqs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("output_ids", s.tokens());
            o.put("text", text(model, config, s.tokens()));
            o.put("score", s.score());
            o.put("token_logprobs", s.tokenLogprobs());
            o.put("finish_reason", s.finishReason().label());
            outputs.add(o);
        }
        root.put("outputs", outputs);
        Gson gson = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
        return gson.toJson(root);
    }
}
