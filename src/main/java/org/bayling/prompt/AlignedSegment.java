package org.bayling.prompt;

import java.io.Serializable;

/**
 * One translated chunk in the assembled document, with where it came from.
 *
 * @param chunk        index of the chunk
 * @param paragraph    source paragraph
 * @param firstSegment first source segment index
 * @param lastSegment  last source segment index
 * @param source       source text of the chunk
 * @param translation  its translation as placed in the document
 * @param oversized    the chunk is a piece of a sentence split for exceeding the token budget
 * @param part         piece number within the split sentence
 * @param parts        number of pieces of the split sentence
 * @param sourceStart  where {@code source} starts in the document (its end is {@code sourceEnd}, exclusive)
 * @param sourceEnd    end of {@code source} in the document
 * @param targetStart  where {@code translation} starts in the assembled text
 * @param targetEnd    end of {@code translation} in the assembled text
 */
public record AlignedSegment(int chunk, int paragraph, int firstSegment, int lastSegment, String source,
                             String translation, boolean oversized, int part, int parts, int sourceStart,
                             int sourceEnd, int targetStart, int targetEnd) implements Serializable {
}
