package org.bayling.prompt;

import com.ibm.icu.util.ULocale;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Language codes (ISO 639-1/639-3, BCP-47 with script or region, {@code _} or {@code -},
 * any case) to the names BayLing's instructions use: "Chinese"/"中文", "English"/"英文",
 * "German"/"德文", ... Chinese in Traditional script ({@code zh-Hant}, {@code zh-TW},
 * {@code zh-HK}, {@code zh-MO}) is "Traditional Chinese"/"繁体中文"; a region otherwise does
 * not change the name ({@code pt-BR} is Portuguese).
 */
public final class Languages {

    private static final Pattern TAG = Pattern.compile("[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*");

    private static final Map<String, Language> BY_CODE = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("eng", "en"), Map.entry("zho", "zh"), Map.entry("chi", "zh"), Map.entry("cmn", "zh"),
            Map.entry("deu", "de"), Map.entry("ger", "de"), Map.entry("jpn", "ja"), Map.entry("rus", "ru"),
            Map.entry("ukr", "uk"), Map.entry("ces", "cs"), Map.entry("cze", "cs"), Map.entry("fra", "fr"),
            Map.entry("fre", "fr"), Map.entry("spa", "es"), Map.entry("ita", "it"), Map.entry("por", "pt"),
            Map.entry("kor", "ko"), Map.entry("ara", "ar"), Map.entry("hin", "hi"), Map.entry("vie", "vi"),
            Map.entry("tha", "th"), Map.entry("tur", "tr"), Map.entry("pol", "pl"), Map.entry("nld", "nl"),
            Map.entry("dut", "nl"), Map.entry("swe", "sv"), Map.entry("hrv", "hr"), Map.entry("iw", "he"),
            Map.entry("in", "id"), Map.entry("nb", "no"), Map.entry("nob", "no"), Map.entry("nor", "no"));

    static {
        add("en", "English", "英文", true);
        add("zh", "Chinese", "中文", false);
        add("zh-Hant", "Traditional Chinese", "繁体中文", false);
        add("yue", "Cantonese", "粤语", false);
        add("de", "German", "德文", true);
        add("ja", "Japanese", "日文", false);
        add("ru", "Russian", "俄文", true);
        add("uk", "Ukrainian", "乌克兰文", true);
        add("cs", "Czech", "捷克文", true);
        add("hr", "Croatian", "克罗地亚文", true);
        add("liv", "Livonian", "利沃尼亚文", true);
        add("sah", "Yakut", "雅库特文", true);
        add("fr", "French", "法文", true);
        add("es", "Spanish", "西班牙文", true);
        add("it", "Italian", "意大利文", true);
        add("pt", "Portuguese", "葡萄牙文", true);
        add("ko", "Korean", "韩文", true);
        add("ar", "Arabic", "阿拉伯文", true);
        add("hi", "Hindi", "印地文", true);
        add("vi", "Vietnamese", "越南文", true);
        add("th", "Thai", "泰文", false);
        add("tr", "Turkish", "土耳其文", true);
        add("pl", "Polish", "波兰文", true);
        add("nl", "Dutch", "荷兰文", true);
        add("sv", "Swedish", "瑞典文", true);
        add("da", "Danish", "丹麦文", true);
        add("no", "Norwegian", "挪威文", true);
        add("fi", "Finnish", "芬兰文", true);
        add("is", "Icelandic", "冰岛文", true);
        add("et", "Estonian", "爱沙尼亚文", true);
        add("lv", "Latvian", "拉脱维亚文", true);
        add("lt", "Lithuanian", "立陶宛文", true);
        add("el", "Greek", "希腊文", true);
        add("he", "Hebrew", "希伯来文", true);
        add("hu", "Hungarian", "匈牙利文", true);
        add("ro", "Romanian", "罗马尼亚文", true);
        add("bg", "Bulgarian", "保加利亚文", true);
        add("sk", "Slovak", "斯洛伐克文", true);
        add("sl", "Slovenian", "斯洛文尼亚文", true);
        add("sr", "Serbian", "塞尔维亚文", true);
        add("be", "Belarusian", "白俄罗斯文", true);
        add("kk", "Kazakh", "哈萨克文", true);
        add("mn", "Mongolian", "蒙古文", true);
        add("ca", "Catalan", "加泰罗尼亚文", true);
        add("ga", "Irish", "爱尔兰文", true);
        add("id", "Indonesian", "印尼文", true);
        add("ms", "Malay", "马来文", true);
        add("fa", "Persian", "波斯文", true);
        add("ur", "Urdu", "乌尔都文", true);
        add("bn", "Bengali", "孟加拉文", true);
        add("ta", "Tamil", "泰米尔文", true);
        add("sw", "Swahili", "斯瓦希里文", true);
        add("km", "Khmer", "高棉文", false);
        add("lo", "Lao", "老挝文", false);
        add("my", "Burmese", "缅甸文", false);
    }

    private Languages() {
    }

    private static void add(String code, String english, String chinese, boolean spaces) {
        BY_CODE.put(code.toLowerCase(Locale.ROOT), new Language(code, english, chinese, spaces));
    }

    /**
     * The language for a code.
     *
     * @throws UnknownLanguageException for a null, malformed or unlisted code (message names it)
     */
    public static Language of(String code) {
        if (code == null || !TAG.matcher(code.trim()).matches()) {
            throw new UnknownLanguageException(code);
        }
        String tag = code.trim().replace('_', '-').toLowerCase(Locale.ROOT);
        Language exact = BY_CODE.get(tag);
        if (exact != null) {
            return exact;
        }
        ULocale locale = ULocale.forLanguageTag(tag);
        String lang = locale.getLanguage();
        lang = ALIASES.getOrDefault(lang, lang);
        if (lang.equals("zh")) {
            String script = locale.getScript();
            String region = locale.getCountry();
            boolean traditional = script.equalsIgnoreCase("Hant")
                    || (script.isEmpty() && (region.equals("TW") || region.equals("HK") || region.equals("MO")));
            return BY_CODE.get(traditional ? "zh-hant" : "zh");
        }
        Language l = BY_CODE.get(lang);
        if (l == null) {
            throw new UnknownLanguageException(code);
        }
        return l;
    }

    /** Whether {@link #of(String)} accepts the code. */
    public static boolean isKnown(String code) {
        try {
            of(code);
            return true;
        } catch (UnknownLanguageException e) {
            return false;
        }
    }

    /** English name used in English instructions, e.g. {@code German}. */
    public static String englishName(String code) {
        return of(code).englishName();
    }

    /** Chinese name used in Chinese instructions, e.g. {@code 德文}. */
    public static String chineseName(String code) {
        return of(code).chineseName();
    }

    /** Every listed language, canonical codes. */
    public static Collection<Language> all() {
        return Collections.unmodifiableCollection(BY_CODE.values());
    }
}
