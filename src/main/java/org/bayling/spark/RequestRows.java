package org.bayling.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bayling.output.OutputSchema;
import org.bayling.translate.TaskChecks;

/**
 * The job's plan step, one input row to one request row: glossary terms added, the row checked with
 * the planner's own checks ({@link TaskChecks}: a bad row becomes an error row here and is never sent to
 * translation), and the request hash identical requests share. Output: {@link #SCHEMA}.
 */
public final class RequestRows implements MapFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    public static final StructType SCHEMA = OutputSchema.INPUT.add(OutputSchema.REQUEST_HASH, DataTypes.StringType, true);

    /** Glossary keyed by {@link #pairKey}: each entry is {lower-cased source term, target term}. */
    private final Broadcast<Map<String, List<String[]>>> glossary;
    private final boolean dedup;

    public RequestRows(Broadcast<Map<String, List<String[]>>> glossary, boolean dedup) {
        this.glossary = glossary;
        this.dedup = dedup;
    }

    public static String pairKey(String src, String tgt) {
        return src.toLowerCase(Locale.ROOT) + "\u0000" + tgt.toLowerCase(Locale.ROOT);
    }

    @Override
    public Row call(Row r) {
        String id = r.getString(0);
        String text = r.getString(1);
        String src = r.getString(2);
        String tgt = r.getString(3);
        List<String> followups = r.isNullAt(4) ? List.of() : dropNulls(r.getList(4));
        List<String> terms = r.isNullAt(5) ? new ArrayList<>() : new ArrayList<>(dropNulls(r.getList(5)));
        String reference = r.getString(6);
        String error = r.getString(7);
        if (error == null) {
            error = TaskChecks.problem(text, src, tgt);
        }
        if (error == null) {
            for (String f : followups) {
                String p = TaskChecks.textProblem(f);
                if (p != null) {
                    error = "follow-up: " + p;
                    break;
                }
            }
        }
        if (error == null && glossary != null) {
            List<String[]> entries = glossary.value().get(pairKey(src, tgt));
            if (entries != null) {
                String lower = text.toLowerCase(Locale.ROOT);
                for (String[] e : entries) {
                    if (lower.contains(e[0]) && !terms.contains(e[1])) {
                        terms.add(e[1]);
                    }
                }
            }
        }
        String hash = null;
        if (error == null) {
            hash = RequestHash.of(text, src, tgt, followups, terms);
            if (!dedup) {
                hash = RequestHash.of(id, hash, "", List.of(), List.of());
            }
        }
        return RowFactory.create(id, text, src, tgt, OutputSchema.seq(followups), OutputSchema.seq(terms), reference,
                error, r.get(8), hash);
    }

    private static List<String> dropNulls(List<String> l) {
        return l.stream().filter(s -> s != null && !s.isBlank()).toList();
    }
}
