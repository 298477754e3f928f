package org.bayling.prompt;

import java.util.Locale;

/** The language an instruction is written in: BayLing was trained on English and Chinese ones. */
public enum InstructionLanguage {
    EN, ZH;

    /** {@code en} or {@code zh} (case-insensitive; {@code english}/{@code chinese} accepted). */
    public static InstructionLanguage parse(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "en", "english" -> EN;
            case "zh", "chinese" -> ZH;
            default -> throw new IllegalArgumentException("unknown instruction language '" + s + "': use 'en' or 'zh'");
        };
    }
}
