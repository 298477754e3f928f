package org.bayling.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts translated chunks back together in the source layout. Line and paragraph breaks of the
 * source (and the document's leading and trailing whitespace) are kept exactly; chunks on one
 * line are joined the way the target language joins sentences: with a space, or with nothing for
 * Chinese, Japanese, Thai and other languages written without spaces.
 */
public final class DocumentAssembler {

    private final Language target;

    public DocumentAssembler(Language target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** @throws UnknownLanguageException for an unknown code */
    public static DocumentAssembler forLanguage(String targetCode) {
        return new DocumentAssembler(Languages.of(targetCode));
    }

    /** One translation per segment of {@code doc}, in order. */
    public AssembledDocument assembleSegments(SegmentedDocument doc, List<String> segmentTranslations) {
        return assemble(doc, Chunker.perSegment(doc), segmentTranslations);
    }

    /**
     * One translation per chunk, in order.
     *
     * @throws IllegalArgumentException when the counts differ or a translation is null
     */
    public AssembledDocument assemble(SegmentedDocument doc, List<Chunk> chunks, List<String> translations) {
        if (chunks.size() != translations.size()) {
            throw new IllegalArgumentException(chunks.size() + " chunks but " + translations.size() + " translations");
        }
        String joiner = target.spaceDelimited() ? " " : "";
        StringBuilder sb = new StringBuilder(doc.leading());
        List<AlignedSegment> aligned = new ArrayList<>(chunks.size());
        int sourceAt = doc.leading().length(); // leading + each chunk's text and gap rebuild the source
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            String t = translations.get(i);
            if (t == null) {
                throw new IllegalArgumentException("no translation for chunk " + i);
            }
            t = PyStrings.strip(t);
            int targetStart = sb.length();
            sb.append(t);
            int targetEnd = sb.length();
            int sourceStart = sourceAt;
            sourceAt += c.text().length() + c.gapAfter().length();
            boolean last = i == chunks.size() - 1;
            if (last || c.breaksLine()) {
                sb.append(c.gapAfter());
            } else if (!t.isEmpty()) {
                sb.append(joiner);
            }
            aligned.add(new AlignedSegment(c.index(), c.paragraph(), c.firstSegment(), c.lastSegment(), c.text(), t,
                    c.oversized(), c.part(), c.parts(), sourceStart, sourceStart + c.text().length(), targetStart,
                    targetEnd));
        }
        return new AssembledDocument(sb.toString(), aligned);
    }
}
