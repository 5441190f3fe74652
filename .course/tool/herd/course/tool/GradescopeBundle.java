package herd.course.tool;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code gradescope DIR}: a Gradescope autograder, {@code DIR/autograder.zip}, made from
 * this edition. Gradescope unpacks it into {@code /autograder/source}, runs
 * {@code setup.sh} once when it builds the image (the JDK and Maven from the system's
 * packages, then one grading of the untouched workbook, which fetches every library and
 * plugin into a repository the sandbox user can read), and {@code run_autograder} for each
 * submission: {@code grade --submission /autograder/submission --out /autograder/results},
 * offline, as root, so with the sandbox. {@code --tests DIR} bundles hidden tests
 * ({@code hidden-tests/}, graded with {@code --tests}); their results are shown after the
 * due date.
 */
final class GradescopeBundle {
    static final String SETUP = """
            #!/usr/bin/env bash
            # Gradescope runs this once, as root, when it builds the autograder's image.
            set -euo pipefail
            export DEBIAN_FRONTEND=noninteractive
            apt-get update
            apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven
            SOURCE="${COURSE_SOURCE:-/autograder/source}"
            M2="${COURSE_M2:-/opt/course-m2}"
            chmod +x "$SOURCE/run_autograder" /autograder/run_autograder 2>/dev/null || true
            # Maven's repository in a place the grader's sandbox user can read.
            mkdir -p "$M2" /root/.m2
            chmod 755 "$M2"
            cat > /root/.m2/settings.xml <<EOF
            <settings><localRepository>$M2</localRepository></settings>
            EOF
            # One grading of the untouched workbook fetches every library and plugin the grading
            # needs (and compiles the course tool); each submission is then graded offline.
            cd "$SOURCE"
            java .course/Course.java grade --maven-repo "$M2" --out /tmp/course-warm-up
            rm -rf /tmp/course-warm-up
            """;

    static final String RUN = """
            #!/usr/bin/env bash
            # Gradescope runs this for each submission, as root: it grades /autograder/submission
            # into /autograder/results/results.json, offline. The folders can be moved for a test:
            # AUTOGRADER (the /autograder folder), COURSE_SOURCE, COURSE_M2, COURSE_GRADE_ARGS.
            set -uo pipefail
            AUTOGRADER="${AUTOGRADER:-/autograder}"
            SOURCE="${COURSE_SOURCE:-$AUTOGRADER/source}"
            M2="${COURSE_M2:-/opt/course-m2}"
            RESULTS="$AUTOGRADER/results"
            mkdir -p "$RESULTS"
            # The edition (hidden tests, released references) and the results are root's only.
            chmod 700 "$SOURCE"
            chmod 755 "$RESULTS"
            args=(grade --submission "$AUTOGRADER/submission" --out "$RESULTS")
            if [ -d "$M2" ]; then args+=(--maven-repo "$M2" --offline); fi
            if [ -d "$SOURCE/hidden-tests" ]; then args+=(--tests "$SOURCE/hidden-tests"); fi
            cd "$SOURCE"
            # shellcheck disable=SC2086
            java .course/Course.java "${args[@]}" ${COURSE_GRADE_ARGS:-}
            status=$?
            if [ ! -s "$RESULTS/results.json" ]; then
              printf '{"score": 0, "output": "The grader could not run (exit %s); ask your instructor.", "tests": []}\\n' \\
                "$status" > "$RESULTS/results.json"
            fi
            """;

    private final CourseRoot course;

    GradescopeBundle(CourseRoot course) {
        this.course = course;
    }

    void write(Args a) throws IOException {
        Path target = Path.of(a.positional(0, "a folder for autograder.zip")).toAbsolutePath();
        Path root = course.dir().toAbsolutePath();
        if (course.isMaintainers()) {
            throw new Main.UsageError("make the autograder from an exported edition (java .course/Course.java export"
                    + " DIR), not from the maintainers' repository: it would carry the reference");
        }
        Path hidden = a.options().containsKey("--tests") ? Path.of(a.option("--tests", "")).toAbsolutePath() : null;
        Files.createDirectories(target);
        Path zip = target.resolve("autograder.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            add(out, "setup.sh", SETUP);
            add(out, "run_autograder", RUN);
            for (Path p : Trees.files(root, "")) {
                Path rel = root.relativize(p);
                if (Trees.isSource(root, p) && !rel.startsWith(".git") && !rel.startsWith("hidden-tests")) {
                    add(out, rel.toString().replace('\\', '/'), p);
                }
            }
            if (hidden != null) {
                for (Path p : Trees.files(hidden, "")) {
                    add(out, "hidden-tests/" + hidden.relativize(p).toString().replace('\\', '/'), p);
                }
            }
        }
        System.out.println("Wrote " + zip + ": upload it as the autograder (Gradescope: Configure Autograder,"
                + " Zip file upload, an Ubuntu base image)" + (hidden != null ? "; with the hidden tests of " + hidden
                : "") + ".");
    }

    private static void add(ZipOutputStream out, String name, String text) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.closeEntry();
    }

    private static void add(ZipOutputStream out, String name, Path file) {
        try {
            out.putNextEntry(new ZipEntry(name));
            Files.copy(file, out);
            out.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unpacks {@code zip} into {@code dir} (the course's check of the bundle does what Gradescope does). */
    static void unpack(Path zip, Path dir) throws IOException {
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path to = dir.resolve(e.getName()).normalize();
                if (!to.startsWith(dir)) {
                    throw new IOException("a zip entry outside the folder: " + e.getName());
                }
                Files.createDirectories(to.getParent());
                try (OutputStream o = Files.newOutputStream(to)) {
                    in.transferTo(o);
                }
            }
        }
    }

    /** The scripts' names, for checks. */
    static List<String> scripts() {
        return List.of("setup.sh", "run_autograder");
    }
}
