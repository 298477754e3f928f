package org.bayling.quality.metrics;

import java.util.regex.Pattern;

/** sacreBLEU 2.x {@code TercomTokenizer} (a port of Tercom's Normalizer). */
public final class TercomTokenizer implements java.io.Serializable {

    private static final Pattern NL_DASH = Pattern.compile("\n-");
    private static final Pattern PUNCT = Pattern.compile("([\\{-~\\[-`\\x20-&\\(-\\+:-@/])");
    private static final Pattern POSS = Pattern.compile("'s ");
    private static final Pattern POSS_END = Pattern.compile("(?d)'s$");
    private static final Pattern PC_AFTER_NONDIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PC_BEFORE_NONDIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private static final Pattern CJK_1 = Pattern.compile("([\\u4e00-\\u9fff\\u3400-\\u4dbf])");
    private static final Pattern CJK_2 = Pattern.compile("([\\u31c0-\\u31ef\\u2e80-\\u2eff])");
    private static final Pattern CJK_3 = Pattern.compile("([\\u3300-\\u33ff\\uf900-\\ufaff\\ufe30-\\ufe4f])");
    private static final Pattern CJK_4 = Pattern.compile("([\\u3200-\\u3f22])");
    private static final Pattern HIRAGANA =
            Pattern.compile("(?d)(^|^[\\u3040-\\u309f])([\\u3040-\\u309f]+)(?=$|^[\\u3040-\\u309f])");
    private static final Pattern KATAKANA =
            Pattern.compile("(?d)(^|^[\\u30a0-\\u30ff])([\\u30a0-\\u30ff]+)(?=$|^[\\u30a0-\\u30ff])");
    private static final Pattern KATAKANA_EXT =
            Pattern.compile("(?d)(^|^[\\u31f0-\\u31ff])([\\u31f0-\\u31ff]+)(?=$|^[\\u31f0-\\u31ff])");
    private static final Pattern ASIAN_PUNCT =
            Pattern.compile("([\\u3001\\u3002\\u3008-\\u3011\\u3014-\\u301f\\uff61-\\uff65\\u30fb])");
    private static final Pattern FULL_WIDTH_PUNCT =
            Pattern.compile("([\\uff0e\\uff0c\\uff1f\\uff1a\\uff1b\\uff01\\uff02\\uff08\\uff09])");
    private static final Pattern REMOVE_PUNCT = Pattern.compile("[\\.,\\?:;!\"\\(\\)]");

    private final boolean normalized;
    private final boolean noPunct;
    private final boolean asianSupport;
    private final boolean caseSensitive;

    public TercomTokenizer(boolean normalized, boolean noPunct, boolean asianSupport, boolean caseSensitive) {
        this.normalized = normalized;
        this.noPunct = noPunct;
        this.asianSupport = asianSupport;
        this.caseSensitive = caseSensitive;
    }

    public String tokenize(String sent) {
        if (sent.isEmpty()) {
            return "";
        }
        if (!caseSensitive) {
            sent = PyText.lower(sent);
        }
        if (normalized) {
            sent = normalizeGeneralAndWestern(sent);
            if (asianSupport) {
                sent = normalizeAsian(sent);
            }
        }
        if (noPunct) {
            sent = REMOVE_PUNCT.matcher(sent).replaceAll("");
            if (asianSupport) {
                sent = ASIAN_PUNCT.matcher(sent).replaceAll("");
                sent = FULL_WIDTH_PUNCT.matcher(sent).replaceAll("");
            }
        }
        return PyText.normalizeSpaces(sent);
    }

    public String signature() {
        return "tercom";
    }

    private static String normalizeGeneralAndWestern(String sent) {
        sent = NL_DASH.matcher(sent).replaceAll("");
        sent = sent.replace("\n", " ")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
        sent = " " + sent + " ";
        sent = PUNCT.matcher(sent).replaceAll(" $1 ");
        sent = POSS.matcher(sent).replaceAll(" 's ");
        sent = POSS_END.matcher(sent).replaceAll(" 's");
        sent = PC_AFTER_NONDIGIT.matcher(sent).replaceAll("$1 $2 ");
        sent = PC_BEFORE_NONDIGIT.matcher(sent).replaceAll(" $1 $2");
        sent = DASH_AFTER_DIGIT.matcher(sent).replaceAll("$1 $2 ");
        return sent;
    }

    private static String normalizeAsian(String sent) {
        sent = CJK_1.matcher(sent).replaceAll(" $1 ");
        sent = CJK_2.matcher(sent).replaceAll(" $1 ");
        sent = CJK_3.matcher(sent).replaceAll(" $1 ");
        sent = CJK_4.matcher(sent).replaceAll(" $1 ");
        sent = HIRAGANA.matcher(sent).replaceAll("$1 $2 ");
        sent = KATAKANA.matcher(sent).replaceAll("$1 $2 ");
        sent = KATAKANA_EXT.matcher(sent).replaceAll("$1 $2 ");
        sent = ASIAN_PUNCT.matcher(sent).replaceAll(" $1 ");
        sent = FULL_WIDTH_PUNCT.matcher(sent).replaceAll(" $1 ");
        return sent;
    }
}
