package org.bayling.prompt;

import java.io.Serializable;

/**
 * One sentence of a document.
 *
 * @param index     position among all segments of the document (0-based)
 * @param paragraph paragraph it belongs to (0-based; paragraphs are separated by blank lines)
 * @param text      the sentence without surrounding whitespace
 * @param gapAfter  the source text between this sentence and the next one (or the end): a space,
 *                  nothing (CJK), a line break, or a paragraph break such as {@code \n\n}
 */
public record Segment(int index, int paragraph, String text, String gapAfter) implements Serializable {

    /** Whether the gap after this segment contains a line break (a paragraph or line boundary). */
    public boolean breaksLine() {
        return gapAfter.indexOf('\n') >= 0 || gapAfter.indexOf('\r') >= 0;
    }
}
