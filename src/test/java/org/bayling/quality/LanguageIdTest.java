package org.bayling.quality;

import org.bayling.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Language identification accuracy on the WMT22 sources and references (language from the file name). */
class LanguageIdTest {

    private static final LanguageId ID = LanguageId.shared();

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"enzh.src,en", "enzh.ref,zh", "zhen.src,zh", "zhen.ref,en",
            "ende.src,en", "ende.ref,de", "deen.src,de", "deen.ref,en"})
    void accuracyPerFile(String file, String lang) throws Exception {
        List<String> lines = Files.readAllLines(SharedData.wmt22(file), StandardCharsets.UTF_8);
        int minLong = lang.equals("zh") ? 12 : 40;
        int ok = 0;
        int longN = 0;
        int longOk = 0;
        Map<String, Integer> confusions = new TreeMap<>();
        long t0 = System.nanoTime();
        for (String line : lines) {
            String got = ID.detect(line);
            boolean right = got.equals(lang);
            boolean isLong = line.strip().length() >= minLong;
            if (right) {
                ok++;
            } else {
                confusions.merge(got, 1, Integer::sum);
            }
            if (isLong) {
                longN++;
                if (right) {
                    longOk++;
                }
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / lines.size();
        double all = (double) ok / lines.size();
        double lng = (double) longOk / longN;
        System.out.printf(Locale.ROOT, "[lang-id] %-8s %s: all %.4f (%d/%d), >=%d chars %.4f (%d/%d), %.2f ms/line, wrong as %s%n",
                file, lang, all, ok, lines.size(), minLong, lng, longOk, longN, ms, confusions);
        assertTrue(all >= 0.97, file + ": accuracy on all lines " + all);
        assertTrue(lng >= 0.99, file + ": accuracy on long lines " + lng);
    }

    @Test
    void checkAgainstExpectedLanguage() {
        LanguageId.Check de = ID.check("Vielen Dank, dass Sie uns kontaktiert haben, wir melden uns bald.", "en");
        assertTrue(de.decided());
        assertTrue(de.wrongLanguage());
        assertEquals("de", de.lang());

        LanguageId.Check en = ID.check("Thank you for contacting us, we will get back to you soon.", "en");
        assertFalse(en.wrongLanguage());
        assertEquals("en", en.lang());
        assertEquals(1.0, en.expectedScore(), 1e-9);

        // short or ambiguous text is not judged
        assertFalse(ID.check("OK.", "en").decided());
        assertFalse(ID.check("Hallo", "en").wrongLanguage());
        assertFalse(ID.check("#PRS_ORG# https://example.com/x", "de").decided());
        // target outside the configured set: never judged
        assertFalse(ID.check("Sannu da zuwa, yaya kake yau da safe?", "ha").decided());

        LanguageId.Check zh = ID.check("Thank you for contacting us, we will get back to you soon.", "zh-CN");
        assertTrue(zh.wrongLanguage());
        assertEquals(0.0, zh.expectedScore(), 1e-9);
        assertFalse(ID.check("谢谢您的耐心等待，我们会尽快处理。", "zh").wrongLanguage());
    }

    @Test
    void memoryAndLanguages() {
        assertTrue(ID.languages().size() >= 25 && ID.languages().size() <= 40, ID.languages().toString());
        assertTrue(ID.languages().containsAll(List.of("en", "zh", "de", "ja", "ru", "cs", "uk", "hr", "fr")));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf(Locale.ROOT, "[lang-id] %d languages, heap used after use: %d MB%n",
                ID.languages().size(), (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
}
