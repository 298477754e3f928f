package org.bayling.quality.metrics;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The sacreBLEU 2.x BLEU tokenizers ({@code 13a}, {@code intl}, {@code zh}, {@code char}, {@code none}) and the
 * default-by-target-language rule. {@code ja-mecab} and {@code ko-mecab} are recognised but rejected with an
 * {@link UnsupportedTokenizerException}: they need MeCab plus the ipadic / mecab-ko-dic dictionaries and no
 * equivalent pure-Java tokenizer that reproduces them is part of this build.
 */
public final class Tokenizers {

    public static final String TOK_13A = "13a";
    public static final String TOK_INTL = "intl";
    public static final String TOK_ZH = "zh";
    public static final String TOK_CHAR = "char";
    public static final String TOK_NONE = "none";
    public static final String TOK_JA_MECAB = "ja-mecab";
    public static final String TOK_KO_MECAB = "ko-mecab";

    /** Tokenizer names this class can instantiate. */
    public static final List<String> SUPPORTED = List.of(TOK_13A, TOK_INTL, TOK_ZH, TOK_CHAR, TOK_NONE);

    private Tokenizers() {
    }

    /** sacreBLEU's choice when no tokenizer is given: {@code zh}/{@code ja-mecab}/{@code ko-mecab} by target, else {@code 13a}. */
    public static String defaultFor(String targetLang) {
        String lang = targetLang == null ? "" : targetLang.toLowerCase(Locale.ROOT);
        switch (lang) {
            case "zh":
                return TOK_ZH;
            case "ja":
                return TOK_JA_MECAB;
            case "ko":
                return TOK_KO_MECAB;
            default:
                return TOK_13A;
        }
    }

    /** Instantiates a tokenizer by its sacreBLEU name. */
    public static Tokenizer forName(String name) {
        switch (name) {
            case TOK_13A:
                return new Tok13a();
            case TOK_INTL:
                return new TokIntl();
            case TOK_ZH:
                return new TokZh();
            case TOK_CHAR:
                return new TokChar();
            case TOK_NONE:
                return new TokNone();
            case TOK_JA_MECAB:
            case TOK_KO_MECAB:
                throw new UnsupportedTokenizerException("sacreBLEU tokenizer '" + name + "' needs MeCab with the "
                        + (name.equals(TOK_JA_MECAB) ? "ipadic" : "mecab-ko-dic")
                        + " dictionary; no MeCab-equivalent tokenizer is available in this build. "
                        + "Pass an explicit tokenizer (e.g. --tokenize char) to score anyway; scores will not be comparable "
                        + "with sacreBLEU's default for this language.");
            case "spm":
            case "flores101":
            case "flores200":
                throw new UnsupportedTokenizerException("sacreBLEU tokenizer '" + name
                        + "' needs a SentencePiece model; it is not available in this build.");
            default:
                throw new IllegalArgumentException("unknown tokenizer '" + name + "'; supported: " + SUPPORTED);
        }
    }

    // ------------------------------------------------------------------ shared mteval-v13a regexes

    private static final Pattern RE_PUNCT = Pattern.compile("([\\{-~\\[-`\\x20-&\\(-\\+:-@/])");
    private static final Pattern RE_PERIOD_COMMA_AFTER_NONDIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern RE_PERIOD_COMMA_BEFORE_NONDIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern RE_DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    /** sacreBLEU's {@code TokenizerRegexp}: the language-dependent part of mteval-v13a. */
    static String regexpPostTokenize(String line) {
        line = RE_PUNCT.matcher(line).replaceAll(" $1 ");
        line = RE_PERIOD_COMMA_AFTER_NONDIGIT.matcher(line).replaceAll("$1 $2 ");
        line = RE_PERIOD_COMMA_BEFORE_NONDIGIT.matcher(line).replaceAll(" $1 $2");
        line = RE_DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        return PyText.normalizeSpaces(line);
    }

    static final class Tok13a implements Tokenizer {
        @Override
        public String tokenize(String line) {
            line = line.replace("<skipped>", "")
                    .replace("-\n", "")
                    .replace("\n", " ")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">");
            return regexpPostTokenize(" " + line + " ");
        }

        @Override
        public String signature() {
            return TOK_13A;
        }
    }

    static final class TokNone implements Tokenizer {
        @Override
        public String tokenize(String line) {
            return line;
        }

        @Override
        public String signature() {
            return TOK_NONE;
        }
    }

    static final class TokChar implements Tokenizer {
        @Override
        public String tokenize(String line) {
            StringBuilder sb = new StringBuilder(line.length() * 2);
            line.codePoints().forEach(cp -> {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.appendCodePoint(cp);
            });
            return sb.toString();
        }

        @Override
        public String signature() {
            return TOK_CHAR;
        }
    }

    // ------------------------------------------------------------------ intl (mteval-v14 international)

    private static final int MASK_P = (1 << UCharacterCategory.CONNECTOR_PUNCTUATION)
            | (1 << UCharacterCategory.DASH_PUNCTUATION)
            | (1 << UCharacterCategory.START_PUNCTUATION)
            | (1 << UCharacterCategory.END_PUNCTUATION)
            | (1 << UCharacterCategory.INITIAL_PUNCTUATION)
            | (1 << UCharacterCategory.FINAL_PUNCTUATION)
            | (1 << UCharacterCategory.OTHER_PUNCTUATION);
    private static final int MASK_S = (1 << UCharacterCategory.MATH_SYMBOL)
            | (1 << UCharacterCategory.CURRENCY_SYMBOL)
            | (1 << UCharacterCategory.MODIFIER_SYMBOL)
            | (1 << UCharacterCategory.OTHER_SYMBOL);
    private static final int MASK_N = (1 << UCharacterCategory.DECIMAL_DIGIT_NUMBER)
            | (1 << UCharacterCategory.LETTER_NUMBER)
            | (1 << UCharacterCategory.OTHER_NUMBER);

    /**
     * Unicode general categories come from ICU4J (Unicode 16), not {@code java.lang.Character} (Unicode 13 on
     * Java 17), to stay close to the Python {@code regex} module sacreBLEU uses.
     */
    static boolean isPunct(int cp) {
        return ((1 << UCharacter.getType(cp)) & MASK_P) != 0;
    }

    static boolean isSymbol(int cp) {
        return ((1 << UCharacter.getType(cp)) & MASK_S) != 0;
    }

    static boolean isNumber(int cp) {
        return ((1 << UCharacter.getType(cp)) & MASK_N) != 0;
    }

    static final class TokIntl implements Tokenizer {
        @Override
        public String tokenize(String line) {
            int[] cps = line.codePoints().toArray();
            // (\P{N})(\p{P}) -> '\1 \2 '   (left-to-right, non-overlapping, like re.sub)
            StringBuilder sb = new StringBuilder(line.length() + 16);
            int i = 0;
            while (i < cps.length) {
                if (i + 1 < cps.length && !isNumber(cps[i]) && isPunct(cps[i + 1])) {
                    sb.appendCodePoint(cps[i]).append(' ').appendCodePoint(cps[i + 1]).append(' ');
                    i += 2;
                } else {
                    sb.appendCodePoint(cps[i]);
                    i++;
                }
            }
            // (\p{P})(\P{N}) -> ' \1 \2'
            cps = sb.toString().codePoints().toArray();
            sb.setLength(0);
            i = 0;
            while (i < cps.length) {
                if (i + 1 < cps.length && isPunct(cps[i]) && !isNumber(cps[i + 1])) {
                    sb.append(' ').appendCodePoint(cps[i]).append(' ').appendCodePoint(cps[i + 1]);
                    i += 2;
                } else {
                    sb.appendCodePoint(cps[i]);
                    i++;
                }
            }
            // (\p{S}) -> ' \1 '
            cps = sb.toString().codePoints().toArray();
            sb.setLength(0);
            for (int cp : cps) {
                if (isSymbol(cp)) {
                    sb.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    sb.appendCodePoint(cp);
                }
            }
            return PyText.normalizeSpaces(sb.toString());
        }

        @Override
        public String signature() {
            return TOK_INTL;
        }
    }

    // ------------------------------------------------------------------ zh

    /**
     * sacreBLEU's {@code _UCODE_RANGES}, compared as Python strings. Two entries were written as
     * {@code '\u20000'} / {@code '\u2a6d6'} and {@code '\u2f800'} / {@code '\u2fa1d'}, which Python parses as
     * two-character strings ({@code '\u2000' + '0'}, ...). String comparison then makes U+2001..U+2A6D (general
     * punctuation such as “ ” — …, arrows, math symbols, dingbats) count as "Chinese" characters and the real
     * Extension B block does not. We reproduce that quirk because it changes zh-tokenized BLEU.
     */
    private static final String[][] ZH_RANGES = {
        {"\u3400", "\u4db5"}, {"\u4e00", "\u9fa5"}, {"\u9fa6", "\u9fbb"}, {"\uf900", "\ufa2d"},
        {"\ufa30", "\ufa6a"}, {"\ufa70", "\ufad9"}, {"\u2000" + "0", "\u2a6d" + "6"}, {"\u2f80" + "0", "\u2fa1" + "d"},
        {"\uff00", "\uffef"}, {"\u2e80", "\u2eff"}, {"\u3000", "\u303f"}, {"\u31c0", "\u31ef"},
        {"\u2f00", "\u2fdf"}, {"\u2ff0", "\u2fff"}, {"\u3100", "\u312f"}, {"\u31a0", "\u31bf"},
        {"\ufe10", "\ufe1f"}, {"\ufe30", "\ufe4f"}, {"\u2600", "\u26ff"}, {"\u2700", "\u27bf"},
        {"\u3200", "\u32ff"}, {"\u3300", "\u33ff"},
    };

    private static final boolean[] ZH_BMP = new boolean[0x10000];

    static {
        for (int cp = 0; cp < 0x10000; cp++) {
            ZH_BMP[cp] = isChineseSlow(cp);
        }
    }

    private static boolean isChineseSlow(int cp) {
        String c = new String(Character.toChars(cp));
        for (String[] r : ZH_RANGES) {
            if (PyText.compare(r[0], c) <= 0 && PyText.compare(c, r[1]) <= 0) {
                return true;
            }
        }
        return false;
    }

    static boolean isChineseChar(int cp) {
        return cp < 0x10000 ? ZH_BMP[cp] : isChineseSlow(cp);
    }

    static final class TokZh implements Tokenizer {
        @Override
        public String tokenize(String line) {
            line = PyText.strip(line);
            StringBuilder sb = new StringBuilder(line.length() * 3);
            line.codePoints().forEach(cp -> {
                if (isChineseChar(cp)) {
                    sb.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    sb.appendCodePoint(cp);
                }
            });
            return regexpPostTokenize(sb.toString());
        }

        @Override
        public String signature() {
            return TOK_ZH;
        }
    }
}
