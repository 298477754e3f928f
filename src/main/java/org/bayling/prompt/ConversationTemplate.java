package org.bayling.prompt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The prompt formats BayLing models were trained with, byte for byte.
 *
 * <p>A prompt is {@code renderSystem(system)} followed by {@code renderFinishedTurn(t)} for every
 * finished turn and {@code renderOpenTurn(instruction)} for the turn the model is to answer. Because
 * {@code renderFinishedTurn(t) == renderOpenTurn(t.instruction()) + renderResponse(t.response())},
 * the prompt of turn k (and the prompt of turn k followed by the model's response and stop marker)
 * is a string prefix of the prompt of turn k+1: the KV cache of an earlier turn, or of the shared
 * system part, can be reused. Every piece boundary follows a newline or a special token, which
 * both tokenizers treat as a token boundary; compare token ids before reusing a cache anyway.
 *
 * <p>The rendered text never contains the BOS token: the LLaMA-1/2 tokenizer adds {@code <s>}
 * itself; for Llama-3 checkpoints whose {@code tokenizer.json} does not add
 * {@code <|begin_of_text|>}, prepend {@link #bosTokenId()} (see {@link #tokenizerAddsBos(Path)}).
 */
public enum ConversationTemplate {

    /**
     * BayLing-7B/13B and BayLing-2-7B/13B (fastchat {@code SeparatorStyle.BAYLING}): {@code system}
     * + {@code \n}, then per turn {@code ### Instruction:\n{instruction}\n### Response:\n} and, for a
     * finished turn, {@code {response}</s>\n}. Text is inserted unchanged (no stripping).
     */
    BAYLING("bayling",
            "I am an intelligent language assistant developed by the NLP Group of ICT/CAS.\n"
                    + "Below is a dialog consisting of instructions and responses. Write a response that completes the request.\n",
            List.of("</s>"), List.of(2), "<s>", 1) {
        @Override
        public String renderSystem(String system) {
            return Objects.requireNonNull(system, "system") + "\n";
        }

        @Override
        public String renderOpenTurn(String instruction) {
            return "### Instruction:\n" + checkInstruction(instruction) + "\n### Response:\n";
        }

        @Override
        public String renderResponse(String response) {
            return Objects.requireNonNull(response, "response") + "</s>\n";
        }
    },

    /**
     * BayLing-2-Llama-3-8B (Llama-3 headers): system, instructions and responses are
     * {@code strip()}ped as Python does (the checkpoint's Jinja template applies {@code trim}).
     */
    BAYLING3("bayling3", "I am BayLing developed by the NLP Group of ICT/CAS.",
            List.of("<|eot_id|>", "<|end_of_text|>"), List.of(128001, 128009), "<|begin_of_text|>", 128000) {
        private static final String USER = "<|start_header_id|>user<|end_header_id|>\n\n";
        private static final String ASSISTANT = "<|start_header_id|>assistant<|end_header_id|>\n\n";
        private static final String EOT = "<|eot_id|>";

        @Override
        public String renderSystem(String system) {
            return "<|start_header_id|>system<|end_header_id|>\n\n"
                    + PyStrings.strip(Objects.requireNonNull(system, "system")) + EOT;
        }

        @Override
        public String renderOpenTurn(String instruction) {
            return USER + PyStrings.strip(checkInstruction(instruction)) + EOT + ASSISTANT;
        }

        @Override
        public String renderResponse(String response) {
            return PyStrings.strip(Objects.requireNonNull(response, "response")) + EOT;
        }
    };

    private final String id;
    private final String defaultSystem;
    private final List<String> stopStrings;
    private final List<Integer> stopTokenIds;
    private final String bosToken;
    private final int bosTokenId;

    ConversationTemplate(String id, String defaultSystem, List<String> stopStrings, List<Integer> stopTokenIds,
                         String bosToken, int bosTokenId) {
        this.id = id;
        this.defaultSystem = defaultSystem;
        this.stopStrings = stopStrings;
        this.stopTokenIds = stopTokenIds;
        this.bosToken = bosToken;
        this.bosTokenId = bosTokenId;
    }

    /** The system part alone: the prefix every prompt of this template starts with. */
    public abstract String renderSystem(String system);

    /** The part of an unanswered turn: instruction and the response header the model continues. */
    public abstract String renderOpenTurn(String instruction);

    /** What follows {@link #renderOpenTurn} once the turn is answered: response and end-of-turn marker. */
    public abstract String renderResponse(String response);

    /** A finished turn: {@code renderOpenTurn(instruction) + renderResponse(response)}. */
    public final String renderFinishedTurn(Turn turn) {
        return renderOpenTurn(turn.instruction()) + renderResponse(turn.response());
    }

    /** {@link #renderSystem(String)} with this template's default system prompt. */
    public final String renderSystem() {
        return renderSystem(defaultSystem);
    }

    /** System part plus the finished turns, without an open turn. */
    public final String renderPrefix(String system, List<Turn> finished) {
        StringBuilder sb = new StringBuilder(renderSystem(system));
        for (Turn t : finished) {
            sb.append(renderFinishedTurn(t));
        }
        return sb.toString();
    }

    public final String renderPrefix(List<Turn> finished) {
        return renderPrefix(defaultSystem, finished);
    }

    /** The full prompt: system, finished turns, then the open instruction the model is to answer. */
    public final String render(String system, List<Turn> finished, String openInstruction) {
        return renderPrefix(system, finished) + renderOpenTurn(openInstruction);
    }

    public final String render(List<Turn> finished, String openInstruction) {
        return render(defaultSystem, finished, openInstruction);
    }

    /** The name used in configuration: {@code bayling} or {@code bayling3}. */
    public final String id() {
        return id;
    }

    public final String defaultSystem() {
        return defaultSystem;
    }

    /** The end-of-turn marker the model emits: {@code </s>} or {@code <|eot_id|>}. */
    public final String stopMarker() {
        return stopStrings.get(0);
    }

    /** Every text marker that ends generation (the stop marker first). */
    public final List<String> stopStrings() {
        return stopStrings;
    }

    /** Token ids that end generation with the checkpoints' tokenizers: [2] or [128001, 128009]. */
    public final List<Integer> stopTokenIds() {
        return stopTokenIds;
    }

    public final String bosToken() {
        return bosToken;
    }

    public final int bosTokenId() {
        return bosTokenId;
    }

    /** Case-insensitive lookup by {@link #id()} ({@code bayling}, {@code bayling3}). */
    public static ConversationTemplate byName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (ConversationTemplate t : values()) {
                if (t.id.equals(n)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown conversation template '" + name
                + "': use 'bayling' (BayLing-7B/13B, BayLing-2-7B/13B) or 'bayling3' (BayLing-2-Llama-3-8B)");
    }

    /**
     * {@link #BAYLING3} when the model's {@code tokenizer_config.json} or {@code tokenizer.json}
     * knows {@code <|eot_id|>} or {@code <|start_header_id|>}, else {@link #BAYLING}.
     *
     * @throws IllegalArgumentException when the directory has neither file
     */
    public static ConversationTemplate detect(Path modelDir) {
        Path config = modelDir.resolve("tokenizer_config.json");
        Path tokenizer = modelDir.resolve("tokenizer.json");
        boolean any = false;
        for (Path p : List.of(config, tokenizer)) {
            if (Files.isRegularFile(p)) {
                any = true;
                String text = readString(p);
                if (text.contains("<|eot_id|>") || text.contains("<|start_header_id|>")) {
                    return BAYLING3;
                }
            }
        }
        if (!any) {
            throw new IllegalArgumentException("cannot detect the conversation template: no tokenizer_config.json or "
                    + "tokenizer.json in " + modelDir + " (pass the template name explicitly)");
        }
        return BAYLING;
    }

    /**
     * Whether the model's {@code tokenizer.json} post-processor adds this template's BOS token
     * itself. When it does not, the caller must prepend {@link #bosTokenId()} to the prompt ids
     * (BayLing was trained with exactly one BOS at the start).
     */
    public final boolean tokenizerAddsBos(Path modelDir) {
        Path tokenizer = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException("no tokenizer.json in " + modelDir);
        }
        try (Reader r = Files.newBufferedReader(tokenizer, StandardCharsets.UTF_8)) {
            JsonElement root = JsonParser.parseReader(r);
            JsonElement post = root.isJsonObject() ? root.getAsJsonObject().get("post_processor") : null;
            return addsToken(post, bosToken);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizer, e);
        }
    }

    private static boolean addsToken(JsonElement processor, String token) {
        if (processor == null || !processor.isJsonObject()) {
            return false;
        }
        JsonObject p = processor.getAsJsonObject();
        String type = p.has("type") ? p.get("type").getAsString() : "";
        if (type.equals("Sequence") && p.has("processors")) {
            for (JsonElement e : p.getAsJsonArray("processors")) {
                if (addsToken(e, token)) {
                    return true;
                }
            }
            return false;
        }
        if (type.equals("TemplateProcessing") && p.has("single")) {
            JsonArray single = p.getAsJsonArray("single");
            for (JsonElement piece : single) {
                if (piece.isJsonObject() && piece.getAsJsonObject().has("SpecialToken")) {
                    JsonObject st = piece.getAsJsonObject().getAsJsonObject("SpecialToken");
                    if (st.has("id") && token.equals(st.get("id").getAsString())) {
                        return true;
                    }
                }
            }
        }
        if ((type.equals("BertProcessing") || type.equals("RobertaProcessing")) && p.has("cls")) {
            return token.equals(p.getAsJsonArray("cls").get(0).getAsString());
        }
        return false;
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    private static String checkInstruction(String instruction) {
        Objects.requireNonNull(instruction, "instruction");
        if (PyStrings.strip(instruction).isEmpty()) {
            throw new IllegalArgumentException("instruction is empty");
        }
        return instruction;
    }
}
