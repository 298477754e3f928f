package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings derived by hand from sacreBLEU 2.x's tokenizer code. */
class TokenizersTest {

    private static String tok(String name, String s) {
        return Tokenizers.forName(name).tokenize(s);
    }

    @Test
    void tok13a() {
        assertEquals("Hello , world .", tok("13a", "Hello, world."));
        assertEquals("3.14 , 1,000 and 5 - 6", tok("13a", "3.14, 1,000 and 5-6"));
        assertEquals("\" Hi \" & < >", tok("13a", "&quot;Hi&quot; &amp; &lt; &gt;"));
        assertEquals("it's ( ok ) !", tok("13a", "it's (ok)!")); // U+0027 is not in mteval's class
        // Python's str.split() treats NBSP as whitespace
        assertEquals("a b", tok("13a", "a\u00a0b"));
        assertEquals("", tok("13a", ""));
    }

    @Test
    void tokIntl() {
        assertEquals("Hello , world .", tok("intl", "Hello, world."));
        assertEquals("1,000.5", tok("intl", "1,000.5"));
        // mteval-v14 quirk kept by sacreBLEU: a number followed by a final period is not split
        assertEquals("in 2020.", tok("intl", "in 2020."));
        assertEquals("$ 5 €", tok("intl", "$5€"));
        assertEquals("« Bonjour »", tok("intl", "«Bonjour»"));
    }

    @Test
    void tokZh() {
        assertEquals("他 说 你 好 。", tok("zh", "他说你好。"));
        assertEquals("BayLing 13B 模 型", tok("zh", "BayLing 13B模型"));
        // sacreBLEU's '\u20000' range bug: U+2001..U+2A6D (“ ” — …) are treated as Chinese characters
        assertEquals("ABC “ x ” —", tok("zh", "ABC“x”—"));
        assertTrue(Tokenizers.isChineseChar(0x201C));
        assertFalse(Tokenizers.isChineseChar(0x2000));
        assertTrue(Tokenizers.isChineseChar(0x2A6D));
        assertFalse(Tokenizers.isChineseChar(0x20000)); // real CJK Ext. B is *not* covered
        assertEquals("a\uD840\uDC00b", tok("zh", "a\uD840\uDC00b"));
    }

    @Test
    void tokCharAndNone() {
        assertEquals("模 型 a b", tok("char", "模型ab"));
        assertEquals(List.of("模", "型", "a", "b"), PyText.split(tok("char", "模型 ab")));
        assertEquals(" keep  as is ", tok("none", " keep  as is "));
    }

    @Test
    void mecabTokenizersAreRejectedClearly() {
        UnsupportedTokenizerException e = assertThrows(UnsupportedTokenizerException.class,
                () -> Tokenizers.forName("ja-mecab"));
        assertTrue(e.getMessage().contains("MeCab"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> Tokenizers.forName("ko-mecab"));
        assertThrows(UnsupportedOperationException.class, () -> Bleu.forTarget("ja"));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.forName("nope"));
    }

    @Test
    void defaultTokenizerFollowsTargetLanguage() {
        assertEquals("zh", Tokenizers.defaultFor("zh"));
        assertEquals("ja-mecab", Tokenizers.defaultFor("ja"));
        assertEquals("ko-mecab", Tokenizers.defaultFor("ko"));
        assertEquals("13a", Tokenizers.defaultFor("de"));
        assertEquals("13a", Tokenizers.defaultFor(null));
        assertTrue(Bleu.forTarget("zh").signature(1, null, null).contains("tok:zh"));
        assertTrue(Ter.forTarget("zh").signature(1, null, null).contains("asian:yes"));
        assertTrue(Ter.forTarget("en").signature(1, null, null).contains("asian:no"));
    }

    @Test
    void pythonWhitespaceSemantics() {
        // the full CPython str.isspace() set
        int[] spaces = {0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
            0x3000};
        int count = 0;
        for (int cp = 0; cp < 0x110000; cp++) {
            if (PyText.isSpace(cp)) {
                assertEquals(spaces[count], cp);
                count++;
            }
        }
        assertEquals(spaces.length, count);
        assertEquals("a b", PyText.strip("\u3000a b\u00a0"));
    }
}
