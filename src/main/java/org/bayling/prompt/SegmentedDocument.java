package org.bayling.prompt;

import java.io.Serializable;
import java.util.List;

/**
 * A text cut into sentences with its layout: {@code leading} + for each segment
 * {@code text + gapAfter} reproduces the original text exactly ({@link #reconstruct()}).
 *
 * @param language language of the text
 * @param leading  whitespace before the first sentence
 * @param segments the sentences in order
 */
public record SegmentedDocument(Language language, String leading, List<Segment> segments) implements Serializable {

    public SegmentedDocument {
        segments = List.copyOf(segments);
    }

    public int paragraphCount() {
        return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).paragraph() + 1;
    }

    /** The segments of one paragraph. */
    public List<Segment> paragraph(int paragraph) {
        return segments.stream().filter(s -> s.paragraph() == paragraph).toList();
    }

    /** The original text. */
    public String reconstruct() {
        StringBuilder sb = new StringBuilder(leading);
        for (Segment s : segments) {
            sb.append(s.text()).append(s.gapAfter());
        }
        return sb.toString();
    }
}
