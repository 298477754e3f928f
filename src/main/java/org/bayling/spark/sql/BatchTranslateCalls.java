package org.bayling.spark.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.classic.Dataset;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.bayling.spark.ExecutorTranslation;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractPartialFunction;

/**
 * Batches {@code bayling_translate} in SQL, the way Spark pulls Python UDFs into batch evaluation:
 * a projection or filter that calls it gets, below it, one operator per distinct call that runs
 * {@link ExecutorTranslation} over whole partitions (the same planner, engine and batches as the job and the
 * Transformer); the calls become references to that operator's result column. Calls with the same
 * arguments and options in one projection or filter, or in a filter and the projection above it, are
 * one call: each row is translated once. Calls elsewhere (aggregates, join conditions, sort keys) keep
 * the row-at-a-time {@link TranslateFunction}.
 */
final class BatchTranslateCalls extends Rule<LogicalPlan> {

    private final SparkSession session;

    BatchTranslateCalls(SparkSession session) {
        this.session = session;
    }

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
        Map<CallKey, Attribute> done = new LinkedHashMap<>();
        LogicalPlan rewritten = rewrite(plan, done);
        if (rewritten == plan) {
            return plan;
        }
        // a rewritten filter passes the result columns up; the plan's own output stays what it was
        return rewritten.output().equals(plan.output()) ? rewritten
                : new Project(CollectionConverters.asScala(new ArrayList<NamedExpression>(
                        CollectionConverters.asJava(plan.output()))).toList(), rewritten);
    }

    private LogicalPlan rewrite(LogicalPlan plan, Map<CallKey, Attribute> done) {
        LogicalPlan p = plan.mapChildren(new AbstractFunction1<>() {
            @Override
            public LogicalPlan apply(LogicalPlan child) {
                return rewrite(child, done);
            }
        });
        if (!(p instanceof Project) && !(p instanceof Filter)) {
            return p;
        }
        List<ScalaUDF> calls = new ArrayList<>();
        for (Expression e : CollectionConverters.asJava(p.expressions())) {
            collect(e, calls);
        }
        if (calls.isEmpty()) {
            return p;
        }
        LogicalPlan child = p.children().head();
        Map<CallKey, ScalaUDF> todo = new LinkedHashMap<>();
        Map<CallKey, Attribute> available = new LinkedHashMap<>();
        for (ScalaUDF call : calls) {
            CallKey key = CallKey.of(call);
            Attribute known = done.get(key);
            if (known != null && child.outputSet().contains(known)) {
                available.put(key, known); // computed below this node already (a filter under a projection)
            } else {
                todo.putIfAbsent(key, call);
            }
        }
        if (!todo.isEmpty()) {
            child = translated(child, todo, available);
            available.forEach(done::putIfAbsent);
        }
        LogicalPlan withChild = p.withNewChildren(CollectionConverters.asScala(List.of(child)).toList());
        return (LogicalPlan) withChild.transformExpressions(new AbstractPartialFunction<Expression, Expression>() {
            @Override
            public boolean isDefinedAt(Expression e) {
                return TranslateFunction.of(e) != null;
            }

            @Override
            public <A1 extends Expression, B1> B1 applyOrElse(A1 e, scala.Function1<A1, B1> otherwise) {
                if (isDefinedAt(e)) {
                    @SuppressWarnings("unchecked")
                    B1 attr = (B1) available.get(CallKey.of((ScalaUDF) e));
                    return attr;
                }
                return otherwise.apply(e);
            }
        });
    }

    /**
     * {@code child} plus one result column per call: the call's arguments as columns, then per call a
     * partition-wise {@link ExecutorTranslation} pass; the child's columns keep their attribute ids.
     */
    private LogicalPlan translated(LogicalPlan child, Map<CallKey, ScalaUDF> calls, Map<CallKey, Attribute> results) {
        List<NamedExpression> pre = new ArrayList<>(CollectionConverters.asJava(child.output()));
        int n = pre.size();
        List<int[]> argColumns = new ArrayList<>();
        int call = 0;
        for (ScalaUDF u : calls.values()) {
            List<Expression> args = CollectionConverters.asJava(u.children());
            int[] idx = new int[args.size()];
            for (int a = 0; a < args.size(); a++) {
                idx[a] = pre.size();
                pre.add(alias(args.get(a), "__bayling_arg_" + call + "_" + a));
            }
            argColumns.add(idx);
            call++;
        }
        Dataset<Row> df = Dataset.ofRows(session, new Project(seq(pre), child));
        call = 0;
        for (ScalaUDF u : calls.values()) {
            TranslateFunction f = TranslateFunction.of(u);
            int[] idx = argColumns.get(call);
            StructType out = ExecutorTranslation.resultSchema(df.schema(), "__bayling_result_" + call);
            df = df.mapPartitions(f.translator().appendResults(new ExecutorTranslation.Columns(idx[0], idx[1], null, idx[2],
                    null, idx.length > 4 ? idx[4] : -1, idx.length > 3 ? idx[3] : -1)), Encoders.row(out));
            call++;
        }
        LogicalPlan mapped = df.logicalPlan();
        List<Attribute> mappedOut = CollectionConverters.asJava(mapped.output());
        // the child's columns under their old ids (operators above refer to them), then the results
        List<NamedExpression> restore = new ArrayList<>();
        List<Attribute> childOut = CollectionConverters.asJava(child.output());
        for (int i = 0; i < n; i++) {
            Attribute a = childOut.get(i);
            restore.add(new Alias(mappedOut.get(i), a.name(), a.exprId(), a.qualifier(), Option.empty(),
                    CollectionConverters.asScala(List.<String>of()).toList()));
        }
        int first = mappedOut.size() - calls.size();
        call = 0;
        for (CallKey key : calls.keySet()) {
            Attribute r = mappedOut.get(first + call);
            restore.add(r);
            results.put(key, r);
            call++;
        }
        return new Project(seq(restore), mapped);
    }

    private static Alias alias(Expression e, String name) {
        return new Alias(e, name, NamedExpression$.MODULE$.newExprId(), CollectionConverters.asScala(List.<String>of()).toList(),
                Option.empty(), CollectionConverters.asScala(List.<String>of()).toList());
    }

    private static Seq<NamedExpression> seq(List<NamedExpression> l) {
        return CollectionConverters.asScala(l).toList();
    }

    private static void collect(Expression e, List<ScalaUDF> out) {
        if (TranslateFunction.of(e) != null) {
            out.add((ScalaUDF) e);
            return; // a call nested in another call's arguments is translated row by row
        }
        for (Expression c : CollectionConverters.asJava(e.children())) {
            collect(c, out);
        }
    }

    /** Calls with semantically equal arguments and the same options are one call. */
    private record CallKey(List<Expression> args, Map<String, String> options) {
        static CallKey of(ScalaUDF u) {
            List<Expression> args = new ArrayList<>();
            for (Expression a : CollectionConverters.asJava(u.children())) {
                args.add(a.canonicalized());
            }
            return new CallKey(args, TranslateFunction.of(u).options());
        }
    }
}
