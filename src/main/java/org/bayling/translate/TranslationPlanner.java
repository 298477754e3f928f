package org.bayling.translate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bayling.generate.GenerationConfig;
import org.bayling.prompt.AlignedSegment;
import org.bayling.prompt.AssembledDocument;
import org.bayling.prompt.Chunk;
import org.bayling.prompt.Chunker;
import org.bayling.prompt.DocumentAssembler;
import org.bayling.prompt.DocumentSegmenter;
import org.bayling.prompt.SegmentedDocument;

/**
 * The one path from rows to translations, used by the job, the ML Transformer and SQL alike:
 *
 * <ol>
 *   <li>row checks ({@link TaskChecks}); same-language rows are copied, identical rows translated once;</li>
 *   <li>a plan per row: the whole text in one prompt, or (a text over the prompt budget or with line
 *       breaks, or the {@code sentence}/{@code document} unit) sentences found by ICU for the source
 *       language, grouped into chunks under the budget without crossing a line break;</li>
 *   <li>every prompt rendered and tokenized once ({@link TranslationEngine#prompt});</li>
 *   <li>the prompts of all rows sorted by length and cut into batches under the token budget
 *       (prompt tokens x rows x beams), each batch one engine call;</li>
 *   <li>outcomes reassembled per row: a cut text gets back its paragraph and line breaks exactly, and
 *       the character spans of each segment in source and translation.</li>
 * </ol>
 *
 * No other class decides prompt lengths, context limits or chunks. Not thread-safe; cheap to make.
 */
public final class TranslationPlanner {

    /**
     * Budgets and the unit.
     *
     * @param unit            how texts are cut ({@link TranslationUnit#AUTO}: only when over the budget)
     * @param maxPromptTokens longest prompt accepted (0: what the context leaves after max_new_tokens)
     * @param maxBatchTokens  token budget of one engine call (prompt tokens x rows x beams)
     * @param chunkTokens     largest source text of one chunk of a cut text, in tokens
     * @param generation      decoding parameters (max_new_tokens and beams count against the budgets)
     */
    public record Settings(TranslationUnit unit, int maxPromptTokens, int maxBatchTokens, int chunkTokens,
                           GenerationConfig generation) {

        public Settings {
            unit = unit == null ? TranslationUnit.AUTO : unit;
            if (maxPromptTokens < 0 || maxBatchTokens < 1 || chunkTokens < 8) {
                throw new IllegalArgumentException("budgets: max prompt tokens >= 0, max batch tokens >= 1, "
                        + "chunk tokens >= 8; got " + maxPromptTokens + ", " + maxBatchTokens + ", " + chunkTokens);
            }
        }
    }

    /** Progress, told after each engine call. */
    public interface Progress {
        /**
         * @param prompts      prompts the call translated
         * @param rowsFinished rows whose last piece it translated (rows that needed no engine call are not counted)
         * @param outputTokens tokens it generated
         */
        void batchDone(int prompts, int rowsFinished, long outputTokens);
    }

    private final TranslationEngine engine;
    private final Settings settings;
    private Progress progress = (prompts, rows, tokens) -> { };

    public TranslationPlanner(TranslationEngine engine, Settings settings) {
        this.engine = engine;
        this.settings = settings;
    }

    /** Tells {@code p} what each engine call finished. */
    public TranslationPlanner onBatch(Progress p) {
        this.progress = p;
        return this;
    }

    /** One result per row, in order. */
    public List<RowTranslation> translate(List<TranslationTask> rows) {
        RowTranslation[] out = new RowTranslation[rows.size()];
        Map<RowKey, Plan> plans = new LinkedHashMap<>();
        Plan[] planOf = new Plan[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            TranslationTask t = rows.get(i);
            String problem = TaskChecks.problem(t);
            if (problem != null) {
                out[i] = RowTranslation.error(problem);
            } else if (t.srcLang().trim().toLowerCase(Locale.ROOT).equals(t.tgtLang().trim().toLowerCase(Locale.ROOT))) {
                out[i] = RowTranslation.skipped(t.text());
            } else {
                planOf[i] = plans.computeIfAbsent(RowKey.of(t), k -> plan(t));
                planOf[i].rows++;
            }
        }
        List<Piece> pending = new ArrayList<>();
        for (Plan p : plans.values()) {
            for (Piece piece : p.pieces) {
                if (piece.outcome == null) {
                    pending.add(piece);
                    p.remaining++;
                }
            }
        }
        run(pending);
        for (int i = 0; i < rows.size(); i++) {
            if (out[i] == null) {
                out[i] = planOf[i].result();
            }
        }
        return List.of(out);
    }

    // ---- plan ----

    private Plan plan(TranslationTask task) {
        Plan plan = new Plan(task);
        TaskPrompt whole = engine.prompt(task);
        if (whole.error() != null) {
            plan.pieces.add(new Piece(plan, whole, TranslationOutcome.failed(task.key(), whole.error())));
            return plan;
        }
        boolean fits = fits(whole.tokens());
        boolean turns = !task.followups().isEmpty();
        // a text with line breaks is cut at them: the layout is the source's, never the model's
        String inner = task.text().strip();
        boolean lines = inner.indexOf('\n') >= 0 || inner.indexOf('\r') >= 0;
        boolean cut = switch (settings.unit()) {
            case AUTO -> (!fits || lines) && !turns;
            case SENTENCE, DOCUMENT -> !turns;
            case NONE -> false;
        };
        if (!cut) {
            plan.pieces.add(new Piece(plan, whole, fits ? null : TranslationOutcome.failed(task.key(), tooLong(whole.tokens(),
                    turns ? " (rows with follow-up turns are not cut into segments)"
                            : settings.unit() == TranslationUnit.NONE ? " (unit 'none' does not cut texts)" : ""))));
            return plan;
        }
        // the chunk budget leaves room for this row's template and instruction around the text
        int overhead = Math.max(0, whole.tokens() - engine.countTokens(task.text()));
        int budget = Math.min(settings.chunkTokens(), promptBudget() - overhead - 8);
        if (budget < 1) {
            plan.pieces.add(new Piece(plan, whole, TranslationOutcome.failed(task.key(), "the prompt template alone ("
                    + overhead + " tokens) leaves no room for text in a prompt budget of " + promptBudget() + " tokens")));
            return plan;
        }
        plan.document = DocumentSegmenter.forLanguage(task.srcLang()).segment(task.text());
        Chunker chunker = new Chunker(budget, engine::countTokens);
        plan.chunks = settings.unit() == TranslationUnit.SENTENCE ? chunker.sentences(plan.document)
                : chunker.chunk(plan.document);
        for (Chunk c : plan.chunks) {
            TranslationTask piece = new TranslationTask(task.key() + "#" + c.index(), c.text(), task.srcLang(),
                    task.tgtLang(), List.of(), task.terms());
            TaskPrompt p = engine.prompt(piece);
            TranslationOutcome early = p.error() != null ? TranslationOutcome.failed(piece.key(), p.error())
                    : fits(p.tokens()) ? null : TranslationOutcome.failed(piece.key(), tooLong(p.tokens(), ""));
            plan.pieces.add(new Piece(plan, p, early));
        }
        return plan;
    }

    /** Longest prompt that leaves max_new_tokens in the context (and obeys max prompt tokens, when set). */
    private int promptBudget() {
        int ctx = engine.contextTokens() - settings.generation().maxNewTokens();
        return settings.maxPromptTokens() > 0 ? Math.min(settings.maxPromptTokens(), ctx) : ctx;
    }

    private boolean fits(int promptTokens) {
        return promptTokens <= promptBudget();
    }

    private String tooLong(int promptTokens, String why) {
        String limit = settings.maxPromptTokens() > 0 && settings.maxPromptTokens() < engine.contextTokens()
                - settings.generation().maxNewTokens()
                ? "the prompt limit is " + settings.maxPromptTokens() + " tokens"
                : "with max_new_tokens " + settings.generation().maxNewTokens() + " the model's context of "
                        + engine.contextTokens() + " tokens leaves " + promptBudget();
        return "input too long: prompt has " + promptTokens + " tokens; " + limit + why;
    }

    // ---- batches ----

    /** All pending pieces of all rows, by prompt length, in batches under the token budget. */
    private void run(List<Piece> pending) {
        pending.sort(Comparator.comparingInt((Piece p) -> p.prompt.tokens()));
        long beams = Math.max(1, settings.generation().numBeams());
        int start = 0;
        while (start < pending.size()) {
            int end = start + 1;
            // sorted ascending: a batch's last prompt is its longest, so the batch costs len * rows * beams
            while (end < pending.size()
                    && (long) pending.get(end).prompt.tokens() * (end - start + 1) * beams <= settings.maxBatchTokens()) {
                end++;
            }
            List<Piece> batch = pending.subList(start, end);
            List<TranslationOutcome> outcomes = engine.translate(batch.stream().map(p -> p.prompt).toList());
            if (outcomes == null || outcomes.size() != batch.size()) {
                throw new IllegalStateException("engine returned " + (outcomes == null ? "null" : outcomes.size())
                        + " outcomes for " + batch.size() + " prompts");
            }
            int rowsFinished = 0;
            long tokens = 0;
            for (int j = 0; j < batch.size(); j++) {
                Piece piece = batch.get(j);
                piece.outcome = outcomes.get(j);
                tokens += piece.outcome == null ? 0 : piece.outcome.outputTokens();
                if (--piece.plan.remaining == 0) {
                    rowsFinished += piece.plan.rows;
                }
            }
            progress.batchDone(batch.size(), rowsFinished, tokens);
            start = end;
        }
    }

    // ---- reassembly ----

    /** Identity of a row's work: equal rows are translated once. */
    private record RowKey(String text, String src, String tgt, List<String> followups, List<String> terms) {
        static RowKey of(TranslationTask t) {
            return new RowKey(t.text(), t.srcLang(), t.tgtLang(), t.followups(), t.terms());
        }
    }

    private static final class Piece {
        final Plan plan;
        final TaskPrompt prompt;
        TranslationOutcome outcome;

        Piece(Plan plan, TaskPrompt prompt, TranslationOutcome outcome) {
            this.plan = plan;
            this.prompt = prompt;
            this.outcome = outcome;
        }
    }

    private static final class Plan {
        final TranslationTask task;
        final List<Piece> pieces = new ArrayList<>();
        SegmentedDocument document; // null: the text went whole
        List<Chunk> chunks;
        RowTranslation result;
        int rows;      // input rows this plan serves (identical rows share one)
        int remaining; // pieces still waiting for the engine

        Plan(TranslationTask task) {
            this.task = task;
        }

        RowTranslation result() {
            if (result == null) {
                result = document == null ? whole() : reassembled();
            }
            return result;
        }

        private RowTranslation whole() {
            TranslationOutcome o = pieces.get(0).outcome;
            if (!o.ok() || o.translation() == null) {
                return RowTranslation.error(o.ok() ? "engine returned no translation" : nonEmpty(o.error()));
            }
            TurnOutput last = o.lastTurn();
            String t = o.translation();
            return new RowTranslation(RowTranslation.Status.OK, t, null, o.turns(), o.inputTokens(), o.outputTokens(),
                    o.reusedPrefixTokens(), last.finishReason(), List.of(new RowTranslation.TranslatedSegment(
                            task.text(), t, last, 0, task.text().length(), 0, t.length())));
        }

        private RowTranslation reassembled() {
            List<Integer> failed = new ArrayList<>();
            String firstError = null;
            List<String> translations = new ArrayList<>();
            for (int i = 0; i < pieces.size(); i++) {
                TranslationOutcome o = pieces.get(i).outcome;
                if (!o.ok() || o.translation() == null) {
                    failed.add(i + 1);
                    firstError = firstError != null ? firstError : o.ok() ? "engine returned no translation" : nonEmpty(o.error());
                    translations.add("");
                } else {
                    // a segment's translation never adds a line break: the source's breaks are the layout
                    translations.add(o.translation().replace('\r', ' ').replace('\n', ' '));
                }
            }
            if (!failed.isEmpty()) {
                return RowTranslation.error((failed.size() == 1 ? "segment " : "segments ")
                        + String.join(", ", failed.stream().map(String::valueOf).toList()) + " of " + pieces.size()
                        + " failed: " + firstError);
            }
            AssembledDocument doc = DocumentAssembler.forLanguage(task.tgtLang()).assemble(document, chunks, translations);
            List<TurnOutput> turns = new ArrayList<>();
            List<RowTranslation.TranslatedSegment> segments = new ArrayList<>();
            int in = 0;
            int outTokens = 0;
            int reused = 0;
            String finish = null;
            for (int i = 0; i < pieces.size(); i++) {
                TranslationOutcome o = pieces.get(i).outcome;
                AlignedSegment a = doc.segments().get(i);
                turns.addAll(o.turns());
                in += o.inputTokens();
                outTokens += o.outputTokens();
                reused += o.reusedPrefixTokens();
                String f = o.lastTurn().finishReason();
                finish = "length".equals(finish) ? finish : f;
                segments.add(new RowTranslation.TranslatedSegment(a.source(), a.translation(), o.lastTurn(),
                        a.sourceStart(), a.sourceEnd(), a.targetStart(), a.targetEnd()));
            }
            return new RowTranslation(RowTranslation.Status.OK, doc.text(), null, turns, in, outTokens, reused, finish,
                    segments);
        }
    }

    private static String nonEmpty(String e) {
        return e == null || e.isBlank() ? "translation failed (no message)" : e;
    }
}
