package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import org.bayling.translate.LanguageCodes;
import org.bayling.translate.TaskChecks;
import org.junit.jupiter.api.Test;

class TranslateOptionsTest {

    private static TranslateOptions.Builder base() {
        return TranslateOptions.builder().input("in.jsonl").output("out").model("m").srcLang("en").tgtLang("zh");
    }

    @Test
    void defaultsAndFormatFromPath() throws Exception {
        TranslateOptions o = base().build();
        assertEquals(TranslateOptions.InputFormat.JSONL, o.format());
        assertEquals(TranslateOptions.WriteMode.OVERWRITE, o.mode());
        assertEquals(TranslationSettings.Distribution.AUTO, o.translation().distribution());
        assertEquals(5, o.translation().generation().numBeams());
        assertEquals("text", o.columns().text());
        assertEquals(TranslateOptions.InputFormat.TEXT, TranslateOptions.InputFormat.fromPath("x/enzh.src"));
        assertEquals(TranslateOptions.InputFormat.CSV, TranslateOptions.InputFormat.fromPath("x.csv.gz"));
        new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(o); // serializable
    }

    @Test
    void validationNamesTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> base().input(null).build())
                .getMessage().contains("--input"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> base().tgtLang("xx-nonsense!").build())
                .getMessage().contains("--tgt-lang"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> base().device("tpu").build())
                .getMessage().contains("--device"));
        assertThrows(IllegalArgumentException.class, () -> TranslateOptions.InputFormat.parse("xml"));
    }

    @Test
    void languageCodes() {
        assertTrue(LanguageCodes.isKnown("en"));
        assertTrue(LanguageCodes.isKnown("zh-Hans"));
        assertTrue(LanguageCodes.isKnown("pt_BR"));
        assertTrue(LanguageCodes.isKnown("deu"));
        assertFalse(LanguageCodes.isKnown("xx"));
        assertFalse(LanguageCodes.isKnown("klingon"));
        assertFalse(LanguageCodes.isKnown(""));
    }

    @Test
    void textChecks() {
        assertEquals(null, TaskChecks.textProblem("fine 😀 text\twith tab"));
        assertTrue(TaskChecks.textProblem("a\ud800b").contains("lone surrogate"));
        assertTrue(TaskChecks.textProblem("a\udc00").contains("lone surrogate"));
        assertTrue(TaskChecks.textProblem("a\u0000").contains("control character"));
        assertTrue(TaskChecks.textProblem("bad \uFFFD byte").contains("U+FFFD"));
        assertFalse(RequestHash.of("ab", "en", "zh", null, null)
                .equals(RequestHash.of("a", "ben", "zh", null, null)));
    }
}
