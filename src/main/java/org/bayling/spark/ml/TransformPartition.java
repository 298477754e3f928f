package org.bayling.spark.ml;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@link TranslationTransformer}'s partition function: reads chunks of {@code batchRows} input rows,
 * translates each chunk with {@link BatchTranslator} and emits every input row with its result struct
 * appended. Lazy: a chunk is translated when the consumer reaches it.
 */
final class TransformPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final BatchTranslator translator;
    private final int text;
    private final int srcCol;
    private final String src;
    private final int tgtCol;
    private final String tgt;
    private final int followups;
    private final int terms;
    private final int batchRows;

    TransformPartition(BatchTranslator translator, int text, int srcCol, String src, int tgtCol, String tgt,
                       int followups, int terms, int batchRows) {
        this.translator = translator;
        this.text = text;
        this.srcCol = srcCol;
        this.src = src;
        this.tgtCol = tgtCol;
        this.tgt = tgt;
        this.followups = followups;
        this.terms = terms;
        this.batchRows = Math.max(1, batchRows);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        return new Iterator<>() {
            private Iterator<Row> current = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && input.hasNext()) {
                    List<Row> chunk = new ArrayList<>(batchRows);
                    while (input.hasNext() && chunk.size() < batchRows) {
                        chunk.add(input.next());
                    }
                    current = translate(chunk).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private List<Row> translate(List<Row> rows) {
        List<BatchTranslator.Request> requests = new ArrayList<>(rows.size());
        for (Row r : rows) {
            requests.add(new BatchTranslator.Request(r.getString(text), srcCol < 0 ? src : r.getString(srcCol),
                    tgtCol < 0 ? tgt : r.getString(tgtCol), strings(r, followups), strings(r, terms)));
        }
        List<Row> results = translator.translate(requests);
        List<Row> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Object[] values = new Object[r.size() + 1];
            for (int c = 0; c < r.size(); c++) {
                values[c] = r.get(c);
            }
            values[r.size()] = results.get(i);
            out.add(RowFactory.create(values));
        }
        return out;
    }

    /** An array<string> column, or a string column as one entry; empty when absent or null. */
    private static List<String> strings(Row r, int col) {
        if (col < 0 || r.isNullAt(col)) {
            return List.of();
        }
        Object v = r.get(col);
        return v instanceof String s ? List.of(s) : r.getList(col);
    }
}
