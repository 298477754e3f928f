package org.bayling.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.expressions.Window;
import org.bayling.output.OutputSchema;

/**
 * Reads any supported input into {@link OutputSchema#INPUT}: one row per input record, malformed
 * records included (with {@code input_error} set). Ids come from the id column, else from
 * {@code <file name>:<line number>} (line-based formats) or {@code <file name>:<row number>} (Parquet),
 * which are the same on every run over the same files, whatever the partitioning.
 */
public final class InputReader {

    static final String CORRUPT = "_corrupt_record";
    private static final String LINE_ID = "__line_id";
    private static final String LINE = "__line";
    private static final String PARSED = "__parsed";
    private static final String LINE_NO = "__line_no";
    /** Input order: the file's path and the row's position in it (line, record or row number). */
    private static final String FILE = "__file";
    private static final String FILE_NAME = "__file_name";
    private static final String POS = "__pos";
    private static final Map<String, String> NO_OPTIONS = Map.of();
    private static final String LONE_SURROGATE_ESCAPE =
            "(?i)\\\\ud[89ab][0-9a-f]{2}(?!\\\\ud[c-f][0-9a-f]{2})|(?<!\\\\ud[89ab][0-9a-f]{2})\\\\ud[c-f][0-9a-f]{2}";

    private InputReader() {
    }

    public static Dataset<Row> read(SparkSession spark, TranslateOptions o) {
        Read read = switch (o.format()) {
            case PARQUET -> new Read(readParquet(spark, o), false);
            case TEXT -> readText(spark, o);
            case JSONL -> readJsonLines(spark, o);
            case CSV -> new Read(readDelimited(spark, o, ","), false);
            case TSV -> new Read(readDelimited(spark, o, "\t"), false);
        };
        return withOccurrence(read);
    }

    /** Rows read, and whether their ids are unique by construction (line ids of files with distinct names). */
    private record Read(Dataset<Row> rows, boolean uniqueIds) {
    }

    /**
     * Numbers the rows that share an id in input order (file path, then position in the file): the row
     * identity (id, occurrence) is unique per input row and the same on every run over the same files. Ids
     * unique by construction are all occurrence 1, without the shuffle the numbering needs.
     */
    private static Dataset<Row> withOccurrence(Read read) {
        Dataset<Row> rows = read.rows();
        Column occurrence = read.uniqueIds() ? lit(1)
                : row_number().over(Window.partitionBy(col(OutputSchema.ID)).orderBy(col(FILE), col(POS)));
        List<Column> cols = new ArrayList<>();
        for (StructField f : OutputSchema.INPUT.fields()) {
            cols.add(f.name().equals(OutputSchema.OCCURRENCE) ? occurrence.as(f.name()) : col(f.name()));
        }
        return rows.select(cols.toArray(Column[]::new));
    }

    private static Dataset<Row> readParquet(SparkSession spark, TranslateOptions o) {
        Dataset<Row> df = spark.read().parquet(inputPaths(o.input()))
                .withColumn(FILE, col("_metadata.file_path")).withColumn(POS, col("_metadata.row_index"));
        Column derived = concat(col("_metadata.file_name"), lit(":"),
                col("_metadata.row_index").plus(1).cast("string"));
        return normalize(df, o, derived, null, null, null);
    }

    /**
     * A comma-separated list of paths or globs, as Hadoop's text inputs take it: commas inside
     * {@code {a,b}} alternations do not split.
     */
    static String[] inputPaths(String input) {
        List<String> paths = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < input.length(); i++) {
            char ch = input.charAt(i);
            if (ch == '{') {
                depth++;
            } else if (ch == '}' && depth > 0) {
                depth--;
            } else if (ch == ',' && depth == 0) {
                paths.add(input.substring(start, i));
                start = i + 1;
            }
        }
        paths.add(input.substring(start));
        return paths.stream().filter(p -> !p.isBlank()).toArray(String[]::new);
    }

    private static Read readText(SparkSession spark, TranslateOptions o) {
        Lines numbered = numberedLines(spark, o.input());
        Dataset<Row> lines = numbered.rows();
        return new Read(lines.select(
                col(LINE_ID).as(OutputSchema.ID),
                col(LINE).as(OutputSchema.SOURCE),
                lit(o.srcLang()).cast("string").as(OutputSchema.SRC_LANG),
                lit(o.tgtLang()).cast("string").as(OutputSchema.TGT_LANG),
                lit(null).cast(DataTypes.createArrayType(DataTypes.StringType)).as(OutputSchema.FOLLOWUPS),
                lit(null).cast(DataTypes.createArrayType(DataTypes.StringType)).as(OutputSchema.TERMS),
                lit(null).cast("string").as(OutputSchema.REFERENCE),
                lit(null).cast("string").as(OutputSchema.INPUT_ERROR),
                col(FILE), col(LINE_NO).as(POS)), numbered.uniqueIds());
    }

    private static Read readJsonLines(SparkSession spark, TranslateOptions o) {
        Lines numbered = numberedLines(spark, o.input());
        Dataset<Row> lines = numbered.rows().where(trim(col(LINE)).notEqual(""));
        Dataset<String> text = lines.select(col(LINE)).as(Encoders.STRING());
        StructType inferred = spark.read().option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT).json(text).schema();
        StructType schema = withCorruptColumn(inferred);
        Dataset<Row> parsed = lines.select(col(LINE_ID), col(LINE), col(FILE), col(LINE_NO).as(POS),
                from_json(col(LINE), schema, Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT))
                        .as(PARSED));
        Dataset<Row> flat = parsed.select(col(LINE_ID), col(LINE), col(FILE), col(POS), col(PARSED + ".*"));
        // Spark turns unpaired surrogates into '?' when it makes strings: catch them in the raw line
        Column lone = col(LINE).rlike(LONE_SURROGATE_ESCAPE);
        // ids from an id column may repeat; line ids are unique when the file names are
        boolean uniqueIds = numbered.uniqueIds() && !has(Arrays.asList(flat.columns()), o.columns().id());
        return new Read(normalize(flat, o, col(LINE_ID), "malformed JSON line", col(LINE),
                when(lone, lit("lone surrogate escape (\\uD800-\\uDFFF without its pair) in JSON line"))), uniqueIds);
    }

    /**
     * CSV/TSV per RFC 4180 through Spark's own CSV reader: a header line, fields optionally quoted with
     * {@code "}, a quote inside a quoted field doubled ({@code ""}), quoted fields may span lines
     * ({@code multiLine}): one row per record. A record with the wrong number of fields is an error row
     * holding its raw text. Ids without an id column: {@code <file name>:<n>} with the header as 1 (the
     * line number when no field spans lines).
     */
    private static Dataset<Row> readDelimited(SparkSession spark, TranslateOptions o, String sep) {
        String[] paths = inputPaths(o.input());
        StructType header = csvReader(spark, sep).csv(paths).schema();
        if (header.fields().length == 0) {
            throw new IllegalArgumentException("input " + o.input() + " has no header line");
        }
        List<StructField> fields = new ArrayList<>();
        for (StructField f : header.fields()) {
            fields.add(DataTypes.createStructField(f.name(), DataTypes.StringType, true));
        }
        fields.add(DataTypes.createStructField(CORRUPT, DataTypes.StringType, true));
        Dataset<Row> records = csvReader(spark, sep).option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT)
                .schema(DataTypes.createStructType(fields)).csv(paths)
                .withColumn(FILE, col("_metadata.file_path"))
                .withColumn(FILE_NAME, col("_metadata.file_name"))
                // a multi-line file is read whole by one task, in record order: this orders records within a file
                .withColumn(POS, monotonically_increasing_id());
        Dataset<Row> numbered = records.withColumn(POS,
                row_number().over(Window.partitionBy(col(FILE)).orderBy(col(POS))).plus(1).cast("long"));
        Column derived = concat(col(FILE_NAME), lit(":"), col(POS).cast("string"));
        return normalize(numbered, o, derived, "malformed " + (sep.equals(",") ? "CSV" : "TSV") + " record",
                col(CORRUPT), null);
    }

    private static DataFrameReader csvReader(SparkSession spark, String sep) {
        return spark.read().option("header", "true").option("sep", sep).option("multiLine", "true")
                .option("quote", "\"").option("escape", "\"").option("inferSchema", "false");
    }

    /** Maps user columns onto the normalized input schema. */
    private static Dataset<Row> normalize(Dataset<Row> df, TranslateOptions o, Column derivedId, String corruptLabel,
                                          Column raw, Column rawError) {
        TranslateOptions.Columns c = o.columns();
        List<String> names = Arrays.asList(df.columns());
        if (!names.contains(c.text())) {
            throw new IllegalArgumentException("input " + o.input() + " has no text column '" + c.text()
                    + "' (columns: " + String.join(", ", names.stream().filter(n -> !n.startsWith("__")).toList())
                    + "); pass --text-column");
        }
        Column id = has(names, c.id()) ? coalesce(col(c.id()).cast("string"), derivedId) : derivedId;
        Column src = has(names, c.srcLang()) ? coalesce(trim(col(c.srcLang()).cast("string")), lit(o.srcLang()))
                : lit(o.srcLang()).cast("string");
        Column tgt = has(names, c.tgtLang()) ? coalesce(trim(col(c.tgtLang()).cast("string")), lit(o.tgtLang()))
                : lit(o.tgtLang()).cast("string");
        Column error = lit(null).cast("string");
        if (corruptLabel != null && names.contains(CORRUPT)) {
            error = when(col(CORRUPT).isNotNull(),
                    concat(lit(corruptLabel + ": "), substring(col(CORRUPT), 1, 200)));
        }
        if (rawError != null) {
            error = coalesce(error, rawError);
        }
        // a corrupt record keeps its raw line as the source, for the error report
        Column text = col(c.text()).cast("string");
        if (corruptLabel != null && names.contains(CORRUPT) && raw != null) {
            text = when(col(CORRUPT).isNotNull(), raw).otherwise(text);
        }
        return df.select(
                id.as(OutputSchema.ID),
                text.as(OutputSchema.SOURCE),
                src.as(OutputSchema.SRC_LANG),
                tgt.as(OutputSchema.TGT_LANG),
                stringList(df, names, c.followups()).as(OutputSchema.FOLLOWUPS),
                stringList(df, names, c.terms()).as(OutputSchema.TERMS),
                (has(names, c.reference()) ? col(c.reference()).cast("string") : lit(null).cast("string"))
                        .as(OutputSchema.REFERENCE),
                error.as(OutputSchema.INPUT_ERROR),
                col(FILE), col(POS));
    }

    private static boolean has(List<String> names, String column) {
        return column != null && names.contains(column);
    }

    /** An array of strings from an array column, a JSON-array string, or a single string. */
    private static Column stringList(Dataset<Row> df, List<String> names, String column) {
        ArrayType strings = DataTypes.createArrayType(DataTypes.StringType, true);
        if (!has(names, column)) {
            return lit(null).cast(strings);
        }
        DataType t = df.schema().apply(column).dataType();
        if (t instanceof ArrayType) {
            return col(column).cast(strings);
        }
        Column s = trim(col(column).cast("string"));
        return when(s.isNull().or(s.equalTo("")), lit(null).cast(strings))
                .when(s.startsWith("["), from_json(s, strings, NO_OPTIONS))
                .otherwise(array(s));
    }

    private static StructType withCorruptColumn(StructType s) {
        if (Arrays.asList(s.fieldNames()).contains(CORRUPT)) {
            return s;
        }
        return s.add(CORRUPT, DataTypes.StringType, true);
    }

    /** Numbered lines, and whether their ids are unique: no two files share a name. */
    record Lines(Dataset<Row> rows, boolean uniqueIds) {
    }

    /**
     * Lines of every file under {@code input} with {@code <file name>:<line number>} ids. Line numbers
     * are 1-based and computed from per-split line counts, so they do not depend on how files are split.
     */
    static Lines numberedLines(SparkSession spark, String input) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        @SuppressWarnings("unchecked")
        JavaNewHadoopRDD<LongWritable, Text> files = (JavaNewHadoopRDD<LongWritable, Text>)
                jsc.newAPIHadoopFile(input, TextInputFormat.class, LongWritable.class, Text.class, conf);

        Function2<InputSplit, Iterator<scala.Tuple2<LongWritable, Text>>, Iterator<Object[]>> count =
                (split, it) -> {
                    long n = 0;
                    while (it.hasNext()) {
                        it.next();
                        n++;
                    }
                    FileSplit fs = (FileSplit) split;
                    return List.<Object[]>of(new Object[] {fs.getPath().toString(), fs.getStart(), n}).iterator();
                };
        List<Object[]> counts = files.mapPartitionsWithInputSplit(count, false).collect();
        Map<String, TreeMap<Long, Long>> byFile = new HashMap<>();
        for (Object[] c : counts) {
            byFile.computeIfAbsent((String) c[0], k -> new TreeMap<>()).put((Long) c[1], (Long) c[2]);
        }
        Map<String, Long> base = new HashMap<>();
        byFile.forEach((file, splits) -> {
            long acc = 0;
            for (Map.Entry<Long, Long> e : splits.entrySet()) {
                base.put(file + "@" + e.getKey(), acc);
                acc += e.getValue();
            }
        });
        Broadcast<Map<String, Long>> bases = jsc.broadcast(base);

        Function2<InputSplit, Iterator<scala.Tuple2<LongWritable, Text>>, Iterator<Row>> number =
                (split, it) -> {
                    FileSplit fs = (FileSplit) split;
                    String name = fs.getPath().getName();
                    String path = fs.getPath().toString();
                    long first = bases.value().get(fs.getPath().toString() + "@" + fs.getStart());
                    return new Iterator<>() {
                        long i = first;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Row next() {
                            String line = it.next()._2().toString();
                            i++;
                            return RowFactory.create(name + ":" + i, line, i, path);
                        }
                    };
                };
        JavaRDD<Row> rows = files.mapPartitionsWithInputSplit(number, true);
        StructType schema = new StructType()
                .add(LINE_ID, DataTypes.StringType, false)
                .add(LINE, DataTypes.StringType, true)
                .add(LINE_NO, DataTypes.LongType, false)
                .add(FILE, DataTypes.StringType, false);
        long names = byFile.keySet().stream().map(f -> new org.apache.hadoop.fs.Path(f).getName()).distinct().count();
        return new Lines(spark.createDataFrame(rows, schema), names == byFile.size());
    }
}
