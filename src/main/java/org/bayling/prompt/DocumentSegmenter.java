package org.bayling.prompt;

import com.ibm.icu.text.BreakIterator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a document into sentences and paragraphs.
 *
 * <p>Paragraphs are separated by blank lines (a line break followed by one or more lines holding
 * only whitespace). Within a paragraph, sentences come from ICU's
 * {@link BreakIterator#getSentenceInstance(com.ibm.icu.util.ULocale)} for the language, which
 * handles {@code 。！？} and closing quotes or brackets after them, and breaks at single line
 * breaks. Three corrections follow:
 * <ul>
 *   <li>abbreviations: no break after an abbreviation of the language's list ({@code Dr.},
 *       {@code e.g.}, {@code z.}, {@code bzw.}, ...), after a single letter with a period
 *       (initials, {@code z. B.}, {@code u. a.}), or, in German, after a day number before a
 *       month ({@code am 12. März}). ICU's own suppression data
 *       ({@code FilteredBreakIteratorBuilder.getInstance}) is not used: ICU 77's English list
 *       lacks {@code Dr.} and its German list suppresses breaks after ordinary words such as
 *       {@code Uhr.} and {@code Test.}, merging real sentences;</li>
 *   <li>an opening bracket or quote that ICU leaves at the end of the previous sentence when no
 *       space separates them ({@code 是的。（这是括号。）}) moves to the sentence it opens;</li>
 *   <li>Japanese quotations continued by {@code と}/{@code って} ({@code 「はい。」と言った。})
 *       stay one sentence.</li>
 * </ul>
 */
public final class DocumentSegmenter {

    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\R(?:\\h*\\R)+");
    private static final Pattern DAY_NUMBER = Pattern.compile("\\d{1,2}\\.");

    private static final Set<String> COMMON = Set.of("Dr.", "Prof.", "e.g.", "i.e.", "vs.", "cf.", "Mr.", "Mrs.",
            "Ms.", "St.");
    private static final Map<String, Set<String>> ABBREVIATIONS = Map.of(
            "en", Set.of("Mr.", "Mrs.", "Ms.", "Messrs.", "Dr.", "Prof.", "Sr.", "Jr.", "St.", "Mt.", "Gen.", "Gov.",
                    "Sen.", "Rep.", "Rev.", "Capt.", "Col.", "Lt.", "Sgt.", "Hon.", "Fr.", "vs.", "e.g.", "i.e.", "cf.",
                    "viz.", "approx.", "Dept.", "No.", "Nos.", "Fig.", "fig.", "Vol.", "vol.", "pp.", "Jan.", "Feb.",
                    "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.", "U.S.", "U.K."),
            "de", Set.of("Dr.", "Prof.", "Hr.", "Hrn.", "Fr.", "Nr.", "bzw.", "ca.", "vgl.", "ggf.", "evtl.", "inkl.",
                    "zzgl.", "sog.", "Str.", "St.", "Mio.", "Mrd.", "Jh.", "Abs.", "Tel.", "Bd.", "Hrsg.", "geb.",
                    "gest.", "z.B.", "d.h.", "u.a.", "o.ä.", "s.o.", "s.u.", "Jan.", "Feb.", "Apr.", "Aug.", "Sept.",
                    "Okt.", "Nov.", "Dez.", "Dipl.", "Ing.", "Mag."),
            "fr", Set.of("Mme.", "Mmes.", "Mlle.", "Mlles.", "MM.", "Dr.", "Pr.", "p.", "ex.", "cf.", "av.", "bd.",
                    "env.", "art.", "vol.", "janv.", "févr.", "avr.", "juil.", "sept.", "oct.", "nov.", "déc."),
            "es", Set.of("Sr.", "Sra.", "Srta.", "Sres.", "Dr.", "Dra.", "Ud.", "Uds.", "Lic.", "Ing.", "pág.", "p.",
                    "aprox.", "núm.", "Avda.", "Av.", "EE.", "UU.", "art."),
            "it", Set.of("Sig.", "Sigg.", "Dott.", "Dr.", "Prof.", "Ing.", "Avv.", "pag.", "ca.", "p.", "art."),
            "pt", Set.of("Sr.", "Sra.", "Srta.", "Dr.", "Dra.", "Prof.", "pág.", "p.", "Av.", "art."),
            "ru", Set.of("т.", "е.", "д.", "п.", "ул.", "им.", "проф.", "акад.", "см.", "напр.", "стр.", "рис.", "тыс.",
                    "млн.", "млрд."),
            "nl", Set.of("bijv.", "dhr.", "Dhr.", "mevr.", "Mevr.", "Dr.", "blz.", "o.a.", "m.b.t.", "i.p.v.", "ca."),
            "cs", Set.of("tj.", "např.", "č.", "str.", "ul.", "prof.", "Prof.", "dr.", "Dr.", "Ing.", "Mgr.", "tzv."),
            "pl", Set.of("np.", "tzn.", "m.in.", "ul.", "prof.", "Prof.", "dr", "dr.", "Dr.", "str.", "tj.", "tzw."));
    private static final Set<String> GERMAN_MONTHS = Set.of("Januar", "Jänner", "Februar", "März", "April", "Mai",
            "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember", "Jan.", "Feb.", "Apr.", "Aug.",
            "Sept.", "Okt.", "Nov.", "Dez.");

    private final Language language;
    private final Set<String> abbreviations;

    public DocumentSegmenter(Language language) {
        this.language = Objects.requireNonNull(language, "language");
        Set<String> abbr = new HashSet<>(COMMON);
        abbr.addAll(ABBREVIATIONS.getOrDefault(language.locale().getLanguage(), Set.of()));
        this.abbreviations = Set.copyOf(abbr);
    }

    /** @throws UnknownLanguageException for an unknown code */
    public static DocumentSegmenter forLanguage(String code) {
        return new DocumentSegmenter(Languages.of(code));
    }

    public Language language() {
        return language;
    }

    /** The sentences of a text, without layout. */
    public List<String> sentences(String text) {
        return segment(text).segments().stream().map(Segment::text).toList();
    }

    /** Sentences, paragraphs and the whitespace between them. */
    public SegmentedDocument segment(String text) {
        Objects.requireNonNull(text, "text");
        List<int[]> spans = new ArrayList<>(); // start, end (trimmed), paragraph
        Matcher m = PARAGRAPH_BREAK.matcher(text);
        int paraStart = 0;
        int paragraph = 0;
        while (true) {
            boolean found = m.find();
            int paraEnd = found ? m.start() : text.length();
            int before = spans.size();
            sentenceSpans(text, paraStart, paraEnd, paragraph, spans);
            if (spans.size() > before) {
                paragraph++;
            }
            if (!found) {
                break;
            }
            paraStart = m.end();
        }
        List<Segment> segments = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            int[] s = spans.get(i);
            int next = i + 1 < spans.size() ? spans.get(i + 1)[0] : text.length();
            segments.add(new Segment(i, s[2], text.substring(s[0], s[1]), text.substring(s[1], next)));
        }
        String leading = spans.isEmpty() ? text : text.substring(0, spans.get(0)[0]);
        return new SegmentedDocument(language, leading, segments);
    }

    private void sentenceSpans(String text, int from, int to, int paragraph, List<int[]> out) {
        String para = text.substring(from, to);
        BreakIterator bi = BreakIterator.getSentenceInstance(language.locale());
        bi.setText(para);
        List<Integer> breaks = new ArrayList<>();
        for (int b = bi.first(); b != BreakIterator.DONE; b = bi.next()) {
            breaks.add(b);
        }
        // breaks holds 0 .. para.length(); correct the inner ones
        List<Integer> fixed = new ArrayList<>();
        fixed.add(0);
        for (int i = 1; i < breaks.size() - 1; i++) {
            int b = breaks.get(i);
            int prev = fixed.get(fixed.size() - 1);
            while (b - 1 > prev && isOpening(para.charAt(b - 1))) {
                b--;
            }
            if (b <= prev || keepTogether(para, prev, b)) {
                continue;
            }
            fixed.add(b);
        }
        fixed.add(para.length());
        for (int i = 0; i + 1 < fixed.size(); i++) {
            int s = fixed.get(i);
            int e = fixed.get(i + 1);
            while (s < e && isSpace(para.codePointAt(s))) {
                s += Character.charCount(para.codePointAt(s));
            }
            while (e > s && isSpace(para.codePointBefore(e))) {
                e -= Character.charCount(para.codePointBefore(e));
            }
            if (s < e) {
                out.add(new int[] {from + s, from + e, paragraph});
            }
        }
    }

    /** Whether the break at {@code b} (sentence started at {@code start}) should be removed. */
    private boolean keepTogether(String para, int start, int b) {
        String before = para.substring(start, b);
        String trimmedBefore = PyStrings.strip(before);
        if (trimmedBefore.isEmpty()) {
            return false;
        }
        if (before.endsWith("\n") || before.endsWith("\r")) {
            return false; // a line break inside the paragraph is kept as a boundary
        }
        String after = PyStrings.strip(para.substring(b));
        if (after.isEmpty()) {
            return false;
        }
        if (language.spaceDelimited()) {
            int sp = trimmedBefore.length();
            while (sp > 0 && !PyStrings.isSpace(trimmedBefore.charAt(sp - 1))) {
                sp--;
            }
            String token = trimmedBefore.substring(sp);
            while (!token.isEmpty() && isOpening(token.charAt(0))) {
                token = token.substring(1);
            }
            if (abbreviations.contains(token)) {
                return true;
            }
            if (token.length() == 2 && token.charAt(1) == '.' && Character.isLetter(token.charAt(0))) {
                return true; // initials, z. B., u. a., т. е.
            }
            if (language.code().equals("de") && DAY_NUMBER.matcher(token).matches()) {
                String nextWord = after.split("\\s+", 2)[0];
                return GERMAN_MONTHS.contains(nextWord);
            }
            return false;
        }
        if (language.code().equals("ja")) {
            char last = trimmedBefore.charAt(trimmedBefore.length() - 1);
            if ((last == '」' || last == '』') && (after.startsWith("と") || after.startsWith("って"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOpening(char c) {
        int type = Character.getType(c);
        return type == Character.START_PUNCTUATION || type == Character.INITIAL_QUOTE_PUNCTUATION;
    }

    private static boolean isSpace(int cp) {
        return PyStrings.isSpace(cp) || cp == 0xFEFF || cp == 0x200B;
    }
}
