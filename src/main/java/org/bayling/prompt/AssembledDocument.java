package org.bayling.prompt;

import java.io.Serializable;
import java.util.List;

/**
 * A translated document and its alignment to the source.
 *
 * @param text     the translation, with the source's paragraph and line breaks in place
 * @param segments one entry per translated chunk, in order
 */
public record AssembledDocument(String text, List<AlignedSegment> segments) implements Serializable {

    public AssembledDocument {
        segments = List.copyOf(segments);
    }

    /** Whether any sentence had to be split for exceeding the token budget. */
    public boolean hasOversized() {
        return segments.stream().anyMatch(AlignedSegment::oversized);
    }
}
