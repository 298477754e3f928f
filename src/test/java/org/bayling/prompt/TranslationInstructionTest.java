package org.bayling.prompt;

import static org.bayling.prompt.InstructionLanguage.EN;
import static org.bayling.prompt.InstructionLanguage.ZH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslationInstructionTest {

    @Test
    void withoutTerms() {
        assertEquals("Provide the Chinese translation for this sentence: How did it go?",
                TranslationInstruction.build(EN, "zh", "How did it go?"));
        assertEquals("Provide the German translation for this sentence: Hello.",
                TranslationInstruction.build(EN, "de", "Hello."));
        assertEquals("提供这句话的英文翻译：你好。", TranslationInstruction.build(ZH, "en", "你好。"));
        assertEquals("提供这句话的中文翻译：How did it go?", TranslationInstruction.build(ZH, "zh", "How did it go?"));
        assertEquals("提供这句话的德文翻译：Hi.", TranslationInstruction.build(ZH, "de", "Hi."));
        assertEquals("Provide the Japanese translation for this sentence: Hi.",
                TranslationInstruction.build(EN, "ja", "Hi.", List.of()));
        assertEquals("Provide the Japanese translation for this sentence: Hi.",
                TranslationInstruction.build(EN, "ja", "Hi.", null));
    }

    @Test
    void withTermsAsBaylingsConstrainedScript() {
        // first line of BayLing's constrained en-zh test set; terms joined by ", " in both languages
        assertEquals("Provide the Chinese translation for this sentence: I'm sorry that your order is running late.\n"
                        + "Make sure to include these words: 可能会晚, 餐可能",
                TranslationInstruction.build(EN, "zh", "I'm sorry that your order is running late.",
                        List.of("可能会晚", "餐可能")));
        assertEquals("提供这句话的中文翻译：I'm sorry that your order is running late.\n确保包含这些词：可能会晚, 餐可能",
                TranslationInstruction.build(ZH, "zh", "I'm sorry that your order is running late.",
                        List.of("可能会晚", "餐可能")));
        assertEquals("提供这句话的英文翻译：请查收邮件。\n确保包含这些词：check your mail",
                TranslationInstruction.build(ZH, "en", "请查收邮件。", List.of("check your mail")));
    }

    @Test
    void termsAreStrippedDedupedAndBlanksDropped() {
        assertEquals("Provide the Chinese translation for this sentence: x\nMake sure to include these words: App 与, 他联系",
                TranslationInstruction.build(EN, "zh", "x", Arrays.asList(" App 与 ", "", null, "他联系", "App 与")));
        assertEquals("Provide the Chinese translation for this sentence: x",
                TranslationInstruction.build(EN, "zh", "x", Arrays.asList(" ", null)));
    }

    @Test
    void surroundingLineBreaksOfTheSourceAreRemoved() {
        assertEquals("Provide the Chinese translation for this sentence: a\nb",
                TranslationInstruction.build(EN, "zh", "\na\nb\r\n"));
        assertThrows(IllegalArgumentException.class, () -> TranslationInstruction.build(EN, "zh", " \n "));
    }

    @Test
    void unknownTargetLanguage() {
        UnknownLanguageException e = assertThrows(UnknownLanguageException.class,
                () -> TranslationInstruction.build(EN, "xx-Klingon", "Hi"));
        assertTrue(e.getMessage().contains("xx-Klingon"));
    }

    @Test
    void instructionLanguageParsing() {
        assertEquals(ZH, InstructionLanguage.parse("ZH"));
        assertEquals(EN, InstructionLanguage.parse("en"));
        assertThrows(IllegalArgumentException.class, () -> InstructionLanguage.parse("de"));
    }
}
