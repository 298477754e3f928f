package org.bayling.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LanguagesTest {

    @ParameterizedTest
    @CsvSource({
            "en, English, 英文", "EN, English, 英文", "en-US, English, 英文", "en_GB, English, 英文",
            "zh, Chinese, 中文", "zh-CN, Chinese, 中文", "zh_cn, Chinese, 中文", "zh-Hans, Chinese, 中文",
            "zh-Hans-CN, Chinese, 中文", "zh-SG, Chinese, 中文", "cmn, Chinese, 中文",
            "zh-Hant, Traditional Chinese, 繁体中文", "zh-TW, Traditional Chinese, 繁体中文",
            "zh-hk, Traditional Chinese, 繁体中文", "zh-Hant-HK, Traditional Chinese, 繁体中文",
            "de, German, 德文", "de-AT, German, 德文", "deu, German, 德文", "ja, Japanese, 日文",
            "ru, Russian, 俄文", "uk, Ukrainian, 乌克兰文", "cs, Czech, 捷克文", "hr, Croatian, 克罗地亚文",
            "liv, Livonian, 利沃尼亚文", "sah, Yakut, 雅库特文", "fr, French, 法文", "es, Spanish, 西班牙文",
            "it, Italian, 意大利文", "pt-BR, Portuguese, 葡萄牙文", "ko, Korean, 韩文", "ar, Arabic, 阿拉伯文",
            "hi, Hindi, 印地文", "vi, Vietnamese, 越南文", "th, Thai, 泰文", "tr, Turkish, 土耳其文",
            "pl, Polish, 波兰文", "nl, Dutch, 荷兰文", "sv, Swedish, 瑞典文", "iw, Hebrew, 希伯来文"})
    void namesForCodes(String code, String english, String chinese) {
        Language l = Languages.of(code);
        assertEquals(english, l.englishName());
        assertEquals(chinese, l.chineseName());
        assertEquals(english, l.name(InstructionLanguage.EN));
        assertEquals(chinese, l.name(InstructionLanguage.ZH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xx", "klingon", "", "  ", "e", "zz-ZZ", "en--US", "1234", "en US"})
    void unknownCodesNameTheCode(String code) {
        UnknownLanguageException e = assertThrows(UnknownLanguageException.class, () -> Languages.of(code));
        assertTrue(e.getMessage().contains("'" + code + "'"), e.getMessage());
        assertEquals(code, e.code());
        assertFalse(Languages.isKnown(code));
    }

    @Test
    void nullCode() {
        UnknownLanguageException e = assertThrows(UnknownLanguageException.class, () -> Languages.of(null));
        assertTrue(e.getMessage().contains("null"));
    }

    @Test
    void scriptsWithoutSpaces() {
        assertFalse(Languages.of("zh").spaceDelimited());
        assertFalse(Languages.of("ja").spaceDelimited());
        assertFalse(Languages.of("th").spaceDelimited());
        assertTrue(Languages.of("de").spaceDelimited());
        assertEquals("zh-Hant", Languages.of("zh-TW").code());
        assertTrue(Languages.all().size() >= 40);
    }
}
