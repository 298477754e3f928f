package org.bayling.spark.sql;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.rules.Rule;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Spark SQL extension registering {@code bayling_translate}:
 *
 * <pre>
 * spark.sql.extensions=org.bayling.spark.sql.BaylingSqlExtensions
 * spark.bayling.model=hdfs:///models/bayling-2-7b          (or per call: map('model', '…'))
 *
 * SELECT id, bayling_translate(text, 'en', 'zh').translation FROM docs
 * SELECT bayling_translate(text, src, tgt, map('num_beams', '1', 'max_new_tokens', '64')) AS t FROM docs
 * </pre>
 *
 * The result is the {@code OutputSchema.RESULT} struct ({@code translation, status, error, quality,
 * n_input_tokens, n_output_tokens, finish_reason, reused_prefix_tokens, turns, segments, alignment}), the
 * same as the job's and the Transformer's. Calls in projections and filters are batched per partition
 * ({@link BatchTranslateCalls}); see {@link TranslateFunction} for the arguments and options.
 */
public final class BaylingSqlExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

    public static final String FUNCTION = "bayling_translate";

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        ExpressionInfo info = new ExpressionInfo(TranslateFunction.class.getName(), null, FUNCTION,
                "_FUNC_(text, src_lang, tgt_lang[, terms, followups][, options]) - Translates text with BayLing. "
                        + "terms and followups are array<string> (or NULL); options is a constant map<string,string> "
                        + "(model, max_new_tokens, num_beams, unit, quality, ...); the model defaults to the "
                        + "spark.bayling.model conf. Returns struct<translation, status, error, quality, "
                        + "n_input_tokens, n_output_tokens, finish_reason, reused_prefix_tokens, turns, segments, "
                        + "alignment>.",
                "");
        extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(FUNCTION), info, new TranslateFunction.Builder()));
        extensions.injectPostHocResolutionRule(new AbstractFunction1<SparkSession, Rule<LogicalPlan>>() {
            @Override
            public Rule<LogicalPlan> apply(SparkSession session) {
                return new BatchTranslateCalls((org.apache.spark.sql.classic.SparkSession) session);
            }
        });
        return BoxedUnit.UNIT;
    }
}
