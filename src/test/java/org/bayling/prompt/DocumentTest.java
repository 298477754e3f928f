package org.bayling.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class DocumentTest {

    /** A crude token counter: one per whitespace-separated word, one per CJK character. */
    private static final ToIntFunction<String> WORDS = s -> {
        int n = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                inWord = false;
            } else if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
                n++;
                inWord = false;
            } else if (!inWord) {
                n++;
                inWord = true;
            }
        }
        return n;
    };

    @Test
    void englishAbbreviationsQuotesAndParagraphs() {
        String text = "Dr. Smith arrived at 5 p.m. yesterday. He said, \"It works.\" Then he left, e.g. to see "
                + "Mr. Brown! Really? J. R. R. Tolkien wrote it.\n\n"
                + "Second paragraph (with i.e. a note). Last one.\n";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("en").segment(text);
        assertEquals(List.of("Dr. Smith arrived at 5 p.m. yesterday.", "He said, \"It works.\"",
                        "Then he left, e.g. to see Mr. Brown!", "Really?", "J. R. R. Tolkien wrote it.",
                        "Second paragraph (with i.e. a note).", "Last one."),
                doc.segments().stream().map(Segment::text).toList());
        assertEquals(List.of(0, 0, 0, 0, 0, 1, 1), doc.segments().stream().map(Segment::paragraph).toList());
        assertEquals("\n\n", doc.segments().get(4).gapAfter());
        assertEquals("\n", doc.segments().get(6).gapAfter());
        assertEquals(2, doc.paragraphCount());
        assertEquals(text, doc.reconstruct());
    }

    @Test
    void germanAbbreviationsAndDates() {
        String text = "Das ist z. B. ein Test. Dr. Müller kam um 5 Uhr. Er sagte: „Gut.“ Dann ging er, "
                + "d. h. er lief. Am 12. März treffen wir uns. Das ist bzw. war ein Problem.";
        List<String> s = DocumentSegmenter.forLanguage("de").sentences(text);
        assertEquals(List.of("Das ist z. B. ein Test.", "Dr. Müller kam um 5 Uhr.", "Er sagte: „Gut.“",
                "Dann ging er, d. h. er lief.", "Am 12. März treffen wir uns.", "Das ist bzw. war ein Problem."), s);
    }

    @Test
    void chineseFullStopsQuotesBracketsAndParagraphs() {
        String text = "很抱歉，您点的餐可能会晚到一会。他说：“你好。”真的吗？是的！（这是括号。）下一句。\n\n  \n第二段。最后一句……完了。";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("zh").segment(text);
        assertEquals(List.of("很抱歉，您点的餐可能会晚到一会。", "他说：“你好。”", "真的吗？", "是的！", "（这是括号。）",
                        "下一句。", "第二段。", "最后一句……完了。"),
                doc.segments().stream().map(Segment::text).toList());
        assertEquals("", doc.segments().get(0).gapAfter());
        assertEquals("\n\n  \n", doc.segments().get(5).gapAfter());
        assertEquals(1, doc.segments().get(6).paragraph());
        assertEquals(text, doc.reconstruct());
    }

    @Test
    void japaneseQuotationsAndFullStops() {
        String text = "「こんにちは。」と彼は言った。今日は晴れです！本当ですか？はい。「次の文。」\n\n新しい段落。";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("ja").segment(text);
        assertEquals(List.of("「こんにちは。」と彼は言った。", "今日は晴れです！", "本当ですか？", "はい。", "「次の文。」",
                "新しい段落。"), doc.segments().stream().map(Segment::text).toList());
        assertEquals(List.of(0, 0, 0, 0, 0, 1), doc.segments().stream().map(Segment::paragraph).toList());
    }

    @Test
    void reassemblyRestoresParagraphLayout() {
        String text = "  First sentence. Second sentence.\nA new line.\n\n\nSecond paragraph.\n";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("en").segment(text);
        assertEquals(4, doc.segments().size());
        assertEquals("  ", doc.leading());

        AssembledDocument zh = DocumentAssembler.forLanguage("zh")
                .assembleSegments(doc, List.of("第一句。", " 第二句。", "新的一行。", "第二段。"));
        assertEquals("  第一句。第二句。\n新的一行。\n\n\n第二段。\n", zh.text());
        assertEquals(List.of(0, 0, 0, 1), zh.segments().stream().map(AlignedSegment::paragraph).toList());
        assertEquals(List.of(0, 1, 2, 3), zh.segments().stream().map(AlignedSegment::firstSegment).toList());
        assertEquals("Second sentence.", zh.segments().get(1).source());

        SegmentedDocument zhDoc = DocumentSegmenter.forLanguage("zh").segment("第一句。第二句。\n\n第二段。");
        AssembledDocument en = DocumentAssembler.forLanguage("en")
                .assembleSegments(zhDoc, List.of("First.", "Second.", "Second paragraph."));
        assertEquals("First. Second.\n\nSecond paragraph.", en.text());

        assertThrows(IllegalArgumentException.class,
                () -> DocumentAssembler.forLanguage("en").assembleSegments(zhDoc, List.of("one")));
    }

    @Test
    void chunksGroupSentencesWithinBudgetAndLines() {
        String text = "One two three. Four five. Six seven eight nine.\nTen.\n\nEleven twelve.";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("en").segment(text);
        List<Chunk> chunks = new Chunker(5, WORDS).chunk(doc);
        assertEquals(List.of("One two three. Four five.", "Six seven eight nine.", "Ten.", "Eleven twelve."),
                chunks.stream().map(Chunk::text).toList());
        assertEquals(0, chunks.get(0).firstSegment());
        assertEquals(1, chunks.get(0).lastSegment());
        assertEquals(List.of(5, 4, 1, 2), chunks.stream().map(Chunk::tokens).toList());
        assertFalse(chunks.stream().anyMatch(Chunk::oversized));
        AssembledDocument out = DocumentAssembler.forLanguage("de")
                .assemble(doc, chunks, List.of("Eins zwei drei. Vier fünf.", "Sechs.", "Zehn.", "Elf zwölf."));
        assertEquals("Eins zwei drei. Vier fünf. Sechs.\nZehn.\n\nElf zwölf.", out.text());
        assertEquals(List.of(1, 2, 3, 4), out.segments().stream().map(AlignedSegment::lastSegment).toList());
        assertEquals(List.of(0, 0, 0, 1), out.segments().stream().map(AlignedSegment::paragraph).toList());
    }

    @Test
    void overlongSentenceIsSplitAndFlaggedNeverTruncated() {
        String longSentence = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu.";
        String text = "Short one. " + longSentence + " Done.";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("en").segment(text);
        List<Chunk> chunks = new Chunker(4, WORDS).chunk(doc);
        List<Chunk> pieces = chunks.stream().filter(Chunk::oversized).toList();
        assertEquals(3, pieces.size());
        assertEquals(List.of("Alpha beta gamma delta", "epsilon zeta eta theta", "iota kappa lambda mu."),
                pieces.stream().map(Chunk::text).toList());
        for (int k = 0; k < pieces.size(); k++) {
            assertEquals(k, pieces.get(k).part());
            assertEquals(3, pieces.get(k).parts());
            assertEquals(1, pieces.get(k).firstSegment());
            assertTrue(pieces.get(k).tokens() <= 4);
        }
        assertEquals(longSentence, String.join(" ", pieces.stream().map(Chunk::text).toList()));
        assertEquals("Short one.", chunks.get(0).text());
        assertEquals("Done.", chunks.get(chunks.size() - 1).text());

        AssembledDocument out = DocumentAssembler.forLanguage("en").assemble(doc, chunks,
                chunks.stream().map(Chunk::text).toList());
        assertEquals(text, out.text());
        assertTrue(out.hasOversized());
    }

    @Test
    void overlongWordAndCjkSentenceAreSplitAtCharacters() {
        String cjk = "北京时间二零二三年六月十五日发布了百聆大模型。";
        SegmentedDocument doc = DocumentSegmenter.forLanguage("zh").segment(cjk);
        List<Chunk> chunks = new Chunker(6, WORDS).chunk(doc);
        assertTrue(chunks.size() > 1);
        assertTrue(chunks.stream().allMatch(c -> c.oversized() && c.tokens() <= 6));
        assertEquals(cjk, String.join("", chunks.stream().map(Chunk::text).toList()));

        ToIntFunction<String> chars = String::length;
        SegmentedDocument word = DocumentSegmenter.forLanguage("de").segment("Donaudampfschifffahrtsgesellschaft ok.");
        List<Chunk> wc = new Chunker(10, chars).chunk(word);
        assertEquals("Donaudampfschifffahrtsgesellschaft ok.",
                String.join("", wc.stream().map(c -> c.text() + c.gapAfter()).toList()));
        assertTrue(wc.stream().allMatch(c -> c.oversized() && c.tokens() <= 10));
    }

    @Test
    void segmentsOfEmptyAndBlankText() {
        assertEquals(0, DocumentSegmenter.forLanguage("en").segment("").segments().size());
        SegmentedDocument blank = DocumentSegmenter.forLanguage("en").segment(" \n\n ");
        assertEquals(0, blank.segments().size());
        assertEquals(" \n\n ", blank.reconstruct());
        assertThrows(UnknownLanguageException.class, () -> DocumentSegmenter.forLanguage("qq"));
    }
}
