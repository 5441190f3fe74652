package herd.course;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The course's lessons and exercises, defined once. The generator of the workbooks, the
 * exercise stubs, the test kit, the course tool (test, watch, progress, hint, grade,
 * export) and the course's own checks read this list; the poms, the lesson READMEs'
 * exercise sections and {@code .course/points.properties} are checked against it.
 *
 * <p>Adding a lesson: a {@link Lesson} here, its module (listed in the parent pom and
 * scanned by solutions' pom), its README.
 */
public final class Catalogue {
    private Catalogue() {
    }

    /** An exercise: its id and its title, as its README heading gives it ({@code ### L01-E2 · title}). */
    public record Exercise(ExerciseId id, String title) {
    }

    /**
     * A lesson: its module folder, title, the {@code herd.*} packages its module holds, the
     * main class of its demo and its exercises in working order.
     */
    public record Lesson(LessonId id, String module, String title, List<String> packages, String demo,
                         List<Exercise> exercises) {
    }

    /** Every lesson, in course order. */
    public static final List<Lesson> LESSONS = List.of(
            lesson(1, "lesson01-waitqueue", "Tasks, sleeping and waking, wait queues",
                    List.of("course", "list", "uapi", "sched", "locking", "wait", "trace", "demo"), "herd.demo.Demo",
                    "Where an entry lands: `add_wait_queue`, `add_wait_queue_exclusive`, `remove_wait_queue`",
                    "The walk: `__wake_up_common`",
                    "Waking one task: `try_to_wake_up`, `default_wake_function`, `autoremove_wake_function`",
                    "Getting ready to sleep: `prepare_to_wait`, `prepare_to_wait_exclusive`, `finish_wait`",
                    "The sleep loop: `prepare_to_wait_event` and `___wait_event`",
                    "The `wake_up` family"),
            lesson(2, "lesson02-eventpoll", "Files, poll tables and epoll",
                    List.of("fs", "epoll", "net"), "herd.epoll.demo.EpollDemo",
                    "`epoll_create1` and the tree of items",
                    "Watching a file: `ep_insert`, `ep_item_poll`, `ep_ptable_queue_proc`",
                    "The callback: `ep_poll_callback`",
                    "Delivering: `ep_send_events`, `ep_start_scan`, `ep_done_scan`",
                    "Waiting: `epoll_wait` and `ep_poll`",
                    "`epoll_ctl`: the checks, `ep_modify`, nested epoll and `ELOOP`"),
            lesson(3, "lesson03-tcp-handshake", "The TCP handshake, the listen queues and accept",
                    List.of("socket", "inet"), "herd.inet.demo.HandshakeDemo",
                    "`listen()` and the limits of the two queues",
                    "The final ACK: child, accept queue, one wake-up",
                    "`tcp_poll`: a listener is readable when a connection waits",
                    "`accept4`, non-blocking: `EAGAIN` and `EINVAL`",
                    "`accept4`, blocking: `inet_csk_wait_for_connect`"),
            lesson(4, "lesson04-herd", "The herd: nginx master and workers on one listen socket",
                    List.of("nginx"), "herd.nginx.demo.HerdDemo",
                    "The worker's event loop: `ngx_epoll_init`, `ngx_epoll_add_event`, `ngx_epoll_process_events`",
                    "Accepting: `ngx_event_accept` and the first request handler",
                    "The herd's accounting"),
            lesson(5, "lesson05-exclusive",
                    "The fixes: EPOLLEXCLUSIVE, accept_mutex, SO_REUSEPORT, blocking accept, batching",
                    List.of("fix"), "herd.fix.demo.Comparison",
                    "`EPOLLEXCLUSIVE` in `ep_ptable_queue_proc`",
                    "`EPOLLEXCLUSIVE` in `ep_poll_callback`",
                    "`EPOLLEXCLUSIVE` in `epoll_ctl`",
                    "`SO_REUSEPORT`: the group, the choice, the leaving",
                    "nginx's `accept_mutex`",
                    "nginx with `EPOLLEXCLUSIVE`, and its rebalancing",
                    "nginx with `listen 80 reuseport`",
                    "Blocking accept, and batching with a cap"));

    private static Lesson lesson(int number, String module, String title, List<String> packages, String demo,
                                 String... exerciseTitles) {
        LessonId id = new LessonId(number);
        List<Exercise> exercises = Stream.iterate(1, n -> n + 1).limit(exerciseTitles.length)
                .map(n -> new Exercise(new ExerciseId(id, n), exerciseTitles[n - 1])).toList();
        return new Lesson(id, module, title, packages, demo, exercises);
    }

    /** The lesson {@code id}; fails naming the lessons there are. */
    public static Lesson lesson(LessonId id) {
        return LESSONS.stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow(() ->
                new NoSuchElementException("no lesson " + id.number() + "; the lessons are 1 to " + LESSONS.size()));
    }

    /** The lesson whose module folder is {@code module}. */
    public static Lesson lessonOfModule(String module) {
        return LESSONS.stream().filter(l -> l.module().equals(module)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no lesson module " + module));
    }

    /** The lesson whose module holds the package {@code herd.<pkg>}. */
    public static Lesson lessonOfPackage(String pkg) {
        return LESSONS.stream().filter(l -> l.packages().contains(pkg)).findFirst().orElseThrow(() ->
                new NoSuchElementException("package herd." + pkg + " belongs to no lesson: add it to Catalogue"));
    }

    /** The exercise {@code id}; fails naming where the ids are listed. */
    public static Exercise exercise(ExerciseId id) {
        return lesson(id.lesson()).exercises().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow(() ->
                new NoSuchElementException("no exercise " + id + "; the ids are in each lesson's README"));
    }

    /** Every exercise, in course order. */
    public static List<Exercise> exercises() {
        return LESSONS.stream().flatMap(l -> l.exercises().stream()).toList();
    }
}
