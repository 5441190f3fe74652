package herd.course.tool;

import herd.course.ExerciseId;
import herd.course.TestRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A lesson's result, decided outside the learner's JVM. The trusted list of tests (JUnit
 * discovery over the instructor's test classes, {@code .course/grader/ListTests.java}) says
 * what must run; Surefire's XML reports, written by Maven's own JVM into a folder the
 * learner's code cannot write, say what passed; the test records that the course's
 * listener wrote from inside the test JVM only add the failure's words, and where they
 * disagree with the reports, that is reported and the reports win. A test method or
 * template counts once; a template passes only if every invocation passed; a trusted
 * test that did not run has failed; a test that is not on the list is not scored.
 */
final class Reports {
    /** The most of one file (a report, the records) the grader reads: a test that prints 157 MB costs nothing. */
    static final long FILE_CAP = 16L << 20;
    private static final int LINE_CAP = 64 << 10;
    private static final int TEXT_CAP = 4000;
    private static final Pattern RECORD_KEY = Pattern.compile(
            "\\[class:([^\\]]+)\\](?:/\\[nested-class:([^\\]]+)\\])*/\\[(?:method|test-template|test-factory):([^(\\]]+)");
    private static final Pattern NOT_DONE = Pattern.compile("(" + ExerciseId.PATTERN + ")"
            + Pattern.quote(herd.course.Todo.NOT_DONE));

    private Reports() {
    }

    /** A test the trusted list says must run: its class, method, tags and display name. */
    record Expected(String className, String method, List<String> tags, String name) {
        String key() {
            return className + "#" + method;
        }

        Optional<ExerciseId> exercise() {
            return ExerciseId.among(tags);
        }

        boolean hidden() {
            return tags.contains("hidden");
        }
    }

    /** What one source says of a test (all its invocations): how many ran, how many did not pass, the first failure. */
    static final class Seen {
        int ran;
        int notPassed;
        String reason;
        String detail;
        String notDone = "";

        boolean passed() {
            return ran > 0 && notPassed == 0;
        }
    }

    /** The list {@code ListTests} printed. */
    static List<Expected> expected(Path listing) {
        List<Expected> out = new ArrayList<>();
        for (String line : lines(listing)) {
            String[] f = line.split("\t", -1);
            if (f.length == 4 && !f[0].isBlank()) {
                out.add(new Expected(f[0], f[1], f[2].isEmpty() ? List.of() : List.of(f[2].split(",")), f[3]));
            }
        }
        return out;
    }

    /** Surefire's XML reports in {@code dir}, by test key; a report too large to read is noted and skipped. */
    static Map<String, Seen> surefire(Path dir, List<String> notes) {
        Map<String, Seen> out = new LinkedHashMap<>();
        for (Path file : Trees.files(dir, ".xml")) {
            if (!file.getFileName().toString().startsWith("TEST-")) {
                continue;
            }
            try {
                if (Files.size(file) > FILE_CAP) {
                    notes.add("a Surefire report of " + Files.size(file) / (1 << 20) + " MiB was not read (" + file
                            .getFileName() + "): its tests count as not passed");
                    continue;
                }
                read(file, out);
            } catch (IOException | XMLStreamException e) {
                notes.add("a Surefire report could not be read (" + file.getFileName() + ": " + e.getMessage()
                        + "): its tests count as not passed");
            }
        }
        return out;
    }

    private static void read(Path file, Map<String, Seen> out) throws IOException, XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newInstance();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            Seen current = null;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event != XMLStreamReader.START_ELEMENT) {
                    continue;
                }
                switch (xml.getLocalName()) {
                    case "testcase" -> {
                        String name = xml.getAttributeValue(null, "name");
                        String cls = xml.getAttributeValue(null, "classname");
                        current = out.computeIfAbsent(cls + "#" + method(name == null ? "" : name), k -> new Seen());
                        current.ran++;
                    }
                    case "failure", "error", "skipped" -> {
                        if (current != null) {
                            current.notPassed++;
                            if (current.reason == null) {
                                String type = xml.getAttributeValue(null, "type");
                                String message = clip(xml.getAttributeValue(null, "message"));
                                current.reason = xml.getLocalName().equals("skipped") ? "skipped: " + message
                                        : (type == null ? "" : type.substring(type.lastIndexOf('.') + 1) + ": ") + message;
                                current.detail = current.reason;
                                Matcher m = NOT_DONE.matcher(message);
                                current.notDone = m.find() ? m.group(1) : "";
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }

    /** The method of a Surefire test case name: {@code wakes(String, int)[2]} is {@code wakes}. */
    static String method(String name) {
        int cut = name.length();
        for (char c : new char[] {'(', '['}) {
            int i = name.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        return name.substring(0, cut).strip();
    }

    /** The test records in {@code dir}, by test key: each invocation's last record. */
    static Map<String, Seen> records(Path dir) {
        Map<String, TestRecord> last = new LinkedHashMap<>();
        for (Path file : Trees.files(dir, ".tsv")) {
            for (String line : lines(file)) {
                TestRecord.parse(line).ifPresent(r -> last.put(r.uniqueId(), r));
            }
        }
        Map<String, Seen> out = new LinkedHashMap<>();
        for (TestRecord r : last.values()) {
            Matcher m = RECORD_KEY.matcher(r.uniqueId());
            if (!m.find()) {
                continue;
            }
            String cls = m.group(1) + (m.group(2) == null ? "" : "$" + m.group(2));
            Seen s = out.computeIfAbsent(cls + "#" + m.group(3).strip(), k -> new Seen());
            s.ran++;
            if (!r.passed()) {
                s.notPassed++;
                if (s.reason == null) {
                    s.reason = clip(Scores.reason(r));
                    s.detail = clip(r.detail().isEmpty() ? Scores.reason(r) : r.detail());
                    s.notDone = r.notDone();
                }
            }
        }
        return out;
    }

    /**
     * Each trusted test's outcome as a record for the score table and results.json: passed
     * if and only if Surefire's report says every invocation passed. {@code crash} is why
     * the lesson's test JVM stopped, if it did; disagreements and extra tests go to
     * {@code notes}.
     */
    static List<TestRecord> decide(String lesson, List<Expected> expected, Map<String, Seen> surefire,
                                   Map<String, Seen> records, String crash, List<String> notes) {
        List<TestRecord> out = new ArrayList<>();
        List<String> disagree = new ArrayList<>();
        for (Expected e : expected) {
            if (e.exercise().isEmpty()) {
                continue;
            }
            Seen s = surefire.get(e.key());
            Seen r = records.get(e.key());
            boolean passed = s != null && s.passed();
            boolean recorded = r != null && r.passed();
            if (passed != recorded) {
                // A hidden test's name is not for the notes, which everyone sees.
                disagree.add(e.hidden() ? "a hidden test" : e.key());
            }
            String reason;
            String detail;
            String notDone;
            if (passed) {
                reason = detail = notDone = "";
            } else if (s == null && crash != null) {
                reason = detail = crash;
                notDone = "";
            } else if (r != null && r.reason != null) {
                reason = r.reason;
                detail = r.detail;
                notDone = r.notDone;
            } else if (s != null && s.reason != null) {
                reason = s.reason;
                detail = s.detail;
                notDone = s.notDone;
            } else {
                reason = detail = crash != null ? crash : s == null
                        ? "did not run: the test is missing from Surefire's report of " + lesson
                        : "the test records and Surefire's report disagree";
                notDone = "";
            }
            out.add(new TestRecord(passed ? TestRecord.PASSED : TestRecord.FAILED, e.exercise().get().toString(),
                    "[class:" + e.className() + "]/[method:" + e.method() + "()]", e.name(), notDone, reason, detail,
                    e.hidden() ? "after_due_date" : "visible"));
        }
        if (!disagree.isEmpty()) {
            notes.add(lesson + ": the test records written in the test JVM disagree with Surefire's report for "
                    + disagree.size() + " test(s) (" + disagree.get(0).replaceAll(".*\\.", "") + (disagree.size() > 1
                    ? ", ..." : "") + "); Surefire's report is used, the records are not trusted");
        }
        List<String> known = expected.stream().map(Expected::key).toList();
        long extra = java.util.stream.Stream.concat(surefire.keySet().stream(), records.keySet().stream())
                .filter(k -> !known.contains(k)).distinct().count();
        if (extra > 0) {
            notes.add(lesson + ": " + extra + " test(s) ran that are not among the instructor's tests; not scored");
        }
        return out;
    }

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= TEXT_CAP ? s : s.substring(0, TEXT_CAP) + " [... " + (s.length() - TEXT_CAP)
                + " more characters]";
    }

    /** The lines of a file, each cut at 64 KiB, at most {@value #FILE_CAP} bytes in all: never the whole of a huge file. */
    static List<String> lines(Path file) {
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        // InputStreamReader replaces malformed bytes instead of failing.
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder();
            long total = 0;
            for (int c; (c = in.read()) >= 0 && total < FILE_CAP; total++) {
                if (c == '\n') {
                    out.add(line.toString());
                    line.setLength(0);
                } else if (line.length() < LINE_CAP) {
                    line.append((char) c);
                }
            }
            if (line.length() > 0) {
                out.add(line.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
