package org.bayling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map in README.md ("Package map": package | what | may use) is the architecture: every
 * dependency between {@code org.bayling} packages in the main classes must be allowed there, the table
 * must name exactly the packages that exist, and its allowed directions must have no cycle.
 */
class ArchitectureTest {

    private static final String ROOT = "org.bayling";
    private static final String EVERY = "every package";

    private static JavaClasses classes;
    private static Map<String, Set<String>> allowed;

    @BeforeAll
    static void load() throws IOException {
        classes = new ClassFileImporter().importPath(Path.of("target/classes"));
        allowed = readmeMap(Path.of("README.md"));
    }

    @Test
    void everyDependencyIsAllowedByTheReadmeMap() {
        Map<String, Set<String>> violations = new TreeMap<>();
        for (Map.Entry<String, Set<String>> e : actualDependencies().entrySet()) {
            Set<String> may = allowed.getOrDefault(e.getKey(), Set.of());
            for (String used : e.getValue()) {
                if (!may.contains(used)) {
                    violations.computeIfAbsent(e.getKey() + " -> " + used, k -> new TreeSet<>());
                }
            }
        }
        if (!violations.isEmpty()) {
            // name the classes behind each forbidden dependency, to say where to look
            for (JavaClass c : classes) {
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    String key = pkg(c) + " -> " + (inRoot(target) ? pkg(target) : "");
                    if (violations.containsKey(key)) {
                        violations.get(key).add(c.getSimpleName() + " uses " + d.getTargetClass().getSimpleName());
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), "dependencies the README's package map does not allow: " + violations);
    }

    @Test
    void theMapNamesExactlyThePackagesThatExist() {
        Set<String> existing = new TreeSet<>();
        for (JavaClass c : classes) {
            existing.add(pkg(c));
        }
        assertEquals(existing, new TreeSet<>(allowed.keySet()), "packages in the code vs rows of the README's map");
    }

    @Test
    void theMapHasNoCycle() {
        Map<String, Integer> state = new TreeMap<>();
        for (String p : allowed.keySet()) {
            List<String> cycle = findCycle(p, state, new ArrayList<>());
            assertTrue(cycle == null, "cycle in the README's package map: " + cycle);
        }
    }

    private static List<String> findCycle(String p, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return null;
        }
        path.add(p);
        if (s != null && s == 1) {
            return new ArrayList<>(path.subList(path.indexOf(p), path.size()));
        }
        state.put(p, 1);
        for (String q : allowed.getOrDefault(p, Set.of())) {
            List<String> c = findCycle(q, state, path);
            if (c != null) {
                return c;
            }
        }
        state.put(p, 2);
        path.remove(path.size() - 1);
        return null;
    }

    /** Package (relative to org.bayling) to the packages its classes use, other than itself. */
    private static Map<String, Set<String>> actualDependencies() {
        Map<String, Set<String>> deps = new TreeMap<>();
        for (JavaClass c : classes) {
            String from = pkg(c);
            Set<String> to = deps.computeIfAbsent(from, k -> new TreeSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (inRoot(target) && !pkg(target).equals(from)) {
                    to.add(pkg(target));
                }
            }
        }
        return deps;
    }

    private static boolean inRoot(JavaClass c) {
        return c.getPackageName().startsWith(ROOT + ".");
    }

    private static String pkg(JavaClass c) {
        JavaClass outer = c;
        while (outer.getEnclosingClass().isPresent()) {
            outer = outer.getEnclosingClass().get();
        }
        String p = outer.getPackageName();
        return p.equals(ROOT) ? "" : p.substring(ROOT.length() + 1);
    }

    /** Rows of the README table under "## Package map": {@code | `pkg` | what | `a`, `b` |}. */
    static Map<String, Set<String>> readmeMap(Path readme) throws IOException {
        String text = Files.readString(readme);
        int start = text.indexOf("\n## Package map");
        assertTrue(start >= 0, "README.md has no '## Package map' section");
        int end = text.indexOf("\n## ", start + 1);
        String section = text.substring(start, end < 0 ? text.length() : end);
        Pattern row = Pattern.compile("(?m)^\\|\\s*`([a-z.]+)`\\s*\\|[^\\n]*\\|([^|\\n]*)\\|\\s*$");
        Pattern name = Pattern.compile("`([a-z.]+)`");
        Map<String, Set<String>> map = new LinkedHashMap<>();
        List<String> everything = new ArrayList<>();
        Matcher m = row.matcher(section);
        while (m.find()) {
            everything.add(m.group(1));
        }
        m = row.matcher(section);
        while (m.find()) {
            Set<String> uses = new TreeSet<>();
            if (m.group(2).trim().equals(EVERY)) {
                uses.addAll(everything);
                uses.remove(m.group(1));
            } else {
                Matcher n = name.matcher(m.group(2));
                while (n.find()) {
                    uses.add(n.group(1));
                }
            }
            map.put(m.group(1), uses);
        }
        assertTrue(map.size() > 5, "README package map rows: " + map);
        return map;
    }
}
