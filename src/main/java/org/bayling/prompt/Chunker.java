package org.bayling.prompt;

import com.ibm.icu.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Groups consecutive sentences into chunks whose token count stays within a budget.
 *
 * <p>A chunk never crosses a line or paragraph break, so the layout survives translation. A
 * sentence longer than the budget becomes several chunks flagged {@link Chunk#oversized()}: cut at
 * the last word boundary (ICU word breaks; between any two characters of CJK text) that keeps
 * the piece within the budget, or, for a single word longer than the budget, at the last
 * character (grapheme) boundary that does. A single grapheme over the budget becomes its own
 * piece (still flagged; its {@link Chunk#tokens()} shows the excess). Text is never dropped.
 */
public final class Chunker {

    private final int maxTokens;
    private final ToIntFunction<String> tokenCounter;

    /**
     * @param maxTokens    largest token count of a chunk's text (at least 1)
     * @param tokenCounter counts tokens of a text as the model's tokenizer would (without BOS)
     */
    public Chunker(int maxTokens, ToIntFunction<String> tokenCounter) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        this.maxTokens = maxTokens;
        this.tokenCounter = Objects.requireNonNull(tokenCounter, "tokenCounter");
    }

    /** One chunk per sentence, no budget: for sentence-by-sentence translation. */
    public static List<Chunk> perSegment(SegmentedDocument doc) {
        List<Chunk> out = new ArrayList<>();
        for (Segment s : doc.segments()) {
            out.add(new Chunk(out.size(), s.paragraph(), s.index(), s.index(), s.text(), s.gapAfter(), false, 0, 1, -1));
        }
        return out;
    }

    /** One chunk per sentence; a sentence over the budget is cut into pieces as {@link #chunk} does. */
    public List<Chunk> sentences(SegmentedDocument doc) {
        List<Chunk> out = new ArrayList<>();
        for (Segment s : doc.segments()) {
            int count = tokenCounter.applyAsInt(s.text());
            if (count > maxTokens) {
                split(doc.language(), s, out);
            } else {
                out.add(new Chunk(out.size(), s.paragraph(), s.index(), s.index(), s.text(), s.gapAfter(), false, 0, 1,
                        count));
            }
        }
        return out;
    }

    /** Sentences grouped into chunks within the budget, never across a line break. */
    public List<Chunk> chunk(SegmentedDocument doc) {
        List<Chunk> out = new ArrayList<>();
        List<Segment> segs = doc.segments();
        int i = 0;
        while (i < segs.size()) {
            Segment first = segs.get(i);
            int firstCount = tokenCounter.applyAsInt(first.text());
            if (firstCount > maxTokens) {
                split(doc.language(), first, out);
                i++;
                continue;
            }
            StringBuilder text = new StringBuilder(first.text());
            int count = firstCount;
            int last = i;
            while (!segs.get(last).breaksLine() && last + 1 < segs.size()) {
                Segment next = segs.get(last + 1);
                String candidate = text + segs.get(last).gapAfter() + next.text();
                int c = tokenCounter.applyAsInt(candidate);
                if (c > maxTokens) {
                    break;
                }
                text.setLength(0);
                text.append(candidate);
                count = c;
                last++;
            }
            out.add(new Chunk(out.size(), first.paragraph(), i, last, text.toString(), segs.get(last).gapAfter(),
                    false, 0, 1, count));
            i = last + 1;
        }
        return out;
    }

    private void split(Language language, Segment seg, List<Chunk> out) {
        String s = seg.text();
        List<Integer> words = boundaries(BreakIterator.getWordInstance(language.locale()), s);
        List<int[]> pieces = new ArrayList<>(); // start, end of each piece (untrimmed cut points)
        int p = 0;
        while (p < s.length()) {
            int q = farthest(s, p, words);
            if (q < 0) {
                final int from = p;
                int nextWord = words.stream().filter(w -> w > from).findFirst().orElse(s.length());
                List<Integer> chars = new ArrayList<>();
                for (int c : boundaries(BreakIterator.getCharacterInstance(language.locale()), s)) {
                    if (c > from && c <= nextWord) {
                        chars.add(c);
                    }
                }
                q = farthest(s, p, chars);
                if (q < 0) {
                    q = chars.get(0); // one grapheme over budget: emit it rather than lose it
                }
            }
            pieces.add(new int[] {p, q});
            p = q;
            while (p < s.length() && PyStrings.isSpace(s.charAt(p))) {
                p++;
            }
        }
        for (int k = 0; k < pieces.size(); k++) {
            int[] piece = pieces.get(k);
            String raw = s.substring(piece[0], piece[1]);
            String text = PyStrings.strip(raw);
            String gap = k + 1 < pieces.size()
                    ? s.substring(piece[0] + rstripLength(raw), pieces.get(k + 1)[0])
                    : seg.gapAfter();
            out.add(new Chunk(out.size(), seg.paragraph(), seg.index(), seg.index(), text, gap, true, k, pieces.size(),
                    tokenCounter.applyAsInt(text)));
        }
    }

    /** Largest cut in {@code cuts} (ascending) after {@code p} whose piece fits, or -1. */
    private int farthest(String s, int p, List<Integer> cuts) {
        int lo = 0;
        int hi = cuts.size() - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = cuts.get(mid);
            if (c <= p) {
                lo = mid + 1;
                continue;
            }
            String piece = PyStrings.strip(s.substring(p, c));
            if (piece.isEmpty() || tokenCounter.applyAsInt(piece) <= maxTokens) {
                best = c;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // a piece of only whitespace is no progress
        return best > p && !PyStrings.strip(s.substring(p, best)).isEmpty() ? best : -1;
    }

    private static List<Integer> boundaries(BreakIterator bi, String s) {
        bi.setText(s);
        List<Integer> out = new ArrayList<>();
        for (int b = bi.first(); b != BreakIterator.DONE; b = bi.next()) {
            if (b > 0) {
                out.add(b);
            }
        }
        return out;
    }

    private static int rstripLength(String raw) {
        int e = raw.length();
        while (e > 0 && PyStrings.isSpace(raw.charAt(e - 1))) {
            e--;
        }
        return e;
    }
}
