package herd.course;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.tool.Splice;
import herd.course.tool.Trees;
import herd.course.tool.maintainer.Skeletons;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Gradescope autograder, end to end: {@code java .course/Course.java gradescope DIR} in
 * an exported edition, the zip unpacked into a fake {@code /autograder} (Gradescope's
 * layout, moved by the variables {@code run_autograder} reads), and {@code run_autograder}
 * run on the reference, on the untouched workbook and on an attack. {@code setup.sh}
 * installs packages and is not run here. Slow: in {@code mvn -Pe2e verify}.
 */
@Tag("e2e")
class GradescopeBundleTest {
    private static final Pattern SCORE = Pattern.compile("\"score\": ([0-9.]+),\\n  \"execution_time\"");
    private static final String HEAD = "lesson01-waitqueue/src/main/java/herd/wait/WaitQueueHead.java";

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void runAutograderGradesTheReferenceTheWorkbookAndAnAttackOffline(@TempDir Path tmp) throws Exception {
        Path root = IsolatedRun.root();
        Path edition = tmp.resolve("edition");
        assertThat(GraderAttacksTest.course(root, "export", edition.toString())).contains("Wrote the student edition");
        assertThat(GraderAttacksTest.course(root, "gradescope", tmp.resolve("nope").toString()))
                .contains("not from the maintainers' repository");
        assertThat(GraderAttacksTest.course(edition, "gradescope", tmp.resolve("bundle").toString()))
                .contains("autograder.zip");

        Path autograder = tmp.resolve("autograder");
        Path source = autograder.resolve("source");
        unzip(tmp.resolve("bundle/autograder.zip"), source);
        assertThat(source.resolve("setup.sh")).content().contains("apt-get install", "openjdk-17-jdk-headless",
                "maven", "grade --maven-repo");
        assertThat(source.resolve("run_autograder")).content().contains("--submission \"$AUTOGRADER/submission\"",
                "--offline");
        assertThat(source.resolve("solutions")).doesNotExist();
        assertThat(source.resolve(".course/reference")).doesNotExist();

        Path reference = tmp.resolve("reference");
        Skeletons.writeReferences(root, reference, null);
        Path solved = copy(edition, tmp.resolve("solved"));
        Trees.delete(solved.resolve("lesson01-waitqueue/src/main/java"));
        Trees.copy(reference.resolve("all/lesson01-waitqueue/src/main/java"),
                solved.resolve("lesson01-waitqueue/src/main/java"), p -> true);
        assertThat(run(autograder, solved)).isEqualTo(75);
        String json = Files.readString(autograder.resolve("results/results.json"));
        assertThat(json).contains("\"stdout_visibility\": \"hidden\"").doesNotContain(tmp.toString());

        assertThat(run(autograder, copy(edition, tmp.resolve("untouched")))).isZero();

        Path attack = copy(edition, tmp.resolve("attack"));
        Files.writeString(attack.resolve("lesson01-waitqueue/pom.xml"), Files.readString(attack.resolve(
                "lesson01-waitqueue/pom.xml")).replace("<build>", "<build><sourceDirectory>../.course/reference/all/"
                + "lesson01-waitqueue/src/main/java</sourceDirectory>"));
        String head = Files.readString(attack.resolve(HEAD));
        List<String> lines = List.of(head.split("\n", -1));
        Splice.Region r = Splice.regions(lines).stream().filter(x -> x.key().equals("L01-E2#1")).findFirst()
                .orElseThrow();
        List<String> out = new ArrayList<>(lines.subList(0, r.from()));
        out.add("        Runtime.getRuntime().halt(0);");
        out.add("        return nrExclusive;");
        out.addAll(lines.subList(r.to(), lines.size()));
        Files.writeString(attack.resolve(HEAD), String.join("\n", out));
        assertThat(run(autograder, attack)).isZero();
        assertThat(autograder.resolve("results/results.json")).content()
                .contains("lesson01-waitqueue/pom.xml (changed)", "uses java.lang.Runtime.halt");
    }

    /** Runs run_autograder on {@code submission} in the fake layout; the score it wrote. */
    private static double run(Path autograder, Path submission) throws IOException, InterruptedException {
        Path target = autograder.resolve("submission");
        Trees.delete(target);
        Trees.copy(submission, target, p -> true);
        Trees.delete(autograder.resolve("results"));
        ProcessBuilder pb = new ProcessBuilder("bash", autograder.resolve("source/run_autograder").toString())
                .redirectErrorStream(true);
        pb.environment().put("AUTOGRADER", autograder.toString());
        pb.environment().put("COURSE_M2", autograder.resolve("no-such-repository").toString());
        pb.environment().put("COURSE_GRADE_ARGS", "--lesson 1");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        Matcher m = SCORE.matcher(Files.readString(autograder.resolve("results/results.json")));
        assertThat(m.find()).as(output).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static Path copy(Path edition, Path to) {
        Trees.copy(edition, to, p -> Trees.isSource(edition, p) && !edition.relativize(p).startsWith(".git"));
        return to;
    }

    private static void unzip(Path zip, Path dir) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path to = dir.resolve(e.getName()).normalize();
                Files.createDirectories(to.getParent());
                try (OutputStream o = Files.newOutputStream(to)) {
                    in.transferTo(o);
                }
            }
        }
    }
}
