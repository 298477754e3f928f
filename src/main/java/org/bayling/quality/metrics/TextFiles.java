package org.bayling.quality.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads plain-text segment files the way sacreBLEU does (UTF-8, lines split on {@code \n} only). */
public final class TextFiles {

    private TextFiles() {
    }

    /**
     * One entry per line; a trailing newline does not create an extra empty segment. Unlike
     * {@link Files#readAllLines}, {@code \r}, U+2028 etc. are kept inside the segment, as Python's
     * {@code open(..., newline="\n")} does.
     */
    public static List<String> readLines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        while (start < n) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                lines.add(text.substring(start));
                break;
            }
            lines.add(text.substring(start, nl));
            start = nl + 1;
        }
        return lines;
    }
}
