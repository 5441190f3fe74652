package herd.course.tool;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code watch [ID]}, rustlings-style: runs the current exercise's tests whenever a source
 * of the lessons changes, shows the verdict on one screen, and moves on to the next
 * exercise once this one passes. Keys: {@code h} the next hint, {@code p} progress,
 * {@code q} quit. File-change events come from the JDK's watch service; where they do not
 * arrive (some editors, network or VM file systems), {@code --poll} compares the sources'
 * times twice a second instead.
 */
final class Watch {
    private static final String CLEAR = "\033[H\033[2J";
    private static final long POLL_MILLIS = 500;
    private static final long SETTLE_MILLIS = 80;
    /** Failures shown in full, so that the verdict fits on one screen; the others get a line each. */
    private static final int DETAILED = 2;

    private final CourseRoot course;
    private final Runner runner;
    private final Hints hints;
    private final boolean poll;
    private final BlockingQueue<Character> events = new LinkedBlockingQueue<>();

    Watch(CourseRoot course, Runner runner, Hints hints, boolean poll) {
        this.course = course;
        this.runner = runner;
        this.hints = hints;
        this.poll = poll;
    }

    /** Watches from {@code first} (or the next exercise to do) until every exercise passes or q. */
    void run(ExerciseId first) throws IOException, InterruptedException {
        ExerciseId current = first != null ? first : new Progress(course, runner).run(new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()));
        if (current == null) {
            System.out.println("Every exercise is solved: nothing to watch.");
            return;
        }
        Terminal.keysOneByOne();
        startKeys();
        Closeable saves = poll ? startPolling() : startWatching();
        try {
            boolean clear = true;
            while (true) {
                ExerciseId shown = current;
                boolean passed = show(current, clear);
                clear = !passed;
                if (passed) {
                    current = after(current);
                    System.out.println(current == null ? "Every exercise is solved. Well done!"
                            : shown + " passes. On to " + current + " · " + current.title().replace("`", "") + "...");
                    if (current == null) {
                        return;
                    }
                } else if (!awaitSave(current)) {
                    return;
                }
            }
        } finally {
            saves.close();
        }
    }

    /** Answers the keys until a save (true) or q (false). */
    private boolean awaitSave(ExerciseId current) throws InterruptedException {
        while (true) {
            switch (events.take()) {
                case 's' -> {
                    return true;
                }
                case 'q' -> {
                    return false;
                }
                case 'h' -> {
                    hints.show(current, false);
                    footer();
                }
                case 'p' -> {
                    System.out.print(CLEAR);
                    new Progress(course, runner).run(System.out);
                    footer();
                }
                default -> throw new IllegalStateException("no such event");
            }
        }
    }

    private boolean show(ExerciseId id, boolean clear) {
        if (clear) {
            System.out.print(CLEAR);
        }
        long start = System.nanoTime();
        Catalogue.Lesson lesson = Catalogue.lesson(id.lesson());
        Runner.Outcome outcome = runner.run(lesson, id.tag(), null, Map.of());
        boolean passed = Verdict.print(System.out, List.of(Catalogue.exercise(id)), outcome, DETAILED);
        if (outcome.leftRunning() > 0) {
            System.out.println("A test timed out and left " + outcome.leftRunning() + " thread(s) running your code"
                    + " (an endless loop?). They keep a CPU busy until you quit: fix the loop, then press q and start"
                    + " watch again.");
        }
        System.out.printf("(%.1f s) ", (System.nanoTime() - start) / 1e9);
        if (!passed) {
            footer();
        }
        return passed;
    }

    private void footer() {
        System.out.println("Watching " + course.dir().getFileName() + "'s lessons" + (poll ? " (polling)"
                : "; if saving does not re-run the tests, restart with --poll") + ". Keys: h hint, p progress, q quit.");
    }

    private static ExerciseId after(ExerciseId id) {
        List<Catalogue.Exercise> all = Catalogue.exercises();
        for (int i = 0; i < all.size() - 1; i++) {
            if (all.get(i).id().equals(id)) {
                return all.get(i + 1).id();
            }
        }
        return null;
    }

    private void startKeys() {
        daemon("watch-keys", () -> {
            InputStream in = System.in;
            try {
                for (int c; (c = in.read()) >= 0; ) {
                    char key = Character.toLowerCase((char) c);
                    if (key == 'q' || key == 'h' || key == 'p') {
                        events.add(key);
                    }
                }
            } catch (IOException e) {
                // no keyboard: saves still drive the loop
            }
        });
    }

    /** Saves as the JDK's watch service reports them; closing it ends the thread. */
    private Closeable startWatching() throws IOException {
        WatchService service = FileSystems.getDefault().newWatchService();
        for (Catalogue.Lesson lesson : course.lessons()) {
            for (Path dir : Trees.directories(course.dir().resolve(lesson.module()).resolve("src"))) {
                dir.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            }
        }
        daemon("watch-files", () -> {
            try {
                while (true) {
                    // An editor's save is often several events: drain them until none comes for a moment.
                    // A key is signalled again only once its events are taken and it is reset.
                    for (WatchKey key = service.take(); key != null; key = service.poll()) {
                        key.pollEvents();
                        key.reset();
                        TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                    }
                    events.add('s');
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // watch is over
            }
        });
        return service;
    }

    /** Saves found by comparing the sources' times and sizes twice a second; closing it ends the thread. */
    private Closeable startPolling() {
        Thread poller = daemon("watch-poll", () -> {
            String last = sourcesStamp();
            try {
                while (true) {
                    TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
                    String now = sourcesStamp();
                    if (!now.equals(last)) {
                        last = now;
                        events.add('s');
                    }
                }
            } catch (InterruptedException e) {
                // watch is over
            }
        });
        return poller::interrupt;
    }

    private String sourcesStamp() {
        StringBuilder out = new StringBuilder();
        for (Catalogue.Lesson lesson : course.lessons()) {
            for (Path p : Trees.files(course.dir().resolve(lesson.module()).resolve("src"), ".java")) {
                try {
                    out.append(p).append(Files.getLastModifiedTime(p).toMillis()).append(Files.size(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out.toString();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
