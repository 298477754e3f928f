package org.bayling.quality;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Thresholds and weights of {@link QualityScorer}, read from {@code quality.properties}
 * (documented there). Immutable and serializable, so it ships to Spark executors with the scorer.
 *
 * <p>{@link #defaults()} reads the classpath copy {@code /bayling/quality.properties};
 * {@link #load(Path)} overlays a file (e.g. {@code conf/quality.properties}) on those defaults.
 */
public final class QualityConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Classpath location of the default properties (identical to {@code conf/quality.properties}). */
    public static final String RESOURCE = "/bayling/quality.properties";

    private final TreeMap<String, String> values;

    // language identification
    final List<String> languages;
    final boolean langLowAccuracy;
    final boolean langPreload;
    final int langMinLetters;
    final int langMinLettersCharScript;
    final double langTargetMinRelativeScore;
    // confidence
    final double minMeanLogprob;
    final double confidenceFloor;
    final double confidenceCeiling;
    // length
    final Set<String> charScripts;
    final TreeMap<String, Double> expectedRatios;
    final double defaultWordWord;
    final double defaultWordChar;
    final double defaultCharWord;
    final double defaultCharChar;
    final double lengthTolerance;
    final int minSourceWords;
    final int minSourceChars;
    // copy
    final double copyThreshold;
    final int copyMinChars;
    final double copyScoreStart;
    // repetition
    final int ngramWords;
    final int ngramChars;
    final double maxRepeatedNgramRatio;
    final int minNgrams;
    final int loopMinRepeats;
    final int loopMinWords;
    final int loopMinChars;
    final int maxPeriod;
    final double repetitionFlaggedScore;
    // terms, truncation
    final double termsMinCoverage;
    final double truncationScore;
    // weights
    final double wConfidence;
    final double wLength;
    final double wLanguage;
    final double wCopy;
    final double wRepetition;
    final double wTerms;
    final double wTruncation;
    final double wReference;

    private QualityConfig(Map<String, String> raw) {
        this.values = new TreeMap<>(raw);
        languages = List.copyOf(list("lang.languages"));
        langLowAccuracy = bool("lang.lowAccuracy");
        langPreload = bool("lang.preload");
        langMinLetters = integer("lang.minLetters");
        langMinLettersCharScript = integer("lang.minLettersCharScript");
        langTargetMinRelativeScore = dbl("lang.targetMinRelativeScore");

        minMeanLogprob = dbl("confidence.minMeanLogprob");
        confidenceFloor = dbl("confidence.scoreFloor");
        confidenceCeiling = dbl("confidence.scoreCeiling");

        charScripts = Set.copyOf(list("length.charScripts"));
        expectedRatios = new TreeMap<>();
        String prefix = "length.expected.";
        for (Map.Entry<String, String> e : values.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(prefix) && !k.startsWith(prefix + "default.")) {
                expectedRatios.put(k.substring(prefix.length()).toLowerCase(Locale.ROOT), Double.parseDouble(e.getValue().trim()));
            }
        }
        defaultWordWord = dbl("length.expected.default.word-word");
        defaultWordChar = dbl("length.expected.default.word-char");
        defaultCharWord = dbl("length.expected.default.char-word");
        defaultCharChar = dbl("length.expected.default.char-char");
        lengthTolerance = dbl("length.tolerance");
        minSourceWords = integer("length.minSourceWords");
        minSourceChars = integer("length.minSourceChars");

        copyThreshold = dbl("copy.threshold");
        copyMinChars = integer("copy.minChars");
        copyScoreStart = dbl("copy.scoreStart");

        ngramWords = integer("repetition.ngramWords");
        ngramChars = integer("repetition.ngramChars");
        maxRepeatedNgramRatio = dbl("repetition.maxRepeatedNgramRatio");
        minNgrams = integer("repetition.minNgrams");
        loopMinRepeats = integer("repetition.loopMinRepeats");
        loopMinWords = integer("repetition.loopMinWords");
        loopMinChars = integer("repetition.loopMinChars");
        maxPeriod = integer("repetition.maxPeriod");
        repetitionFlaggedScore = dbl("repetition.flaggedScore");

        termsMinCoverage = dbl("terms.minCoverage");
        truncationScore = dbl("truncation.score");

        wConfidence = dbl("score.weight.confidence");
        wLength = dbl("score.weight.length");
        wLanguage = dbl("score.weight.language");
        wCopy = dbl("score.weight.copy");
        wRepetition = dbl("score.weight.repetition");
        wTerms = dbl("score.weight.terms");
        wTruncation = dbl("score.weight.truncation");
        wReference = dbl("score.weight.reference");
    }

    /** The classpath defaults ({@value #RESOURCE}). */
    public static QualityConfig defaults() {
        return new QualityConfig(readDefaults());
    }

    /** The classpath defaults overlaid with the given file (e.g. {@code conf/quality.properties}). */
    public static QualityConfig load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return defaults().with(p);
    }

    /** A copy with some keys replaced (same key names as in the properties file). */
    public QualityConfig with(Properties overrides) {
        TreeMap<String, String> m = new TreeMap<>(values);
        for (String k : overrides.stringPropertyNames()) {
            m.put(k, overrides.getProperty(k));
        }
        return new QualityConfig(m);
    }

    /** A copy with one key replaced. */
    public QualityConfig with(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return with(p);
    }

    /** The raw value of a key, or null. */
    public String get(String key) {
        return values.get(key);
    }

    public List<String> languages() {
        return languages;
    }

    /** Whether text in this language is measured in characters rather than words. */
    public boolean isCharScript(String lang) {
        return charScripts.contains(LanguageId.normalize(lang));
    }

    /**
     * Expected target/source length ratio for a pair, in the units of each side
     * (see {@link #isCharScript}): the configured value, else x-en * en-y, else a per-unit default.
     */
    public double expectedRatio(String srcLang, String tgtLang) {
        String s = LanguageId.normalize(srcLang);
        String t = LanguageId.normalize(tgtLang);
        Double direct = expectedRatios.get(s + "-" + t);
        if (direct != null) {
            return direct;
        }
        Double viaA = expectedRatios.get(s + "-en");
        Double viaB = expectedRatios.get("en-" + t);
        if (viaA != null && viaB != null) {
            return viaA * viaB;
        }
        boolean sc = charScripts.contains(s);
        boolean tc = charScripts.contains(t);
        if (sc && tc) {
            return defaultCharChar;
        }
        if (sc) {
            return defaultCharWord;
        }
        return tc ? defaultWordChar : defaultWordWord;
    }

    private static Map<String, String> readDefaults() {
        Properties p = new Properties();
        try (InputStream in = QualityConfig.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + RESOURCE);
            }
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TreeMap<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    private String required(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("quality config: missing " + key);
        }
        return v.trim();
    }

    private double dbl(String key) {
        return Double.parseDouble(required(key));
    }

    private int integer(String key) {
        return Integer.parseInt(required(key));
    }

    private boolean bool(String key) {
        return Boolean.parseBoolean(required(key));
    }

    private List<String> list(String key) {
        List<String> out = new ArrayList<>();
        for (String s : required(key).split(",")) {
            if (!s.isBlank()) {
                out.add(LanguageId.normalize(s));
            }
        }
        return new ArrayList<>(new LinkedHashSet<>(out));
    }

    @Override
    public String toString() {
        return "QualityConfig" + values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QualityConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
