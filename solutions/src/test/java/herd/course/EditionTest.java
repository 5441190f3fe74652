package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The student edition as a learner receives it ({@code java .course/Course.java export}):
 * every command its READMEs give works there, and its READMEs name nothing it lacks.
 * End to end (nested Maven runs): {@code mvn -Pe2e verify}.
 */
@Tag("e2e")
class EditionTest {
    /** A command whose words include one of these is a pattern for the reader to fill in, not one to run. */
    private static final List<String> PLACEHOLDERS = List.of(" N", "=N", "ID", "DIR", "Class#method", "...", "[");
    /** What a command may fail with on an untouched workbook: the course's expected "not done" answers. */
    private static final List<String> EXPECTED_FAILURES = List.of("is not done yet", "is not written yet",
            "exported without it", "nothing to restore", "There are test failures");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```[^\\n]*\\n(.*?)^```");
    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");

    private final Path root = IsolatedRun.root();

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void everyCommandTheEditionsReadmesGiveWorksThere(@TempDir Path tmp) throws Exception {
        Path edition = export(tmp.resolve("edition"));
        Set<String> commands = new LinkedHashSet<>();
        for (Path readme : readmes(edition)) {
            for (String code : codeIn(Files.readString(readme))) {
                String command = code.replaceAll("\\s+#.*$", "").strip();
                if ((command.startsWith("java .course/Course.java") || command.startsWith("mvn "))
                        && PLACEHOLDERS.stream().noneMatch(command::contains)) {
                    commands.add(command);
                }
            }
        }
        assertThat(commands).as("commands the edition's READMEs give").hasSizeGreaterThan(30)
                .contains("java .course/Course.java watch L01-E1", "java .course/Course.java demo lesson04");
        List<String> broken = new ArrayList<>();
        for (String command : commands) {
            Run run = run(edition, command, command.contains("verify") || command.contains(" grade") ? 15 : 5);
            boolean expected = EXPECTED_FAILURES.stream().anyMatch(run.output()::contains);
            if (run.exit() != 0 && !expected || run.timedOut()) {
                broken.add(command + " -> exit " + run.exit() + (run.timedOut() ? " (timed out)" : "") + ":\n"
                        + tail(run.output(), 15));
            }
        }
        assertThat(broken).as("commands of the edition's READMEs that fail other than with 'not done yet'").isEmpty();
    }

    @Test
    void theEditionsReadmesNameOnlyWhatTheEditionHas(@TempDir Path tmp) throws Exception {
        Path edition = export(tmp.resolve("edition"));
        String pom = Files.readString(edition.resolve("pom.xml"));
        List<String> dead = new ArrayList<>();
        for (Path readme : readmes(edition)) {
            String text = Files.readString(readme);
            String where = edition.relativize(readme).toString();
            for (String word : List.of("solutions", "kernel-spec.md", "Skeletons", "maintainer-only", "student-only")) {
                if (text.contains(word)) {
                    dead.add(where + " mentions " + word);
                }
            }
            Matcher links = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)").matcher(text);
            while (links.find()) {
                if (!Files.exists(readme.getParent().resolve(links.group(1)))) {
                    dead.add(where + " links to " + links.group(1) + ", which the edition lacks");
                }
            }
            Matcher modules = Pattern.compile("-pl ([\\w,/-]+)").matcher(text);
            while (modules.find()) {
                for (String module : modules.group(1).split(",")) {
                    if (!Files.isDirectory(edition.resolve(module))) {
                        dead.add(where + " runs module " + module + ", which the edition lacks");
                    }
                }
            }
            Matcher profiles = Pattern.compile("-P ?(\\w+)").matcher(text);
            while (profiles.find()) {
                if (!pom.contains("<id>" + profiles.group(1) + "</id>")) {
                    dead.add(where + " names profile " + profiles.group(1) + ", which the edition's pom lacks");
                }
            }
        }
        assertThat(dead).as("what the edition's READMEs name that the edition does not have").isEmpty();
        assertThat(run(edition, "java .course/Course.java", 2).output()).as("the front door: no arguments")
                .contains("watch [ID]", "test ID", "progress", "hint ID").doesNotContain("export", "generate");
        assertThat(run(edition, "git log --oneline", 1).output()).as("the edition is a git repository")
                .contains("The student edition of the course");
    }

    /** The lines of a README's code blocks and its inline code. */
    private static List<String> codeIn(String markdown) {
        List<String> code = new ArrayList<>();
        Matcher fences = FENCE.matcher(markdown);
        while (fences.find()) {
            code.addAll(fences.group(1).lines().toList());
        }
        Matcher inline = INLINE.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (inline.find()) {
            code.add(inline.group(1));
        }
        return code;
    }

    private Path export(Path edition) throws Exception {
        assertThat(run(root, "java .course/Course.java export " + edition, 3).output())
                .contains("Wrote the student edition");
        return edition;
    }

    private static List<Path> readmes(Path edition) throws IOException {
        try (Stream<Path> files = Files.walk(edition)) {
            return files.filter(p -> p.getFileName().toString().equals("README.md"))
                    .filter(p -> !edition.relativize(p).startsWith(".git")).sorted().toList();
        }
    }

    /** How a command ended. */
    record Run(int exit, boolean timedOut, String output) {
    }

    /** Runs {@code command} with bash in {@code dir}, "q" on its standard input (watch quits), at most {@code minutes}. */
    static Run run(Path dir, String command, int minutes) throws IOException, InterruptedException {
        Path out = Files.createTempFile("edition-command", ".log");
        Process p = new ProcessBuilder("bash", "-c", command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        p.getOutputStream().write("q\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        boolean finished = p.waitFor(minutes, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        Files.delete(out);
        return new Run(finished ? p.exitValue() : -1, !finished, output);
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
