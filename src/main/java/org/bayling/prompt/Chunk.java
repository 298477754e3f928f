package org.bayling.prompt;

import java.io.Serializable;

/**
 * A unit of translation cut from a {@link SegmentedDocument}: one or more whole sentences of one
 * paragraph line, or one piece of a sentence longer than the token budget.
 *
 * @param index        position among the document's chunks
 * @param paragraph    paragraph of its sentences
 * @param firstSegment index of its first source segment
 * @param lastSegment  index of its last source segment (equal to first for a piece)
 * @param text         source text to translate (sentences joined by their source gaps)
 * @param gapAfter     source text between this chunk and the next (a space, nothing, a line or
 *                     paragraph break, or the document's trailing whitespace)
 * @param oversized    true when the sentence exceeded the budget and was split: this chunk is
 *                     piece {@code part} of {@code parts}; never silently truncated
 * @param part         0-based piece number (0 for whole sentences)
 * @param parts        number of pieces of the sentence (1 for whole sentences)
 * @param tokens       the token counter's count of {@code text}
 */
public record Chunk(int index, int paragraph, int firstSegment, int lastSegment, String text, String gapAfter,
                    boolean oversized, int part, int parts, int tokens) implements Serializable {

    /** Whether the gap after this chunk holds a line or paragraph break. */
    public boolean breaksLine() {
        return gapAfter.indexOf('\n') >= 0 || gapAfter.indexOf('\r') >= 0;
    }
}
