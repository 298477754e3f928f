package org.bayling.quality;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.IsoCode639_3;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Language identification with Lingua over a bounded language set (from {@code lang.languages}).
 *
 * <p>One detector per JVM and configuration: get it with {@link #shared(QualityConfig)}; it is
 * built lazily on first use and is thread-safe (Lingua's model maps are static and loaded under a
 * lock; detection itself only reads them). Lingua keeps loaded models for the life of the JVM.
 */
public final class LanguageId {

    /** ISO code returned when nothing could be detected. */
    public static final String UNDETERMINED = "und";

    private static final ConcurrentHashMap<String, LanguageId> SHARED = new ConcurrentHashMap<>();

    private final EnumSet<Language> languages;
    private final LanguageDetector detector;
    private final int minLetters;
    private final int minLettersCharScript;
    private final double targetMinRelativeScore;
    private final QualityConfig config;

    /**
     * Result of checking a text against its expected language.
     *
     * @param lang          detected ISO 639-1 code, or {@value #UNDETERMINED}
     * @param confidence    margin of the detection in [0,1]: 1 − the runner-up's relative score
     *                      (Lingua 1.2 scores candidates relative to the best, which gets 1.0); 1
     *                      when only one candidate is possible (e.g. a unique script), 0 on a tie
     * @param expectedScore relative score of the expected language (1.0 when it is the best, 0
     *                      when it is not a candidate at all), NaN when it is not in the set
     * @param decided       whether the text is long enough and the expected language is in the
     *                      set, i.e. whether {@link #wrongLanguage} may be trusted
     * @param wrongLanguage whether the text is judged not to be in the expected language
     */
    public record Check(String lang, double confidence, double expectedScore, boolean decided, boolean wrongLanguage) {
    }

    private LanguageId(QualityConfig cfg) {
        this.config = cfg;
        this.languages = EnumSet.noneOf(Language.class);
        for (String code : cfg.languages()) {
            Language l = toLingua(code);
            if (l == null) {
                throw new IllegalArgumentException("lang.languages: Lingua does not support '" + code + "'");
            }
            languages.add(l);
        }
        LanguageDetectorBuilder b = LanguageDetectorBuilder.fromLanguages(languages.toArray(new Language[0]));
        if (cfg.langLowAccuracy) {
            b = b.withLowAccuracyMode();
        }
        if (cfg.langPreload) {
            b = b.withPreloadedLanguageModels();
        }
        this.detector = b.build();
        this.minLetters = cfg.langMinLetters;
        this.minLettersCharScript = cfg.langMinLettersCharScript;
        this.targetMinRelativeScore = cfg.langTargetMinRelativeScore;
    }

    /** The JVM-wide detector for this configuration's language settings (built on first call). */
    public static LanguageId shared(QualityConfig cfg) {
        String key = String.join(",", cfg.languages()) + "|" + cfg.langLowAccuracy + "|" + cfg.langPreload
                + "|" + cfg.langMinLetters + "|" + cfg.langMinLettersCharScript + "|" + cfg.langTargetMinRelativeScore;
        return SHARED.computeIfAbsent(key, k -> new LanguageId(cfg));
    }

    /** The JVM-wide detector with the default configuration. */
    public static LanguageId shared() {
        return shared(QualityConfig.defaults());
    }

    /** Most likely language of the text (ISO 639-1), or {@value #UNDETERMINED}. */
    public String detect(String text) {
        String clean = TextUnits.stripNonLinguistic(text);
        Language l = detector.detectLanguageOf(clean);
        return l == Language.UNKNOWN ? UNDETERMINED : iso(l);
    }

    /** Relative scores of the candidate languages, best first (best = 1.0). */
    public Map<String, Double> scores(String text) {
        SortedMap<Language, Double> m = detector.computeLanguageConfidenceValues(TextUnits.stripNonLinguistic(text));
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((l, v) -> out.put(iso(l), v));
        return out;
    }

    /**
     * Checks a text against the language it should be in. The text is judged only when it has at
     * least {@code lang.minLetters} letters ({@code lang.minLettersCharScript} for character-script
     * targets) once placeholders, URLs and e-mail addresses are removed, and the expected language
     * is in the set; it is then wrong when the best language is another one and the expected one
     * scores below {@code lang.targetMinRelativeScore}.
     */
    public Check check(String text, String expectedLang) {
        String clean = TextUnits.stripNonLinguistic(text);
        SortedMap<Language, Double> m = detector.computeLanguageConfidenceValues(clean);
        String lang = UNDETERMINED;
        double confidence = 0.0;
        Iterator<Map.Entry<Language, Double>> it = m.entrySet().iterator();
        Language best = null;
        if (it.hasNext()) {
            Map.Entry<Language, Double> first = it.next();
            best = first.getKey();
            lang = iso(best);
            confidence = it.hasNext() ? clamp01(1.0 - it.next().getValue() / first.getValue()) : 1.0;
        }
        Language expected = toLingua(expectedLang);
        boolean inSet = expected != null && languages.contains(expected);
        double expectedScore = inSet ? m.getOrDefault(expected, 0.0) : Double.NaN;
        int need = config.isCharScript(expectedLang) ? minLettersCharScript : minLetters;
        boolean decided = inSet && TextUnits.countLetters(clean) >= need;
        boolean wrong = decided && best != expected && expectedScore < targetMinRelativeScore;
        return new Check(lang, confidence, expectedScore, decided, wrong);
    }

    /** ISO 639-1 codes of the configured languages. */
    public List<String> languages() {
        List<String> out = new ArrayList<>();
        languages.forEach(l -> out.add(iso(l)));
        return out;
    }

    /** Lower-cased primary subtag: {@code zh-CN} → {@code zh}, {@code EN_us} → {@code en}. */
    public static String normalize(String lang) {
        if (lang == null) {
            return "";
        }
        String s = lang.trim().toLowerCase(Locale.ROOT);
        int cut = s.indexOf('-');
        int cut2 = s.indexOf('_');
        if (cut < 0 || (cut2 >= 0 && cut2 < cut)) {
            cut = cut2;
        }
        return cut > 0 ? s.substring(0, cut) : s;
    }

    /** The Lingua language for an ISO 639-1 or 639-3 code (or English name), or null. */
    static Language toLingua(String code) {
        String c = normalize(code);
        if (c.isEmpty()) {
            return null;
        }
        try {
            if (c.length() == 2) {
                return Language.getByIsoCode639_1(IsoCode639_1.valueOf(c.toUpperCase(Locale.ROOT)));
            }
            if (c.length() == 3) {
                return Language.getByIsoCode639_3(IsoCode639_3.valueOf(c.toUpperCase(Locale.ROOT)));
            }
            return Language.valueOf(c.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String iso(Language l) {
        return l.getIsoCode639_1().toString().toLowerCase(Locale.ROOT);
    }

    private static double clamp01(double v) {
        return Math.max(0.0, Math.min(1.0, v));
    }
}
