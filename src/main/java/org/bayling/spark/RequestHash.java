package org.bayling.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** The request hash identical rows share; a pure function, used inside Spark tasks. */
public final class RequestHash {

    private RequestHash() {
    }

    /** Identity of a row's request: equal hashes, equal translations (the job translates each once). */
    public static String of(String text, String srcLang, String tgtLang, List<String> followups,
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
