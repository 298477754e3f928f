package org.bayling.quality.metrics;

/** Thrown for sacreBLEU tokenizers that need native resources we do not ship (MeCab, SentencePiece models). */
public class UnsupportedTokenizerException extends UnsupportedOperationException {

    private static final long serialVersionUID = 1L;

    public UnsupportedTokenizerException(String message) {
        super(message);
    }
}
