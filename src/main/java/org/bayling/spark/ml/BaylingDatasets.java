package org.bayling.spark.ml;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One-call translation of a Dataset for Java users; a thin wrapper over {@link TranslationTransformer}.
 *
 * <pre>{@code
 * Dataset<Row> out = BaylingDatasets.translate(df, "text", "en", "zh", "/models/bayling-2-7b");
 * out.select("text", "bayling.translation", "bayling.status").show();
 * }</pre>
 */
public final class BaylingDatasets {

    /** Name of the result struct column the helpers add. */
    public static final String RESULT_COLUMN = "bayling";

    private BaylingDatasets() {
    }

    /** Translates {@code textCol} from {@code src} to {@code tgt} with BayLing's defaults (5 beams). */
    public static Dataset<Row> translate(Dataset<Row> df, String textCol, String src, String tgt, String modelUri) {
        return translate(df, textCol, src, tgt, modelUri, Map.of());
    }

    /**
     * As {@link #translate(Dataset, String, String, String, String)}, with options keyed like the SQL
     * function's map ({@code max_new_tokens}, {@code num_beams}, {@code quality}, {@code output_col}, …).
     */
    public static Dataset<Row> translate(Dataset<Row> df, String textCol, String src, String tgt, String modelUri,
                                         Map<String, String> options) {
        return translator(textCol, src, tgt, modelUri, options).transform(df);
    }

    /** The configured transformer, e.g. to put in a {@code Pipeline}. */
    public static TranslationTransformer translator(String textCol, String src, String tgt, String modelUri,
                                                Map<String, String> options) {
        return new TranslationTransformer().setInputCol(textCol).setSrcLang(src).setTgtLang(tgt).setModel(modelUri)
                .setOutputCol(RESULT_COLUMN).setOptions(options);
    }
}
