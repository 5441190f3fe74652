package herd.course.tool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs Maven as a child process whose output is streamed to a log with a size cap (never
 * held in memory), in a session and process group of its own where {@code setsid} exists,
 * so that a wall-clock limit kills it whole: forked test JVMs and anything they started,
 * orphans included.
 */
final class Maven {
    private Maven() {
    }

    /** How a run ended: Maven's exit code (-1 when killed), whether the limit killed it, and its log. */
    record Result(int exit, boolean timedOut, Path log) {
        /** The last {@code n} lines of the log. */
        String tail(int n) {
            List<String> lines = Trees.read(log).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /**
     * Runs {@code mvn -B args} in {@code dir}; at most {@code capBytes} of its output reach
     * {@code log}; after {@code limitSeconds} (0: none) the whole process group is killed.
     */
    static Result run(Path dir, Path log, long capBytes, long limitSeconds, String... args) {
        boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win");
        List<String> command = new ArrayList<>(List.of(windows ? "mvn.cmd" : "mvn", "-B"));
        command.addAll(List.of(args));
        return exec(dir, log, capBytes, limitSeconds, command);
    }

    /**
     * Runs {@code command} in {@code dir} the same way: its own session and process group,
     * output (stdout and stderr) streamed to {@code log} up to {@code capBytes}, the whole
     * group killed after {@code limitSeconds} (0: no limit).
     */
    static Result exec(Path dir, Path log, long capBytes, long limitSeconds, List<String> args) {
        List<String> command = new ArrayList<>();
        boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win");
        boolean setsid = !windows && Files.isExecutable(Path.of("/usr/bin/setsid"));
        if (setsid) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            Thread copier = new Thread(() -> copyCapped(p.getInputStream(), log, capBytes), "maven-log");
            copier.setDaemon(true);
            copier.start();
            boolean finished = true;
            if (limitSeconds <= 0) {
                p.waitFor();
            } else {
                finished = p.waitFor(limitSeconds, TimeUnit.SECONDS);
            }
            if (!finished) {
                kill(p, setsid);
            } else if (setsid) {
                // Whatever it left behind in its group (an orphan holding the log's pipe open) goes too.
                killGroup(p.pid());
            }
            // An orphan that holds the pipe open must not keep us reading: bounded wait.
            copier.join(TimeUnit.SECONDS.toMillis(5));
            return new Result(finished ? p.exitValue() : -1, !finished, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + args.get(0) + (args.get(0).startsWith("mvn")
                    ? " (is mvn on the PATH?)" : ""), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Maven ran", e);
        }
    }

    private static void kill(Process p, boolean ownGroup) throws IOException, InterruptedException {
        if (ownGroup) {
            killGroup(p.pid());
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Kills every process of the process group {@code pgid}, if any is left. */
    static void killGroup(long pgid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private static void copyCapped(InputStream in, Path log, long capBytes) {
        byte[] buffer = new byte[8192];
        long written = 0;
        try (in; OutputStream out = Files.newOutputStream(log)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                int keep = (int) Math.max(0, Math.min(n, capBytes - written));
                out.write(buffer, 0, keep);
                if (keep < n && written < capBytes) {
                    out.write(("\n[course: the output went past " + capBytes / 1024 + " KiB; the rest is dropped]\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                written += n;
            }
        } catch (IOException e) {
            // The process was killed or closed its end: the log has what arrived.
        }
    }
}
