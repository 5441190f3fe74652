package herd.course;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The verdict of {@code mvn -Pmutation verify} on PIT's {@code mutations.xml}: every
 * surviving mutant is either killed by a test or listed, with the reason it is
 * equivalent, in {@code pit-equivalent-mutants.txt}; no listed mutant is alive only on
 * paper (killed, or gone from the code); each package's test strength (detected
 * mutants over covered ones, the listed ones counting as survivors: a list cannot buy the
 * goal) reaches the goal; and tests reach every line of the accept path. A mutant that is
 * the original program itself ({@code return 0;} replaced with 0) is not counted, as PIT's
 * own filter would not have made it. Prints the table per package, in the README's form.
 */
public final class MutationCheck {
    /** One mutant of PIT's report. */
    record Mutant(String clazz, String sourceFile, String method, int line, String mutator, String description,
            String status) {
        /** The key a line of the list names: {@code class#method:line Mutator}. */
        String key() {
            return clazz + "#" + method + ":" + line + " " + mutator;
        }

        String pkg() {
            return clazz.substring(0, clazz.lastIndexOf('.'));
        }

        /** The mutated source file, from the source root. */
        String sourcePath() {
            return pkg().replace('.', '/') + "/" + sourceFile;
        }

        /**
         * True when the mutant is the original program: the line returns the very constant the
         * mutator puts there ({@code return 0;} "replaced with 0"). PIT's own filter drops these,
         * but not inside a {@code try} with a {@code finally} (the model's {@code Ftrace} scopes):
         * there the constant goes through a local before the return, and PIT cannot see it.
         */
        boolean identicalTo(String sourceLine) {
            String statement = sourceLine.strip();
            return switch (mutator) {
                case "PrimitiveReturnsMutator" -> statement.equals("return 0;") || statement.equals("return 0L;");
                case "BooleanFalseReturnValsMutator" -> statement.equals("return false;");
                case "BooleanTrueReturnValsMutator" -> statement.equals("return true;");
                case "NullReturnValsMutator" -> statement.equals("return null;");
                default -> false;
            };
        }

        boolean covered() {
            return !status.equals("NO_COVERAGE") && !status.equals("NON_VIABLE");
        }

        boolean detected() {
            return !status.equals("SURVIVED") && covered();
        }

        /**
         * Alive as far as the tests know: it survived, or it ran out of time. A listed
         * (equivalent) mutant behaves like the original, so a timeout of one says the machine
         * was slow, not that a test caught it: it stays an equivalent survivor.
         */
        boolean aliveIfListed() {
            return !detected() || status.equals("TIMED_OUT");
        }
    }

    /** A package's line of the table. */
    record Row(String pkg, int mutants, int identical, int killed, int survived, int equivalent, int uncovered) {
        /**
         * PIT's test strength: detected over covered, the listed equivalent mutants counted as
         * survivors, the mutants identical to the original left out (as PIT's filter does).
         */
        double strength() {
            int covered = killed + survived + equivalent;
            return covered == 0 ? 100 : 100.0 * killed / covered;
        }

        String markdown() {
            return String.format("| `%s` | %d | %d | %d | %d | %d | %d | %.1f %% |", pkg, mutants, identical, killed,
                    survived, equivalent, uncovered, strength());
        }
    }

    /** The outcome: the table, and what fails the build. */
    record Verdict(List<Row> rows, List<String> problems) {
        String table() {
            StringBuilder out = new StringBuilder(
                    "| package | mutants | identical (not counted) | killed | survived | equivalent (listed) "
                            + "| no coverage | test strength |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
            rows.forEach(r -> out.append(r.markdown()).append('\n'));
            return out.toString();
        }
    }

    private MutationCheck() {
    }

    /** {@code mutations.xml}'s mutants. */
    static List<Mutant> read(InputStream xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        NodeList nodes = factory.newDocumentBuilder().parse(xml).getElementsByTagName("mutation");
        List<Mutant> mutants = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element m = (Element) nodes.item(i);
            String mutator = text(m, "mutator");
            mutants.add(new Mutant(text(m, "mutatedClass"), text(m, "sourceFile"), text(m, "mutatedMethod"),
                    Integer.parseInt(text(m, "lineNumber")), mutator.substring(mutator.lastIndexOf('.') + 1),
                    text(m, "description"), m.getAttribute("status")));
        }
        return mutants;
    }

    private static String text(Element e, String tag) {
        return e.getElementsByTagName(tag).item(0).getTextContent().strip();
    }

    /**
     * The list's entries, key to reason: a line {@code class#method:line Mutator | reason};
     * {@code #} at the start of a line and blank lines are comments. An entry covers every
     * mutant of that key (two of one kind on one line are both equivalent, or neither).
     */
    static Map<String, String> equivalents(List<String> lines) {
        Map<String, String> entries = new TreeMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int bar = line.indexOf('|');
            if (bar < 0 || line.substring(bar + 1).isBlank()) {
                throw new IllegalArgumentException("an equivalent mutant without its reason: " + line);
            }
            if (entries.put(line.substring(0, bar).strip(), line.substring(bar + 1).strip()) != null) {
                throw new IllegalArgumentException("listed twice: " + line);
            }
        }
        return entries;
    }

    /**
     * The table and the problems of {@code mutants} against the list, at {@code goal} per cent;
     * {@code sourceLine} gives a mutant's line of source, and every line of the
     * {@code fullyCovered} classes but {@code toString} must be reached by a test, or be
     * listed with the reason no run of the model can reach it.
     */
    static Verdict check(List<Mutant> mutants, Map<String, String> equivalents, Function<Mutant, String> sourceLine,
            double goal, Set<String> fullyCovered) {
        List<String> problems = new ArrayList<>();
        Map<String, List<Mutant>> byPackage = new TreeMap<>();
        mutants.forEach(m -> byPackage.computeIfAbsent(m.pkg(), p -> new ArrayList<>()).add(m));
        List<Row> rows = new ArrayList<>();
        byPackage.forEach((pkg, ms) -> {
            int identical = 0;
            int killed = 0;
            int survived = 0;
            int equivalent = 0;
            int uncovered = 0;
            for (Mutant m : ms) {
                if (!m.detected() && m.identicalTo(sourceLine.apply(m))) {
                    identical++;
                } else if (!m.covered()) {
                    uncovered++;
                    if (fullyCovered.contains(m.clazz()) && !m.method().equals("toString")
                            && !equivalents.containsKey(m.key())) {
                        problems.add("no test reaches " + m.clazz() + "#" + m.method() + ":" + m.line());
                    }
                } else if (equivalents.containsKey(m.key()) && m.aliveIfListed()) {
                    equivalent++;
                } else if (m.detected()) {
                    killed++;
                } else {
                    survived++;
                    problems.add("survived, neither killed nor listed: " + m.key() + " (" + m.description() + ")");
                }
            }
            Row row = new Row(pkg, ms.size(), identical, killed, survived, equivalent, uncovered);
            rows.add(row);
            if (row.strength() < goal) {
                problems.add(String.format("%s: test strength %.1f %% is below the goal of %.0f %%", pkg, row.strength(),
                        goal));
            }
        });
        List<String> mutatedClasses = mutants.stream().map(Mutant::clazz).distinct().toList();
        equivalents.keySet().stream()
                .filter(key -> mutatedClasses.contains(key.substring(0, key.indexOf('#'))))
                .filter(key -> mutants.stream().noneMatch(m -> m.key().equals(key) && m.aliveIfListed()
                        && !m.identicalTo(sourceLine.apply(m))))
                .forEach(key -> problems.add("listed as equivalent but no such mutant survives (killed, identical to "
                        + "the original, or the line moved): " + key));
        return new Verdict(rows, problems.stream().distinct().toList());
    }

    /** A reader of source lines under {@code root}, each file read once. */
    static Function<Mutant, String> sourceLines(Path root) {
        Map<String, List<String>> files = new HashMap<>();
        return m -> files.computeIfAbsent(m.sourcePath(), path -> {
            try {
                return Files.readAllLines(root.resolve(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(m.line() - 1);
    }

    /**
     * {@code MutationCheck MUTATIONS_XML EQUIVALENTS_TXT SOURCE_ROOT GOAL_PERCENT FULLY_COVERED_CLASSES TABLE_MD}
     * (the classes comma-separated): fails the build on a problem.
     */
    public static void main(String[] args) throws Exception {
        List<Mutant> mutants;
        try (InputStream xml = Files.newInputStream(Path.of(args[0]))) {
            mutants = read(xml);
        }
        Verdict verdict = check(mutants, equivalents(Files.readAllLines(Path.of(args[1]))), sourceLines(Path.of(args[2])),
                Double.parseDouble(args[3]), Set.of(args[4].split(",")));
        Files.writeString(Path.of(args[5]), verdict.table());
        System.out.println("Mutation testing of the kernel model (PIT), per package:\n\n" + verdict.table());
        if (!verdict.problems().isEmpty()) {
            throw new IllegalStateException(verdict.problems().size() + " problem(s) with the mutants (kill the "
                    + "mutant with a test, or list it with the reason it is equivalent in " + args[1] + "):\n  "
                    + String.join("\n  ", verdict.problems()));
        }
    }
}
