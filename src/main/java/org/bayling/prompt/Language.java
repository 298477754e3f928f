package org.bayling.prompt;

import com.ibm.icu.util.ULocale;
import java.io.Serializable;

/**
 * A language as BayLing's instructions name it.
 *
 * @param code          canonical code ({@code zh}, {@code zh-Hant}, {@code de}, ...)
 * @param englishName   name in English instructions ({@code Provide the German translation ...})
 * @param chineseName   name in Chinese instructions ({@code 提供这句话的德文翻译：...})
 * @param spaceDelimited whether the script separates words with spaces (false for Chinese,
 *                      Japanese, Thai, ...): decides whole-word matching and how sentences join
 */
public record Language(String code, String englishName, String chineseName, boolean spaceDelimited)
        implements Serializable {

    /** The ICU locale for this language (sentence and word breaking). */
    public ULocale locale() {
        return ULocale.forLanguageTag(code);
    }

    /** The name used in instructions of the given language. */
    public String name(InstructionLanguage instructionLanguage) {
        return instructionLanguage == InstructionLanguage.ZH ? chineseName : englishName;
    }
}
