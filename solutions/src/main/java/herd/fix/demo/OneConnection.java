package herd.fix.demo;

import herd.nginx.HerdRun;
import herd.nginx.NgxConf;
import herd.sched.DeterministicScheduler;
import herd.trace.Timeline;
import herd.trace.TimelineFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Lesson 5's picture of the fix: one {@code telnet} to nginx with {@value #WORKERS} workers,
 * once as lesson 4's herd and once as today's nginx with {@code EPOLLEXCLUSIVE}, on the
 * comparison's scheduler (seed and preemption), written as timelines ({@link TimelineFiles}),
 * with a lane for every worker, woken or not.
 */
final class OneConnection {
    /** The workers of both runs. */
    static final int WORKERS = 4;
    /** The lesson's folder, where the timelines go. */
    static final String MODULE = "lesson05-exclusive";

    private OneConnection() {
    }

    /** Writes {@code herd-4-workers} and {@code exclusive-4-workers} (SVG and JSON) into {@code dir}; returns the files. */
    static List<Path> write(Path dir) {
        List<Path> files = new ArrayList<>();
        files.addAll(write(dir, "herd-" + WORKERS + "-workers", NgxConf.herd(WORKERS),
                "the herd: every worker woken"));
        files.addAll(write(dir, "exclusive-" + WORKERS + "-workers", NgxConf.stock(WORKERS),
                "EPOLLEXCLUSIVE: one worker woken"));
        return files;
    }

    private static List<Path> write(Path dir, String name, NgxConf conf, String caption) {
        try (DeterministicScheduler sched = new DeterministicScheduler(ComparisonRunner.SEED, ComparisonRunner.PREEMPTION)) {
            sched.pidsFrom(2100);
            HerdRun run = HerdRun.run(sched, conf, 1, false);
            return TimelineFiles.write(dir, name, Timeline.of("nginx, " + WORKERS + " workers, one telnet, seed "
                    + ComparisonRunner.SEED + ": " + caption, sched.trace().events(), run.traceStart(),
                    task -> task.startsWith("worker")));
        }
    }
}
