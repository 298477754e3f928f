package org.bayling.spark.sql;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StringType;
import org.bayling.output.OutputSchema;
import org.bayling.spark.ExecutorTranslation;
import org.bayling.spark.ml.TranslationTransformer;
import org.bayling.translate.TranslationTask;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction3;
import scala.runtime.AbstractFunction5;

/**
 * {@code bayling_translate(text, src_lang, tgt_lang [, terms, followups] [, options])}: the call as Spark
 * sees it, a {@link ScalaUDF} returning the {@link OutputSchema#RESULT} struct. {@code terms} and
 * {@code followups} are {@code array<string>} (or NULL); {@code options} is a constant
 * {@code map<string,string>}.
 *
 * <p><b>Options</b> are resolved once, on the driver, when the query is analyzed: the constant map,
 * then {@code spark.bayling.<option>} session confs (e.g. {@code spark.bayling.model}), then the
 * {@link TranslationTransformer} defaults; keys are the Transformer's params in snake_case
 * ({@code model, max_new_tokens, num_beams, unit, chunk_tokens, quality, device, dtype, weights, ...}).
 *
 * <p><b>Execution</b>: {@link BatchTranslateCalls} replaces calls in projections and filters by a batched
 * operator over whole partitions (the job's planner and batches). Where it cannot (a call inside an
 * aggregate, a join condition or a sort key), this function translates one row per call through the
 * same planner and per-executor engine.
 */
public final class TranslateFunction implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Session conf prefix for option defaults. */
    public static final String CONF_PREFIX = "spark.bayling.";

    private final ExecutorTranslation translator;
    private final Map<String, String> options;

    private TranslateFunction(ExecutorTranslation translator, Map<String, String> options) {
        this.translator = translator;
        this.options = options;
    }

    ExecutorTranslation translator() {
        return translator;
    }

    /** The options the call was resolved with (conf defaults and the call's map): part of its identity. */
    Map<String, String> options() {
        return options;
    }

    Row translate(Object text, Object src, Object tgt, Object terms, Object followups) {
        return translator.translate(List.of(new TranslationTask("0", str(text), str(src), str(tgt), strings(followups),
                strings(terms)))).get(0);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static List<String> strings(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof scala.collection.Seq<?> s) {
            return CollectionConverters.asJava(s).stream().map(TranslateFunction::str).toList();
        }
        return List.of(o.toString());
    }

    /** Scala sees functions by arity: the three-argument form. */
    static final class Of3 extends AbstractFunction3<Object, Object, Object, Row> implements Serializable {
        private static final long serialVersionUID = 1L;
        final TranslateFunction f;

        Of3(TranslateFunction f) {
            this.f = f;
        }

        @Override
        public Row apply(Object text, Object src, Object tgt) {
            return f.translate(text, src, tgt, null, null);
        }
    }

    /** The five-argument form (terms, follow-ups). */
    static final class Of5 extends AbstractFunction5<Object, Object, Object, Object, Object, Row> implements Serializable {
        private static final long serialVersionUID = 1L;
        final TranslateFunction f;

        Of5(TranslateFunction f) {
            this.f = f;
        }

        @Override
        public Row apply(Object text, Object src, Object tgt, Object terms, Object followups) {
            return f.translate(text, src, tgt, terms, followups);
        }
    }

    /** The call's function, when {@code e} is a {@code bayling_translate} call. */
    static TranslateFunction of(Expression e) {
        if (e instanceof ScalaUDF u) {
            if (u.function() instanceof Of3 o) {
                return o.f;
            }
            if (u.function() instanceof Of5 o) {
                return o.f;
            }
        }
        return null;
    }

    /** The Transformer configured from conf defaults then the call's options (driver side). */
    static TranslationTransformer configure(Map<String, String> callOptions) {
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

    /** Builds the expression for a call (driver side, at analysis). */
    static final class Builder extends AbstractFunction1<Seq<Expression>, Expression> implements Serializable {

        private static final long serialVersionUID = 1L;

        @Override
        public Expression apply(Seq<Expression> args) {
            List<Expression> a = CollectionConverters.asJava(args);
            boolean withMap = !a.isEmpty() && a.get(a.size() - 1).dataType() instanceof MapType;
            List<Expression> values = withMap ? a.subList(0, a.size() - 1) : a;
            if (values.size() != 3 && values.size() != 5) {
                throw new IllegalArgumentException(BaylingSqlExtensions.FUNCTION
                        + " takes (text, src_lang, tgt_lang [, terms, followups] [, options map]), got " + a.size()
                        + " arguments");
            }
            for (int i = 3; i < values.size(); i++) {
                var t = values.get(i).dataType();
                if (!(t instanceof NullType) && !(t instanceof ArrayType at && at.elementType() instanceof StringType)) {
                    throw new IllegalArgumentException(BaylingSqlExtensions.FUNCTION + ": " + (i == 3 ? "terms" : "followups")
                            + " must be array<string> or NULL, got " + t.simpleString());
                }
            }
            Map<String, String> callOptions = withMap ? constantMap(a.get(a.size() - 1)) : Map.of();
            TranslationTransformer t = configure(callOptions);
            Map<String, String> resolved = new TreeMap<>(t.options());
            TranslateFunction f = new TranslateFunction(
                    ExecutorTranslation.prepare(SparkSession.active(), t.translationSettings()), resolved);
            Object fn = values.size() == 3 ? new Of3(f) : new Of5(f);
            return new ScalaUDF(fn, OutputSchema.RESULT, CollectionConverters.asScala(values).toList(),
                    CollectionConverters.asScala(List.<Option<org.apache.spark.sql.catalyst.encoders.ExpressionEncoder<?>>>of()).toList(),
                    Option.empty(), Option.apply(BaylingSqlExtensions.FUNCTION), true, true);
        }

        private static Map<String, String> constantMap(Expression e) {
            if (!e.foldable()) {
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
