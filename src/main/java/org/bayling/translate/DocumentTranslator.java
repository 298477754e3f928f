package org.bayling.translate;

import java.util.ArrayList;
import java.util.List;
import org.bayling.prompt.AssembledDocument;
import org.bayling.prompt.Chunk;
import org.bayling.prompt.Chunker;
import org.bayling.prompt.DocumentAssembler;
import org.bayling.prompt.DocumentSegmenter;
import org.bayling.prompt.SegmentedDocument;

/**
 * Translates whole documents: sentences found with ICU (per source locale), grouped into chunks under
 * a token budget (never across a paragraph), translated as one batch, then reassembled with the
 * paragraph layout in place and each output piece aligned to its source sentences. A sentence longer
 * than the budget is cut into pieces and flagged in the alignment, never silently truncated.
 */
public final class DocumentTranslator {

    /**
     * A translated document.
     *
     * @param document the reassembled translation with its segment alignment
     * @param outcomes one per chunk, in order (errors included)
     */
    public record Result(AssembledDocument document, List<TranslationOutcome> outcomes) {

        public boolean ok() {
            return outcomes.stream().allMatch(TranslationOutcome::ok);
        }
    }

    private final TranslationEngine engine;
    private final int chunkTokens;

    /** @param chunkTokens token budget of one chunk's source text */
    public DocumentTranslator(TranslationEngine engine, int chunkTokens) {
        if (chunkTokens < 8) {
            throw new IllegalArgumentException("chunk token budget must be at least 8, got " + chunkTokens);
        }
        this.engine = engine;
        this.chunkTokens = chunkTokens;
    }

    public Result translate(String key, String text, String srcLang, String tgtLang) {
        SegmentedDocument doc = DocumentSegmenter.forLanguage(srcLang).segment(text);
        List<Chunk> chunks = new Chunker(chunkTokens, this::tokens).chunk(doc);
        List<TranslationTask> tasks = new ArrayList<>();
        for (Chunk c : chunks) {
            tasks.add(TranslationTask.of(key + "#" + c.index(), c.text(), srcLang, tgtLang));
        }
        List<TranslationOutcome> outcomes = engine.translate(tasks);
        List<String> translations = new ArrayList<>();
        for (TranslationOutcome o : outcomes) {
            translations.add(o.ok() ? o.translation() : "");
        }
        return new Result(DocumentAssembler.forLanguage(tgtLang).assemble(doc, chunks, translations), outcomes);
    }

    /** Source tokens of a piece of text, as the model's tokenizer counts them. */
    private int tokens(String text) {
        if (engine instanceof BaylingTranslationEngine b) {
            return b.model().tokenizer().count(text);
        }
        return Math.max(1, text.length() / 4);
    }
}
