package org.bayling.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.bayling.translate.TextChecks;

/** Row-level checks and the request hash; pure functions, used inside Spark tasks. */
public final class InputChecks {

    private InputChecks() {
    }

    /** Why a row cannot be translated, or null when it can. */
    public static String problem(String text, String srcLang, String tgtLang) {
        if (text == null) {
            return "text is null";
        }
        if (text.isBlank()) {
            return "text is empty";
        }
        if (srcLang == null || srcLang.isBlank()) {
            return "no source language (set --src-lang or a src_lang column)";
        }
        if (tgtLang == null || tgtLang.isBlank()) {
            return "no target language (set --tgt-lang or a tgt_lang column)";
        }
        if (!LanguageCodes.isKnown(srcLang)) {
            return "unknown source language code '" + srcLang + "'";
        }
        if (!LanguageCodes.isKnown(tgtLang)) {
            return "unknown target language code '" + tgtLang + "'";
        }
        return textProblem(text);
    }

    /**
     * Lone surrogates and control characters ({@link TextChecks}), and U+FFFD: Spark decodes invalid
     * UTF-8 and unpaired surrogate escapes in the input to it, so here it marks a broken row.
     */
    public static String textProblem(String text) {
        String problem = TextChecks.problem(text);
        if (problem != null) {
            return problem;
        }
        int replacement = text.indexOf('\uFFFD');
        return replacement < 0 ? null : String.format("replacement character U+FFFD at index %d (invalid UTF-8 or an "
                + "unpaired surrogate in the input)", replacement);
    }

    public static String requestHash(String text, String srcLang, String tgtLang, List<String> followups,
                                     List<String> terms) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            update(md, text);
            update(md, srcLang);
            update(md, tgtLang);
            md.update((byte) (followups == null ? 0 : followups.size()));
            if (followups != null) {
                followups.forEach(f -> update(md, f));
            }
            md.update((byte) (terms == null ? 0 : terms.size()));
            if (terms != null) {
                terms.forEach(t -> update(md, t));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, String s) {
        // length-prefixed so ("ab","c") and ("a","bc") differ; lone surrogates encode as '?' but
        // such rows are errors before they are hashed
        byte[] b = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
        int n = s == null ? -1 : b.length;
        md.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        md.update(b);
    }
}
