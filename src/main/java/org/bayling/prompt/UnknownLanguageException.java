package org.bayling.prompt;

/**
 * A language code no table of this package knows. Unchecked so it can cross Spark lambdas; callers
 * translating rows catch it and report it as that row's error.
 */
public class UnknownLanguageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String code;

    public UnknownLanguageException(String code) {
        super("unknown language code '" + code + "' (use an ISO 639-1 or BCP-47 code such as en, zh, zh-Hant, de, ja)");
        this.code = code;
    }

    /** The code as the caller passed it. */
    public String code() {
        return code;
    }
}
