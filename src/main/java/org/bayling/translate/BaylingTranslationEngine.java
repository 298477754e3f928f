package org.bayling.translate;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bayling.generate.CacheSnapshot;
import org.bayling.generate.GeneratedSequence;
import org.bayling.generate.GenerationConfig;
import org.bayling.generate.StopCondition;
import org.bayling.model.BaylingModel;
import org.bayling.predict.BaylingModelZoo;
import org.bayling.predict.BaylingZooModel;
import org.bayling.predict.GenerationRequest;
import org.bayling.predict.GenerationResult;
import org.bayling.prompt.Conversation;
import org.bayling.prompt.InstructionLanguage;
import org.bayling.prompt.Languages;
import org.bayling.prompt.ResponseCleaner;
import org.bayling.prompt.TranslationInstruction;

/**
 * The {@link TranslationEngine} on the DJL BayLing predictor: builds BayLing conversations from tasks,
 * decodes them in token-budgeted batches, runs follow-up turns in the same conversation, and reuses
 * KV caches instead of recomputing them — the shared head of every prompt (system prompt and
 * instruction up to the source text) across batches, and each conversation's earlier turns across
 * turns. Thread-safe: {@link #translate} may be called from several threads (each call takes its own
 * predictor; the prefix store is synchronized).
 *
 * <p>Every decode goes through DJL's {@link Predictor}. The engine also holds the {@link BaylingZooModel}
 * itself, for two things a DJL {@code Translator} cannot do: prompts are rendered and tokenized here,
 * before any predictor call, because batches are cut by prompt length; and the shared-head KV caches
 * outlive single predictor calls (a Translator only sees one call's context).
 */
public final class BaylingTranslationEngine implements TranslationEngine {

    private static final int PREFIX_STORE_SIZE = 16;
    private static final String PLACEHOLDER = "\uE000"; // a private-use character no text contains

    private final BaylingZooModel zoo;
    private final BaylingModel model;
    private final EngineOptions options;
    private final GenerationConfig generation;
    private final InstructionLanguage instructionLanguage;
    private final Map<String, CacheSnapshot> prefixes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CacheSnapshot> eldest) {
            if (size() > PREFIX_STORE_SIZE) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    private BaylingTranslationEngine(BaylingZooModel zoo, EngineOptions options) {
        this.zoo = zoo;
        this.model = zoo.bayling();
        this.options = options;
        this.generation = model.resolve(options.generation());
        this.instructionLanguage = InstructionLanguage.parse(options.instructionLanguage());
    }

    /** Loads the model directory through DJL's Criteria / model zoo. */
    public static TranslationEngine open(EngineOptions options) {
        org.bayling.model.PyTorchRuntime.setThreads(options.threads());
        Device device = options.device() == null ? null : Device.fromName(options.device());
        try {
            return new BaylingTranslationEngine(BaylingModelZoo.load(Path.of(options.modelDir()), device, options.dtype(),
                    options.weights(), options.template()), options);
        } catch (org.bayling.model.UnsupportedPrecisionException e) {
            throw e; // a configuration error with its own one-line message
        } catch (Exception e) {
            throw new IllegalStateException("cannot load model " + options.modelDir() + ": " + e.getMessage(), e);
        }
    }

    public BaylingModel model() {
        return model;
    }

    @Override
    public TaskPrompt prompt(TranslationTask task) {
        try {
            Languages.of(task.srcLang());
            String instruction = TranslationInstruction.build(instructionLanguage, task.tgtLang(), task.text(), task.terms());
            Conversation conversation = Conversation.start(model.template());
            // the shared head is what precedes the text: render with a placeholder and cut there
            String marked = conversation.prompt(TranslationInstruction.build(instructionLanguage, task.tgtLang(),
                    PLACEHOLDER, List.of()));
            int head = Math.max(0, marked.indexOf(PLACEHOLDER));
            return new TaskPrompt(task, instruction, model.tokenizer().encode(conversation.prompt(instruction)),
                    marked.substring(0, head), null);
        } catch (RuntimeException e) {
            return TaskPrompt.failed(task, e.getMessage());
        }
    }

    @Override
    public int countTokens(String text) {
        return model.tokenizer().count(text);
    }

    @Override
    public int contextTokens() {
        return model.config().maxPositions();
    }

    /** A task's conversation while its turns run. */
    private static final class TaskConversation {
        final TranslationTask task;
        final String sharedHead;
        Conversation conversation;
        String instruction;
        int[] ids;
        int turn;
        CacheSnapshot history;
        final List<TurnOutput> turns = new ArrayList<>();
        int reused;
        String error;

        TaskConversation(TaskPrompt prompt, Conversation start) {
            this.task = prompt.task();
            this.sharedHead = prompt.sharedHead();
            this.conversation = start;
            this.instruction = prompt.instruction();
            this.ids = prompt.ids();
            this.error = prompt.error();
        }
    }

    @Override
    public List<TranslationOutcome> translate(List<TaskPrompt> batch) {
        List<TaskConversation> live = new ArrayList<>();
        List<TaskConversation> conversations = new ArrayList<>(batch.size());
        for (TaskPrompt p : batch) {
            TaskConversation conv = new TaskConversation(p, Conversation.start(model.template()));
            conversations.add(conv);
            if (conv.error == null) {
                conv.error = checkContext(conv.ids.length);
            }
            if (conv.error == null) {
                live.add(conv);
            }
        }
        try (Predictor<GenerationRequest, GenerationResult> predictor = zoo.newPredictor()) {
            while (!live.isEmpty()) {
                runBatch(predictor, live);
                List<TaskConversation> next = new ArrayList<>();
                for (TaskConversation conv : live) {
                    if (conv.error == null && conv.turn <= conv.task.followups().size()) {
                        String followup = conv.task.followups().get(conv.turn - 1); // turn k answers follow-up k - 1
                        TurnOutput last = conv.turns.get(conv.turns.size() - 1);
                        conv.conversation = conv.conversation.withTurn(conv.instruction, last.response());
                        conv.instruction = followup;
                        conv.ids = model.tokenizer().encode(conv.conversation.prompt(followup));
                        conv.error = checkContext(conv.ids.length);
                        if (conv.error == null) {
                            next.add(conv);
                            continue;
                        }
                    }
                    if (conv.history != null) {
                        conv.history.close();
                        conv.history = null;
                    }
                }
                live = next;
            }
        }
        List<TranslationOutcome> out = new ArrayList<>(conversations.size());
        for (TaskConversation conv : conversations) {
            String key = conv.task.key();
            out.add(conv.error != null ? TranslationOutcome.failed(key, conv.error)
                    : new TranslationOutcome(key, true, null, List.copyOf(conv.turns), conv.ids.length, conv.reused));
        }
        return out;
    }

    /**
     * Runs the current turn of a batch as one predictor call: the planner made the batch fit the token
     * budget; later turns reuse each conversation's cache, so only their new tokens are computed.
     */
    private void runBatch(Predictor<GenerationRequest, GenerationResult> predictor, List<TaskConversation> batch) {
        List<int[]> prompts = new ArrayList<>();
        List<CacheSnapshot> seeds = new ArrayList<>();
        boolean anyFollowups = false;
        for (TaskConversation conv : batch) {
            prompts.add(conv.ids);
            seeds.add(conv.history != null ? conv.history : sharedHead(conv));
            anyFollowups |= conv.turn < conv.task.followups().size();
        }
        GenerationResult result;
        try {
            result = predictor.predict(new GenerationRequest(prompts, generation, seeds, anyFollowups, stopCondition()));
        } catch (TranslateException | RuntimeException e) {
            for (TaskConversation conv : batch) {
                conv.error = "generation failed: " + e.getMessage();
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            TaskConversation conv = batch.get(i);
            List<GeneratedSequence> seqs = result.sequences().get(i);
            GeneratedSequence best = seqs.get(0);
            for (int s = 1; s < seqs.size(); s++) {
                if (seqs.get(s).cache() != null) {
                    seqs.get(s).cache().close();
                }
            }
            if (conv.history != null) {
                conv.history.close();
            }
            conv.history = best.cache();
            conv.reused += result.reusedTokens()[i];
            conv.turns.add(new TurnOutput(conv.instruction, ResponseCleaner.sentence(decode(best.tokens())),
                    best.tokens(), best.tokenLogprobs(), best.finishReason().label()));
            conv.turn++;
        }
    }

    /** The cached KV of the task's static prompt head (system prompt and instruction up to the text). */
    private CacheSnapshot sharedHead(TaskConversation conv) {
        if (conv.turn > 0 || conv.sharedHead.isEmpty()) {
            return null;
        }
        synchronized (prefixes) {
            CacheSnapshot cached = prefixes.get(conv.sharedHead);
            if (cached == null) {
                int[] ids = model.tokenizer().encode(conv.sharedHead);
                // the boundary token may merge with the text: keep only what the full prompt shares
                int common = 0;
                while (common < ids.length && common < conv.ids.length && ids[common] == conv.ids[common]) {
                    common++;
                }
                if (common < 2) {
                    return null;
                }
                cached = zoo.prefill(Arrays.copyOf(ids, common));
                prefixes.put(conv.sharedHead, cached);
            }
            return cached;
        }
    }

    private String decode(int[] tokens) {
        int n = tokens.length;
        if (n > 0 && generation.eosIds().contains(tokens[n - 1])) {
            n--;
        }
        return model.tokenizer().decode(Arrays.copyOf(tokens, n));
    }

    private StopCondition stopCondition() {
        List<String> stops = generation.stopStrings();
        if (stops.isEmpty()) {
            return StopCondition.NEVER;
        }
        return generated -> {
            String text = model.tokenizer().decode(generated);
            return stops.stream().anyMatch(text::contains);
        };
    }

    private String checkContext(int promptTokens) {
        int limit = model.config().maxPositions();
        if (promptTokens + generation.maxNewTokens() > limit) {
            return "input too long: prompt is " + promptTokens + " tokens and max_new_tokens is "
                    + generation.maxNewTokens() + ", the model's context is " + limit + " tokens";
        }
        return null;
    }

    @Override
    public void close() {
        synchronized (prefixes) {
            prefixes.values().forEach(CacheSnapshot::close);
            prefixes.clear();
        }
        zoo.close();
    }
}
