package org.bayling.spark.sql;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.MapType;
import org.bayling.spark.ml.BatchTranslator;
import org.bayling.spark.ml.TranslationTransformer;
import org.bayling.spark.ml.TranslationResult;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction3;

/**
 * {@code bayling_translate(text, src_lang, tgt_lang [, options])} as a scalar function.
 *
 * <p><b>Options</b> are resolved once, on the driver, when the query is analyzed: the constant
 * {@code options} map, then {@code spark.bayling.<option>} session confs (e.g. {@code spark.bayling.model},
 * {@code spark.bayling.num_beams}), then the {@link TranslationTransformer} defaults. Keys are the
 * transformer's params in snake_case ({@code model, max_new_tokens, num_beams, do_sample, temperature,
 * top_k, top_p, seed, repetition_penalty, length_penalty, quality, instruction_language, template, device, dtype, weights,
 * max_batch_tokens, distribution, cache_dir}).
 *
 * <p><b>Execution</b>: a Spark scalar function sees one row at a time, so each call is a batch of one
 * through the same {@link BatchTranslator} / {@code TranslatePartition} as the transformer, on the same
 * per-executor engine (loaded once per executor JVM and model; never per row). It pays for no batching:
 * on the shipped tiny model (greedy, 8 new tokens, local[2], engine loaded, quality scoring on) the
 * transformer did 1.7–3x the function's rows/s ({@code SqlThroughputTest}; e.g. 10.3 vs 3.4 rows/s, on a
 * shared 2-core machine); on a real model on a GPU the gap grows with the batch the
 * transformer can use. For bulk work use {@code TranslationTransformer} / {@code BaylingDatasets} or the job.
 */
public final class TranslateFunction extends AbstractFunction3<Object, Object, Object, Row> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Session conf prefix for option defaults. */
    public static final String CONF_PREFIX = "spark.bayling.";

    private final BatchTranslator translator;

    TranslateFunction(BatchTranslator translator) {
        this.translator = translator;
    }

    @Override
    public Row apply(Object text, Object src, Object tgt) {
        return translator.translate(List.of(BatchTranslator.Request.of(str(text), str(src), str(tgt)))).get(0);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** The transformer configured from conf defaults then the call's options (driver side). */
    static TranslationTransformer configure(SparkSession spark, Map<String, String> callOptions) {
        TranslationTransformer t = new TranslationTransformer();
        Map<String, String> fromConf = new HashMap<>();
        SQLConf conf = SQLConf.get();
        for (String name : t.optionNames()) {
            String v = conf.getConfString(CONF_PREFIX + name, null);
            if (v != null) {
                fromConf.put(name, v);
            }
        }
        t.setOptions(fromConf).setOptions(callOptions);
        if (t.getModel().isEmpty()) {
            throw new IllegalArgumentException(BaylingSqlExtensions.FUNCTION + ": no model: pass map('model', '<uri>') "
                    + "or set " + CONF_PREFIX + "model");
        }
        return t;
    }

    /** Builds the expression for a call: a {@link ScalaUDF} over (text, src_lang, tgt_lang). */
    static final class Builder extends AbstractFunction1<Seq<Expression>, Expression> implements Serializable {

        private static final long serialVersionUID = 1L;

        @Override
        public Expression apply(Seq<Expression> args) {
            List<Expression> a = CollectionConverters.asJava(args);
            if (a.size() != 3 && a.size() != 4) {
                throw new IllegalArgumentException(BaylingSqlExtensions.FUNCTION
                        + " takes (text, src_lang, tgt_lang[, options map]), got " + a.size() + " arguments");
            }
            Map<String, String> options = a.size() == 4 ? constantMap(a.get(3)) : Map.of();
            SparkSession spark = SparkSession.active();
            TranslationTransformer t = configure(spark, options);
            BatchTranslator translator = BatchTranslator.prepare(spark, t.translateOptions(), t.getQuality());
            return new ScalaUDF(new TranslateFunction(translator), TranslationResult.STRUCT,
                    CollectionConverters.asScala(a.subList(0, 3)).toList(),
                    CollectionConverters.asScala(List.<Option<org.apache.spark.sql.catalyst.encoders.ExpressionEncoder<?>>>of()).toList(),
                    Option.empty(), Option.apply(BaylingSqlExtensions.FUNCTION), true, true);
        }

        private static Map<String, String> constantMap(Expression e) {
            if (!(e.dataType() instanceof MapType) || !e.foldable()) {
                throw new IllegalArgumentException(BaylingSqlExtensions.FUNCTION
                        + ": options must be a constant map, e.g. map('model', '/models/x', 'num_beams', '1'); got "
                        + e.sql());
            }
            Object v = CatalystTypeConverters.convertToScala(e.eval(null), e.dataType());
            Map<String, String> out = new HashMap<>();
            if (v instanceof scala.collection.Map<?, ?> m) {
                CollectionConverters.asJava(m).forEach((k, val) -> out.put(String.valueOf(k), val == null ? null : String.valueOf(val)));
            }
            return out;
        }
    }
}
