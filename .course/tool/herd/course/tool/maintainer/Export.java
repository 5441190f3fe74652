package herd.course.tool.maintainer;

import herd.course.LessonId;
import herd.course.tool.CourseRoot;
import herd.course.tool.Main;
import herd.course.tool.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code export DIR}: the student edition. No {@code solutions}, no CI, no maintainer
 * commands, the READMEs and the parent pom without their maintainer-only parts; the
 * reference only as asked; a git repository with one initial commit.
 */
final class Export {
    private static final List<String> LEFT_OUT = List.of("solutions", ".ci", ".course/tool/herd/course/tool/maintainer",
            ".course/reference");

    private final CourseRoot course;

    Export(CourseRoot course) {
        this.course = course;
    }

    void write(Path target, boolean withReference, LessonId upTo) throws IOException, InterruptedException {
        Path root = course.dir();
        Path to = target.toAbsolutePath();
        if (Files.exists(to)) {
            try (var entries = Files.list(to)) {
                if (entries.findAny().isPresent()) {
                    throw new Main.UsageError(to + " is not empty");
                }
            }
        }
        Trees.copy(root, to, p -> Trees.isSource(root, p) && LEFT_OUT.stream().noneMatch(root.relativize(p)::startsWith));
        for (Path file : Trees.files(to, "README.md")) {
            Trees.write(file, studentText(Trees.read(file)));
        }
        Trees.write(to.resolve("pom.xml"), studentText(Trees.read(to.resolve("pom.xml"))));
        if (withReference || upTo != null) {
            Skeletons.writeReferences(root, to.resolve(".course/reference"), withReference ? null : upTo);
        }
        git(to, "init", "-q");
        git(to, "add", "-A");
        git(to, "-c", "user.name=course", "-c", "user.email=course@localhost", "commit", "-q", "-m",
                "The student edition of the course");
        System.out.println("Wrote the student edition to " + to + (withReference ? " (with the reference under"
                + " .course/reference, for self-study)" : upTo != null ? " (with the reference of the lessons before "
                + upTo.number() + ")" : " (without the reference)"));
    }

    /** The text without its maintainer-only parts, and with its student-only parts shown. */
    static String studentText(String text) {
        return text.replaceAll("(?s)[ \\t]*<!-- maintainer-only:begin -->.*?<!-- maintainer-only:end -->\\n", "")
                .replaceAll("(?s)<!-- student-only:begin\\n(.*?)student-only:end -->\\n", "$1");
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            System.err.println("course: git " + String.join(" ", args) + " failed in the edition (" + out.strip()
                    + "); the edition is written, but not a git repository");
        }
    }
}
