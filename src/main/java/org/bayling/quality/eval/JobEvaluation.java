package org.bayling.quality.eval;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.quality.LanguageId;
import org.bayling.quality.QualityFlag;
import org.bayling.quality.metrics.Bleu;
import org.bayling.quality.metrics.BleuScore;
import org.bayling.quality.metrics.Chrf;
import org.bayling.quality.metrics.ChrfScore;
import org.bayling.quality.metrics.Ter;
import org.bayling.quality.metrics.TerScore;
import org.bayling.output.OutputSchema;
import scala.Tuple2;

/**
 * Corpus evaluation of a translation job's output in Spark: sacreBLEU-compatible BLEU (sacreBLEU's default
 * tokenizer for the target, or {@link Options#tokenize}), chrF2, chrF2++ and TER, per language pair and, within
 * each pair, per {@link QualityFlag} (plus the unflagged rows), over {@code ok} rows that have a reference.
 *
 * <p><b>Distributed computation.</b> Every metric here is a sum of per-segment sufficient statistics (BLEU: hypothesis
 * and closest-reference lengths, matched and total n-gram counts; chrF/chrF++: hypothesis, reference and matched
 * character/word n-gram counts per order; TER: best edit count and reference length). Executors compute these per
 * row with the file-mode metric classes and sum them per key ({@code reduceByKey}); only one small vector per
 * (pair | pair×flag) reaches the driver, which turns it into scores with {@code scoreFromStatistics}. The counts are
 * integers summed in doubles (exact below 2^53), so the scores equal file mode on the same segments.
 */
public final class JobEvaluation {

    /**
     * @param translations    the job's output directory (Parquet, any Hadoop URI)
     * @param references      references to join by id, or null to use the output's {@code reference} column
     * @param referenceFormat null = from the references' file name
     * @param idColumn        id column of the references
     * @param referenceColumn reference column of the references
     * @param tokenize        BLEU tokenizer for every pair, or null for sacreBLEU's default per target language
     */
    public record Options(String translations, String references, ReferenceFormat referenceFormat, String idColumn,
                          String referenceColumn, String tokenize) implements Serializable {
        public Options {
            if (translations == null || translations.isBlank()) {
                throw new IllegalArgumentException("--translations is required");
            }
            idColumn = idColumn == null ? OutputSchema.ID : idColumn;
            referenceColumn = referenceColumn == null ? OutputSchema.REFERENCE : referenceColumn;
        }

        public static Options of(String translations) {
            return new Options(translations, null, null, null, null, null);
        }

        public Options withReferences(String uri, ReferenceFormat format) {
            return new Options(translations, uri, format, idColumn, referenceColumn, tokenize);
        }
    }

    /** Corpus metrics over a set of segments; {@code bleu} is null (and {@code bleuError} set) when unavailable. */
    public record Metrics(long segments, BleuScore bleu, String bleuError, ChrfScore chrf, ChrfScore chrfPlusPlus,
                          TerScore ter) implements Serializable {
    }

    /** Rows of a pair carrying one flag: count (ok rows), rows with a reference, metrics over those (or null). */
    public record Group(long rows, long evaluated, double meanCombined, Metrics metrics) implements Serializable {
    }

    /** One language pair. {@code metrics} is null when no ok row has a reference. */
    public record PairResult(String srcLang, String tgtLang, long rows, long ok, long error, long skipped,
                             long otherStatus, long okWithoutReference, double meanCombined, Metrics metrics,
                             Map<String, Group> flags, Group unflagged) implements Serializable {
        public String pair() {
            return srcLang + "-" + tgtLang;
        }

        public long evaluated() {
            return ok - okWithoutReference;
        }
    }

    /** The whole evaluation; {@link EvaluationJson} renders it. */
    public record Result(Options options, JobRows.FlagSource flagSource, Map<String, PairResult> pairs)
            implements Serializable {
        public long rows() {
            return pairs.values().stream().mapToLong(PairResult::rows).sum();
        }

        public long ok() {
            return pairs.values().stream().mapToLong(PairResult::ok).sum();
        }

        public long evaluated() {
            return pairs.values().stream().mapToLong(PairResult::evaluated).sum();
        }

        public PairResult pair(String pair) {
            return pairs.get(pair);
        }
    }

    // vector layout
    static final int N_ROWS = 0, N_OK = 1, N_ERROR = 2, N_SKIPPED = 3, N_OTHER = 4, N_OK_NOREF = 5, N_EVAL = 6,
            COMBINED_SUM = 7, COMBINED_N = 8, HEAD = 9;
    static final int BLEU_LEN = 2 + 2 * Bleu.MAX_NGRAM_ORDER;
    static final int CHRF_LEN = 3 * Chrf.CHAR_ORDER;
    static final int CHRFPP_LEN = 3 * (Chrf.CHAR_ORDER + 2);
    static final int TER_LEN = 2;
    static final int BLEU_AT = HEAD, CHRF_AT = BLEU_AT + BLEU_LEN, CHRFPP_AT = CHRF_AT + CHRF_LEN,
            TER_AT = CHRFPP_AT + CHRFPP_LEN, LEN = TER_AT + TER_LEN;

    static final String SEP = "\u0000";
    static final String UNFLAGGED = "";

    private JobEvaluation() {
    }

    /** Reads the output (and references), scores flags if needed, aggregates statistics, computes scores. */
    public static Result evaluate(SparkSession spark, Options o) {
        Dataset<Row> output = JobRows.readOutput(spark, o.translations());
        if (o.references() != null) {
            output = JobRows.withReferences(spark, output, o.references(), o.referenceFormat(), o.idColumn(),
                    o.referenceColumn());
        }
        JobRows.FlagSource source = JobRows.flagSource(output.schema());
        Dataset<Row> scored = JobRows.scored(output, false);
        return evaluate(scored, o, source);
    }

    /** Aggregates already {@link JobRows#scored} rows. */
    public static Result evaluate(Dataset<Row> scored, Options o, JobRows.FlagSource source) {
        Map<String, double[]> sums = scored.javaRDD()
                .mapPartitionsToPair(new SegmentStats(o.tokenize()))
                .reduceByKey(JobEvaluation::add)
                .collectAsMap();

        Map<String, PairResult> pairs = new TreeMap<>();
        Map<String, Map<String, double[]>> byPair = new TreeMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            String[] k = e.getKey().split(SEP, -1);
            String pairKey = k[0] + SEP + k[1];
            byPair.computeIfAbsent(pairKey, x -> new HashMap<>()).put(k.length > 2 ? k[2] : null, e.getValue());
        }
        for (Map.Entry<String, Map<String, double[]>> e : byPair.entrySet()) {
            String[] k = e.getKey().split(SEP, -1);
            String src = k[0];
            String tgt = k[1];
            Map<String, double[]> groups = e.getValue();
            double[] v = groups.get(null);
            Map<String, Group> flags = new TreeMap<>((a, b) -> flagOrder(a) - flagOrder(b) != 0
                    ? flagOrder(a) - flagOrder(b) : a.compareTo(b));
            Group unflagged = null;
            for (Map.Entry<String, double[]> g : groups.entrySet()) {
                if (g.getKey() == null) {
                    continue;
                }
                Group grp = group(g.getValue(), tgt, o.tokenize());
                if (g.getKey().equals(UNFLAGGED)) {
                    unflagged = grp;
                } else {
                    flags.put(g.getKey(), grp);
                }
            }
            PairResult p = new PairResult(src, tgt, (long) v[N_ROWS], (long) v[N_OK], (long) v[N_ERROR],
                    (long) v[N_SKIPPED], (long) v[N_OTHER], (long) v[N_OK_NOREF], mean(v),
                    v[N_EVAL] > 0 ? metrics(v, tgt, o.tokenize()) : null, flags,
                    unflagged == null ? new Group(0, 0, Double.NaN, null) : unflagged);
            pairs.put(p.pair(), p);
        }
        return new Result(o, source, pairs);
    }

    private static int flagOrder(String f) {
        try {
            return QualityFlag.valueOf(f).ordinal();
        } catch (IllegalArgumentException e) {
            return QualityFlag.values().length;
        }
    }

    private static Group group(double[] v, String tgt, String tokenize) {
        return new Group((long) v[N_OK], (long) v[N_EVAL], mean(v), v[N_EVAL] > 0 ? metrics(v, tgt, tokenize) : null);
    }

    private static double mean(double[] v) {
        return v[COMBINED_N] > 0 ? v[COMBINED_SUM] / v[COMBINED_N] : Double.NaN;
    }

    /** Scores from summed statistics; signatures say nrefs:1 (one reference per segment). */
    static Metrics metrics(double[] v, String tgt, String tokenize) {
        BleuScore bleu = null;
        String bleuError = null;
        try {
            Bleu b = bleuFor(tgt, tokenize);
            bleu = b.scoreFromStatistics(slice(v, BLEU_AT, BLEU_LEN), b.signature(1, null, null));
        } catch (RuntimeException e) {
            bleuError = e.getMessage();
        }
        Chrf c = Chrf.chrf();
        Chrf cpp = Chrf.chrfPlusPlus();
        Ter t = Ter.forTarget(tgt);
        return new Metrics((long) v[N_EVAL], bleu, bleuError,
                c.scoreFromStatistics(slice(v, CHRF_AT, CHRF_LEN), c.signature(1, null, null)),
                cpp.scoreFromStatistics(slice(v, CHRFPP_AT, CHRFPP_LEN), cpp.signature(1, null, null)),
                t.scoreFromStatistics(slice(v, TER_AT, TER_LEN), t.signature(1, null, null)));
    }

    /** BLEU with sacreBLEU's defaults for {@code tgt}, or the given tokenizer (null = default). */
    public static Bleu bleuFor(String tgt, String tokenize) {
        return Bleu.builder().targetLang(tgt).tokenize(tokenize).build();
    }

    private static double[] slice(double[] v, int at, int len) {
        double[] out = new double[len];
        System.arraycopy(v, at, out, 0, len);
        return out;
    }

    static double[] add(double[] a, double[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    /** Writes {@link EvaluationJson#toJson} to a Hadoop URI (local path, hdfs://, ...). */
    public static void writeJson(SparkSession spark, Result r, String uri) {
        Path p = new Path(uri);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (OutputStream out = fs.create(p, true)) {
                out.write((EvaluationJson.toJson(r) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Executor side: one statistics vector per row, emitted under its pair key, and for ok rows also under
     * pair×flag (or pair×unflagged). Metric objects are built once per target language per partition.
     */
    static final class SegmentStats implements PairFlatMapFunction<Iterator<Row>, String, double[]> {
        private static final long serialVersionUID = 1L;
        private final String tokenize;

        SegmentStats(String tokenize) {
            this.tokenize = tokenize;
        }

        @Override
        public Iterator<Tuple2<String, double[]>> call(Iterator<Row> rows) {
            Map<String, Object[]> metrics = new HashMap<>();
            Chrf chrf = Chrf.chrf();
            Chrf chrfpp = Chrf.chrfPlusPlus();
            List<Tuple2<String, double[]>> out = new ArrayList<>();
            // Partial sums per key inside the partition keep the shuffle to a few vectors per partition.
            Map<String, double[]> local = new HashMap<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                String src = LanguageId.normalize(r.getString(JobRows.I_SRC));
                String tgt = LanguageId.normalize(r.getString(JobRows.I_TGT));
                String status = r.getString(JobRows.I_STATUS);
                double[] v = new double[LEN];
                v[N_ROWS] = 1;
                boolean ok = OutputSchema.STATUS_OK.equals(status);
                if (!ok) {
                    if (OutputSchema.STATUS_ERROR.equals(status)) {
                        v[N_ERROR] = 1;
                    } else if (OutputSchema.STATUS_SKIPPED.equals(status)) {
                        v[N_SKIPPED] = 1;
                    } else {
                        v[N_OTHER] = 1;
                    }
                    merge(local, src + SEP + tgt, v);
                    continue;
                }
                v[N_OK] = 1;
                if (!r.isNullAt(JobRows.I_COMBINED)) {
                    v[COMBINED_SUM] = r.getDouble(JobRows.I_COMBINED);
                    v[COMBINED_N] = 1;
                }
                String ref = r.getString(JobRows.I_REFERENCE);
                if (ref == null) {
                    v[N_OK_NOREF] = 1;
                } else {
                    v[N_EVAL] = 1;
                    String hyp = r.isNullAt(JobRows.I_TRANSLATION) ? "" : r.getString(JobRows.I_TRANSLATION);
                    List<String> h = List.of(hyp);
                    List<List<String>> refs = List.of(List.of(ref));
                    Object[] m = metrics.computeIfAbsent(tgt, t -> {
                        Object b;
                        try {
                            b = bleuFor(t, tokenize);
                        } catch (RuntimeException e) {
                            b = null; // e.g. ja-mecab: BLEU reported as unavailable on the driver
                        }
                        return new Object[] {b, Ter.forTarget(t)};
                    });
                    if (m[0] != null) {
                        put(v, BLEU_AT, ((Bleu) m[0]).segmentStatistics(h, refs).get(0));
                    }
                    put(v, CHRF_AT, chrf.segmentStatistics(h, refs).get(0));
                    put(v, CHRFPP_AT, chrfpp.segmentStatistics(h, refs).get(0));
                    put(v, TER_AT, ((Ter) m[1]).segmentStatistics(h, refs).get(0));
                }
                String pair = src + SEP + tgt;
                merge(local, pair, v);
                List<String> flags = r.isNullAt(JobRows.I_FLAGS) ? List.of() : r.getList(JobRows.I_FLAGS);
                if (flags.isEmpty()) {
                    merge(local, pair + SEP + UNFLAGGED, v);
                } else {
                    for (String f : new java.util.LinkedHashSet<>(flags)) {
                        merge(local, pair + SEP + f, v);
                    }
                }
            }
            local.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
            return out.iterator();
        }

        private static void put(double[] v, int at, double[] stats) {
            System.arraycopy(stats, 0, v, at, stats.length);
        }

        private static void merge(Map<String, double[]> local, String key, double[] v) {
            double[] cur = local.get(key);
            if (cur == null) {
                local.put(key, v.clone());
            } else {
                for (int i = 0; i < cur.length; i++) {
                    cur[i] += v[i];
                }
            }
        }
    }
}
