package herd.course.tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where the grader runs learners' code, when it runs as root (Gradescope runs the
 * autograder as root): as an unprivileged user of its own (from {@value #DEFAULT_UID}, by
 * the grader's process id; no login, no other process runs as it), through {@code setpriv}. That user can read the
 * compiled classes and the libraries, and write nothing of the grader's: not the Surefire
 * reports, not the output folder, not the sources (hidden tests included), which are
 * readable by root only. Surefire starts its test JVM through a {@code java} wrapper that
 * drops to that user; the libraries come from a copy of the Maven repository the user can
 * read (hard links where the file system allows), without the course's own artifacts.
 * When not root, or without {@code setpriv}, there is no sandbox: the learner's code runs
 * as the grader's user, and only the API check and the process-group kill stand between
 * it and the grader's files ({@link #why()} says so).
 */
final class Sandbox {
    static final int DEFAULT_UID = 64500;
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Set<PosixFilePermission> OPEN = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> CLOSED = PosixFilePermissions.fromString("rwx------");

    private final int uid;
    private final String why;
    private final Path wrapper;
    private final Path repo;
    private final Path originalRepo;

    private Sandbox(int uid, String why, Path wrapper, Path repo, Path originalRepo) {
        this.uid = uid;
        this.why = why;
        this.wrapper = wrapper;
        this.repo = repo;
        this.originalRepo = originalRepo;
    }

    /** No sandbox, and why. */
    static Sandbox none(String why) {
        return new Sandbox(-1, why, null, null, null);
    }

    boolean active() {
        return uid >= 0;
    }

    /** Why there is no sandbox, or which user the code runs as. */
    String why() {
        return why;
    }

    /**
     * A sandbox in {@code work} if the platform allows it; {@code repoOption} is a Maven
     * repository the sandbox user can already read (null: copy the grader's own).
     */
    static Sandbox setUp(Path work, Path repoOption, boolean disabled) {
        if (disabled) {
            return none("no sandbox (--no-sandbox): the learner's code runs as the grader's user");
        }
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                || !Files.isExecutable(SETPRIV)) {
            return none("no sandbox (it needs Linux and setpriv): the learner's code runs as the grader's user");
        }
        if (effectiveUid() != 0) {
            return none("no sandbox (the grader does not run as root, so it cannot switch users): the learner's code"
                    + " runs as the grader's user");
        }
        // A user of this run's own (none has a login), so that runs side by side cannot kill each other's.
        int uid = Integer.getInteger("course.sandbox.uid", DEFAULT_UID + (int) (ProcessHandle.current().pid() % 500));
        try {
            open(work);
            Path bin = Files.createDirectories(work.resolve("jdk/bin"));
            open(bin.getParent());
            open(bin);
            Path wrapper = bin.resolve("java");
            Files.writeString(wrapper, "#!/bin/sh\nexec " + String.join(" ", prefix(uid)) + " '" + javaBinary() + "' \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, OPEN);
            Path original = mavenRepository();
            Path repo = repoOption;
            if (repo == null) {
                repo = work.resolve("m2");
                mirror(original, repo);
            }
            return new Sandbox(uid, "sandboxed: the learner's code runs as the unprivileged user " + uid, wrapper,
                    repo, original);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the sandbox", e);
        }
    }

    /** The command prefix that runs a command as the sandbox user; empty without a sandbox. */
    List<String> prefix() {
        return active() ? prefix(uid) : List.of();
    }

    private static List<String> prefix(int uid) {
        return List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs", "--");
    }

    /** The Maven options that make Surefire's test JVM run in the sandbox. */
    List<String> mavenOptions() {
        return active() ? List.of("-Djvm=" + wrapper, "-Dmaven.repo.local=" + repo) : List.of();
    }

    /** A library's path as the sandbox user reads it. */
    Path readable(Path jar) {
        return active() && jar.toAbsolutePath().startsWith(originalRepo)
                ? repo.resolve(originalRepo.relativize(jar.toAbsolutePath()).toString()) : jar;
    }

    /** Makes {@code dir} writable by the sandbox user (the test records). */
    void give(Path dir) {
        if (active()) {
            try {
                Files.setAttribute(dir, "unix:uid", uid);
                Files.setAttribute(dir, "unix:gid", uid);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Makes {@code p} readable by root only (sources, hidden tests, the grader's settings). */
    void hide(Path p) {
        if (active() && Files.exists(p)) {
            try {
                Files.setPosixFilePermissions(p, CLOSED);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Makes a folder of the grader's readable, but not writable, by the sandbox user. */
    static void open(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, OPEN);
    }

    /** Kills every process the sandbox user still has (an orphan started by a test): it owns nothing else. */
    void killLeftovers() {
        if (!active()) {
            return;
        }
        List<String> command = new ArrayList<>(prefix());
        command.addAll(List.of("kill", "-KILL", "-1"));
        try {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether users other than its owner can read {@code p}: every folder above it open to them, and it too. */
    static boolean readableByOthers(Path p) {
        try {
            if (!Files.exists(p) || !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ)) {
                return false;
            }
            for (Path d = p.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
                if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static int effectiveUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The grader's own Maven repository. */
    static Path mavenRepository() {
        String local = System.getProperty("maven.repo.local");
        return (local != null ? Path.of(local) : Path.of(System.getProperty("user.home"), ".m2", "repository"))
                .toAbsolutePath();
    }

    /** A copy of {@code from} in {@code to} that others can read: hard links where possible; no course artifacts. */
    private static void mirror(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.createDirectories(to);
            open(to);
            return;
        }
        if (run("cp", "-al", from.toString(), to.toString()) != 0) {
            Trees.delete(to);
            if (run("cp", "-a", from.toString(), to.toString()) != 0) {
                throw new IOException("cannot copy the Maven repository " + from + " for the sandbox");
            }
        }
        // Only the links go: the files themselves stay in the grader's repository.
        Trees.delete(to.resolve("course/herd"));
        for (Path dir : Trees.directories(to)) {
            open(dir);
        }
    }

    private static int run(String... command) throws IOException {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
