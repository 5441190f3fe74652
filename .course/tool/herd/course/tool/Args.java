package herd.course.tool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A command line: the command, positional words, {@code --flags}, {@code --options value} and {@code -Dname=value}. */
public record Args(String command, List<String> positional, Set<String> flags, Map<String, String> options,
            Map<String, String> properties) {
    /** The options that take a value; every other {@code --word} is a flag. */
    private static final Set<String> VALUED = Set.of("--lesson", "--isolate", "--tests", "--out", "--test",
            "--submission", "--reference-up-to", "--runs", "--limit", "--maven-repo");

    public static Args parse(String[] words) {
        List<String> positional = new ArrayList<>();
        Set<String> flags = new java.util.TreeSet<>();
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.startsWith("-D") && w.contains("=")) {
                properties.put(w.substring(2, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
            } else if (VALUED.contains(w)) {
                if (i + 1 >= words.length) {
                    throw new Main.UsageError(w + " needs a value");
                }
                options.put(w, words[++i]);
            } else if (w.startsWith("--")) {
                flags.add(w);
            } else {
                positional.add(w);
            }
        }
        String command = positional.isEmpty() ? "help" : positional.remove(0);
        return new Args(command, List.copyOf(positional), flags, options, properties);
    }

    public String positional(int i, String what) {
        if (i >= positional.size()) {
            throw new Main.UsageError("missing " + what);
        }
        return positional.get(i);
    }

    public String optional(int i) {
        return i < positional.size() ? positional.get(i) : null;
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public String option(String name, String otherwise) {
        return options.getOrDefault(name, otherwise);
    }
}
